import { Checkbox, Table, Text } from '@mantine/core';
import { notifications as toasts } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { NotificationType } from '../../../../src/domain/shared-types';
import { messageOf } from '../../api/client';
import { QueryView } from '../../components/states';
import { meQuery } from '../auth/api';
import {
  notificationKeys,
  type PreferenceChanges,
  type Preferences,
  preferencesQuery,
  updatePreferences,
} from './api';
import { NOTIFICATION_TYPES, TYPE_LABEL } from './words';

type Channel = 'push' | 'email' | 'discord';

/** Where each type of notification goes: in the app always; alerts (push and pop-ups), email, Discord as chosen. */
export function PreferencesPanel() {
  const queryClient = useQueryClient();
  const preferences = useQuery(preferencesQuery());
  const me = useQuery(meQuery());
  const save = useMutation({
    mutationFn: updatePreferences,
    onMutate: async (changes: PreferenceChanges) => {
      await queryClient.cancelQueries({ queryKey: notificationKeys.preferences });
      const before = queryClient.getQueryData<Preferences>(notificationKeys.preferences);
      if (before) {
        const next = { ...before };
        for (const [type, switches] of Object.entries(changes)) {
          const key = type as NotificationType;
          next[key] = { ...before[key], ...switches } as Preferences[NotificationType];
        }
        queryClient.setQueryData(notificationKeys.preferences, next);
      }
      return { before };
    },
    onSuccess: (saved) => {
      queryClient.setQueryData(notificationKeys.preferences, saved);
      toasts.show({
        id: 'preferences-saved',
        title: 'Saved',
        message: 'Your notification choices are saved.',
        color: 'teal',
        autoClose: 2_500,
      });
    },
    onError: (error, _changes, context) => {
      if (context?.before) queryClient.setQueryData(notificationKeys.preferences, context.before);
      toasts.show({ title: 'Not saved', message: messageOf(error), color: 'red' });
    },
  });
  const change = (type: NotificationType, channel: Channel, value: boolean) =>
    save.mutate({ [type]: { [channel]: value } });
  const emailConfirmed = me.data?.emailVerified ?? false;

  return (
    <QueryView query={preferences} what="your notification choices">
      {(data) => (
        <>
          <Text size="sm" mb="xs">
            Every notification is kept in the app. <strong>Alert</strong> also pushes it to the browsers where
            you turned push on and shows a pop-up while Alertsify is open.
            {emailConfirmed ? '' : ' Email goes only to a confirmed address.'}
          </Text>
          <Table.ScrollContainer minWidth={0} type="native" tabIndex={0}>
            <Table striped verticalSpacing={4} aria-label="Notification choices">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Notification</Table.Th>
                  <Table.Th ta="center">Alert</Table.Th>
                  <Table.Th ta="center">Email</Table.Th>
                  <Table.Th ta="center">Discord</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {NOTIFICATION_TYPES.map((type) => {
                  const switches = data[type];
                  return (
                    <Table.Tr key={type}>
                      <Table.Th scope="row" fw={400}>
                        {TYPE_LABEL[type]}
                      </Table.Th>
                      {(['push', 'email', 'discord'] as const).map((channel) => {
                        const value = switches?.[channel];
                        return (
                          <Table.Td key={channel}>
                            {value === undefined ? null : (
                              <Checkbox
                                mx="auto"
                                w="fit-content"
                                size="md"
                                checked={value}
                                onChange={(event) => change(type, channel, event.currentTarget.checked)}
                                aria-label={`${channel === 'push' ? 'Alert' : channel === 'email' ? 'Email' : 'Discord'}: ${TYPE_LABEL[type]}`}
                              />
                            )}
                          </Table.Td>
                        );
                      })}
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </>
      )}
    </QueryView>
  );
}
