import {
  ActionIcon,
  Button,
  Divider,
  Group,
  Indicator,
  Popover,
  Stack,
  Text,
  UnstyledButton,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { messageOf } from '../../api/client';
import { ButtonLink } from '../../components/links';
import { relativeTime } from '../../lib/format';
import { meKey, meQuery, type Profile } from '../auth/api';
import {
  latestNotificationsQuery,
  markAllNotificationsRead,
  notificationKeys,
  preferencesQuery,
} from './api';
import { TYPE_PAGE } from './words';

function BellIcon() {
  return (
    <svg
      width="20"
      height="20"
      viewBox="0 0 24 24"
      aria-hidden="true"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
      <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
    </svg>
  );
}

function Latest({ onClose }: { onClose: () => void }) {
  const latest = useQuery(latestNotificationsQuery());
  if (latest.isPending) return <Text size="sm">Loading…</Text>;
  if (latest.isError) return <Text size="sm">{messageOf(latest.error)}</Text>;
  const items = latest.data.notifications;
  if (items.length === 0) {
    return (
      <Text size="sm">
        Nothing yet. Fills, copies and approvals appear here, and as pop-ups while the app is open.
      </Text>
    );
  }
  return (
    <Stack gap={4} component="ul" p={0} m={0} style={{ listStyle: 'none' }}>
      {items.map((item) => (
        <li key={item.id}>
          <UnstyledButton component={Link} to={TYPE_PAGE[item.type]} onClick={onClose} p={4} w="100%">
            <Text size="sm" fw={item.read ? 400 : 700} lineClamp={1}>
              {item.read ? '' : '● '}
              {item.title}
            </Text>
            <Text size="xs" c="dimmed" lineClamp={1}>
              {relativeTime(item.createdAt)} · {item.body}
            </Text>
          </UnstyledButton>
        </li>
      ))}
    </Stack>
  );
}

/** The header's bell: the unread count (kept live by the event stream) and the newest notifications. */
export function Bell() {
  const queryClient = useQueryClient();
  const me = useQuery(meQuery());
  // Loaded here so pop-ups know which types the user muted.
  useQuery(preferencesQuery());
  const [opened, setOpened] = useState(false);
  const unread = me.data?.unreadNotifications ?? 0;
  const readAll = useMutation({
    mutationFn: markAllNotificationsRead,
    onSuccess: (result) => {
      queryClient.setQueryData<Profile>(meKey, (profile) =>
        profile ? { ...profile, unreadNotifications: result.unread } : profile,
      );
      void queryClient.invalidateQueries({ queryKey: notificationKeys.all });
    },
  });
  return (
    <Popover width={320} position="bottom-end" withArrow opened={opened} onChange={setOpened} trapFocus>
      <Popover.Target>
        <ActionIcon
          variant="subtle"
          color="gray"
          size="lg"
          aria-label={`Notifications, ${unread} unread`}
          onClick={() => setOpened((open) => !open)}
          data-testid="bell"
        >
          <Indicator label={unread} size={16} disabled={unread === 0} color="red.9">
            <BellIcon />
          </Indicator>
        </ActionIcon>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs">
          <Text size="sm" fw={600}>
            {unread === 0 ? 'No unread notifications' : `${unread} unread`}
          </Text>
          {opened ? <Latest onClose={() => setOpened(false)} /> : null}
          <Divider />
          <Group justify="space-between" gap="xs">
            <ButtonLink
              to="/notifications"
              size="compact-sm"
              variant="light"
              onClick={() => setOpened(false)}
            >
              See all
            </ButtonLink>
            <Button
              size="compact-sm"
              variant="default"
              disabled={unread === 0}
              loading={readAll.isPending}
              onClick={() => readAll.mutate()}
            >
              Mark all read
            </Button>
          </Group>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
