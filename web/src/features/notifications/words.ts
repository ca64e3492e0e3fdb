import type { NotificationType } from '../../../../src/domain/shared-types';

/** Each type in words, for the preferences table and the list. */
export const TYPE_LABEL = {
  order_filled: 'My order filled',
  order_cancelled: 'My order cancelled',
  order_rejected: 'My order rejected',
  copy_trade_alert: 'A copy waits for my approval',
  copy_trade_close: 'A copied position closed',
  copy_trade_executed: 'A copy was executed',
  copy_trade_skipped: 'A copy was skipped',
  copy_trade_failed: 'A copy failed',
  subscription_new: 'Someone subscribed to me',
  subscription_ended: 'A subscription ended',
  position_expired: 'A position expired',
  connection_broken: 'A brokerage connection broke',
  daily_loss_limit: 'My daily loss limit was reached',
  discord_webhook_disabled: 'Discord posting stopped',
} satisfies Record<NotificationType, string>;

/** The page a notification is about. */
export const TYPE_PAGE = {
  order_filled: '/trade',
  order_cancelled: '/trade',
  order_rejected: '/trade',
  copy_trade_alert: '/copying',
  copy_trade_close: '/copying',
  copy_trade_executed: '/copying',
  copy_trade_skipped: '/copying',
  copy_trade_failed: '/copying',
  subscription_new: '/copying',
  subscription_ended: '/copying',
  position_expired: '/history',
  connection_broken: '/accounts',
  daily_loss_limit: '/copying',
  discord_webhook_disabled: '/settings',
} as const satisfies Record<NotificationType, string>;

export const NOTIFICATION_TYPES = Object.keys(TYPE_LABEL) as NotificationType[];
