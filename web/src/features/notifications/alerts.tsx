/**
 * Pop-ups for notifications as they arrive. The "Alert" switch of a type in the preferences (the
 * push channel) governs both: a push to my browsers, and a pop-up on this page while it is open.
 */
import { notifications } from '@mantine/notifications';
import type { QueryClient } from '@tanstack/react-query';
import type { NotificationEvent, NotificationType } from '../../../../src/domain/shared-types';
import { notificationKeys, type Preferences } from './api';

/** Whether the user wants to be alerted about this type (true until the preferences are known). */
export function alertsOn(queryClient: QueryClient, type: NotificationType): boolean {
  const preferences = queryClient.getQueryData<Preferences>(notificationKeys.preferences);
  return preferences?.[type]?.push ?? true;
}

/**
 * Types whose own live event already raises a richer pop-up (a fill with its contract, an
 * approval with its Approve button): their notification raises none.
 */
const POPPED_ELSEWHERE: ReadonlySet<NotificationType> = new Set([
  'order_filled',
  'copy_trade_alert',
  'copy_trade_executed',
  'copy_trade_close',
]);

export function toastNotification(queryClient: QueryClient, event: NotificationEvent): void {
  if (event.read || POPPED_ELSEWHERE.has(event.notificationType)) return;
  if (!alertsOn(queryClient, event.notificationType)) return;
  const failed =
    event.notificationType === 'copy_trade_failed' || event.notificationType === 'connection_broken';
  notifications.show({
    id: `notification-${event.notificationId}`,
    title: event.title,
    message: event.body,
    color: failed ? 'red' : 'blue',
    autoClose: 8_000,
  });
}
