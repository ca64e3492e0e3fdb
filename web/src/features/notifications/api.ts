import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import type { NotificationType } from '../../../../src/domain/shared-types';
import { call, client, errorFromBody, type Schemas } from '../../api/client';

export type AppNotification = Schemas['Notification'];
export type Preferences = Schemas['NotificationPreferences'];
export type PushRegistration = Schemas['PushSubscription'];
export type PreferenceChanges = Partial<
  Record<NotificationType, { push?: boolean; email?: boolean; discord?: boolean }>
>;

export const notificationKeys = {
  all: ['notifications'] as const,
  list: (unreadOnly: boolean) => ['notifications', 'list', unreadOnly ? 'unread' : 'all'] as const,
  latest: ['notifications', 'latest'] as const,
  preferences: ['notification-preferences'] as const,
  push: ['push-subscriptions'] as const,
  vapidKey: ['push-subscriptions', 'vapid-key'] as const,
};

const PAGE_SIZE = 30;

/** My notifications, newest first, a page at a time (unread only when asked). */
export const notificationsQuery = (unreadOnly: boolean) =>
  infiniteQueryOptions({
    queryKey: notificationKeys.list(unreadOnly),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      call(
        client.GET('/api/notifications', {
          params: {
            query: {
              limit: String(PAGE_SIZE),
              ...(unreadOnly ? { unread: 'true' as const } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });

/** The five newest, for the bell. */
export const latestNotificationsQuery = () =>
  queryOptions({
    queryKey: notificationKeys.latest,
    queryFn: () => call(client.GET('/api/notifications', { params: { query: { limit: '5' } } })),
  });

export const markNotificationRead = (id: string) =>
  call(client.POST('/api/notifications/{id}/read', { params: { path: { id } } }));

export const markAllNotificationsRead = () => call(client.POST('/api/notifications/read-all'));

export const preferencesQuery = () =>
  queryOptions({
    queryKey: notificationKeys.preferences,
    queryFn: () => call(client.GET('/api/notifications/preferences')),
    staleTime: 5 * 60_000,
  });

export const updatePreferences = (changes: PreferenceChanges) =>
  call(client.PATCH('/api/notifications/preferences', { body: changes }));

export const pushRegistrationsQuery = () =>
  queryOptions({
    queryKey: notificationKeys.push,
    queryFn: async () => (await call(client.GET('/api/push-subscriptions'))).subscriptions,
  });

export const fetchVapidKey = async () =>
  (await call(client.GET('/api/push-subscriptions/vapid-key'))).publicKey;

export const registerPush = (subscription: PushSubscriptionJSON) =>
  call(
    client.POST('/api/push-subscriptions', {
      body: {
        subscription: {
          endpoint: subscription.endpoint ?? '',
          expirationTime: subscription.expirationTime ?? null,
          keys: { p256dh: subscription.keys?.p256dh ?? '', auth: subscription.keys?.auth ?? '' },
        },
        userAgent: navigator.userAgent,
      },
    }),
  );

/** Stop pushes to one browser (204: no body to read). */
export async function unregisterPush(id: string): Promise<void> {
  const answer = await client.DELETE('/api/push-subscriptions/{id}', { params: { path: { id } } });
  if (!answer.response.ok) throw errorFromBody(answer.response.status, answer.error);
}

export const testPush = (id: string) =>
  call(client.POST('/api/push-subscriptions/{id}/test', { params: { path: { id } } }));
