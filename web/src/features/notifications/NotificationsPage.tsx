import { Badge, Button, Group, Paper, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { notifications as toasts } from '@mantine/notifications';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { messageOf } from '../../api/client';
import { AnchorLink } from '../../components/links';
import { EmptyState, ErrorState, MoreButton, SkeletonRows } from '../../components/states';
import { localTime, relativeTime } from '../../lib/format';
import { meKey, meQuery, type Profile } from '../auth/api';
import { NextSteps } from '../onboarding/NextSteps';
import {
  type AppNotification,
  markAllNotificationsRead,
  markNotificationRead,
  notificationKeys,
  notificationsQuery,
} from './api';
import { TYPE_LABEL, TYPE_PAGE } from './words';

function useUnreadFrom() {
  const queryClient = useQueryClient();
  return (unread: number) => {
    queryClient.setQueryData<Profile>(meKey, (me) => (me ? { ...me, unreadNotifications: unread } : me));
    void queryClient.invalidateQueries({ queryKey: notificationKeys.all });
  };
}

function NotificationItem({ item }: { item: AppNotification }) {
  const queryClient = useQueryClient();
  const read = useMutation({
    mutationFn: () => markNotificationRead(item.id),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: meKey });
      void queryClient.invalidateQueries({ queryKey: notificationKeys.all });
    },
    onError: (error) => toasts.show({ title: 'Not marked read', message: messageOf(error), color: 'red' }),
  });
  return (
    <Paper
      component="li"
      withBorder
      p="sm"
      radius="md"
      bg={item.read ? undefined : 'blue.0'}
      aria-label={`${item.read ? '' : 'Unread: '}${item.title}`}
      data-notification-id={item.id}
    >
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="sm">
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Group gap="xs">
            {item.read ? null : (
              <Badge size="sm" color="blue.8">
                Unread
              </Badge>
            )}
            <Text fw={item.read ? 500 : 700}>{item.title}</Text>
          </Group>
          <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
            {item.body}
          </Text>
          <Text size="xs" c="dimmed">
            <time dateTime={item.createdAt ?? undefined} title={localTime(item.createdAt)}>
              {relativeTime(item.createdAt)}
            </time>{' '}
            · {TYPE_LABEL[item.type]} ·{' '}
            <AnchorLink to={TYPE_PAGE[item.type]} size="xs">
              Open
            </AnchorLink>
          </Text>
        </Stack>
        {item.read ? null : (
          <Button
            size="compact-sm"
            variant="default"
            onClick={() => read.mutate()}
            loading={read.isPending}
            aria-label={`Mark read: ${item.title}`}
          >
            Mark read
          </Button>
        )}
      </Group>
    </Paper>
  );
}

/** Notifications: the list (all or unread), newest first, with mark one / all read. */
export function NotificationsPage({
  unreadOnly,
  onUnreadOnly,
}: {
  unreadOnly: boolean;
  onUnreadOnly: (value: boolean) => void;
}) {
  const me = useQuery(meQuery());
  const pages = useInfiniteQuery(notificationsQuery(unreadOnly));
  const setUnread = useUnreadFrom();
  const readAll = useMutation({
    mutationFn: markAllNotificationsRead,
    onSuccess: (result) => setUnread(result.unread),
    onError: (error) => toasts.show({ title: 'Not marked read', message: messageOf(error), color: 'red' }),
  });
  const unread = me.data?.unreadNotifications ?? 0;
  const items = pages.data?.pages.flatMap((page) => page.notifications) ?? [];
  return (
    <Stack gap="md" maw={820}>
      <Group justify="space-between" align="flex-end">
        <Title order={1}>Notifications</Title>
        <Group gap="sm">
          <SegmentedControl
            aria-label="Show"
            value={unreadOnly ? 'unread' : 'all'}
            onChange={(value) => onUnreadOnly(value === 'unread')}
            data={[
              { value: 'all', label: 'All' },
              { value: 'unread', label: `Unread (${unread})` },
            ]}
          />
          <Button
            variant="default"
            onClick={() => readAll.mutate()}
            disabled={unread === 0}
            loading={readAll.isPending}
          >
            Mark all read
          </Button>
        </Group>
      </Group>
      <Text size="sm" c="dimmed">
        Choose what alerts you, by push or email, in{' '}
        <AnchorLink to="/settings" hash="notifications">
          Settings
        </AnchorLink>
        .
      </Text>
      {pages.isPending ? (
        <SkeletonRows rows={4} label="Loading notifications" />
      ) : pages.isError ? (
        <ErrorState error={pages.error} what="notifications" onRetry={() => void pages.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState action={unreadOnly ? null : <NextSteps />}>
          {unreadOnly
            ? 'Nothing unread. You are up to date.'
            : 'No notifications yet. Your fills, the copies of traders you follow and approvals they need will be listed here.'}
        </EmptyState>
      ) : (
        <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Notifications">
          {items.map((item) => (
            <NotificationItem key={item.id} item={item} />
          ))}
        </Stack>
      )}
      <MoreButton
        hasMore={pages.hasNextPage}
        loading={pages.isFetchingNextPage}
        onMore={() => void pages.fetchNextPage()}
      />
    </Stack>
  );
}
