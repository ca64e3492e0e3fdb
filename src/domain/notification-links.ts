/**
 * Where the app opens when a notification is clicked (a web push, a toast): the page about it.
 * A push for an approval opens the approval itself (PRODUCT.md §4).
 */
import type { NotificationType } from './vocabulary';

/**
 * What a web push carries to the app's service worker (decrypted): enough to show the
 * notification and, on a click, open `url` (notificationLink).
 */
export type PushMessage = {
  /** Null for a test push, which has no notification behind it. */
  notificationId: string | null;
  type: NotificationType | 'test';
  title: string;
  body: string;
  url: string;
  data: Record<string, unknown> | null;
};

const PAGE_OF: Record<NotificationType, string> = {
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
};

/** The app path for a notification; `decisionId` (a waiting copy) deep-links to its approval. */
export function notificationLink(type: NotificationType, facts: { decisionId?: string | null } = {}): string {
  if (type === 'copy_trade_alert' && facts.decisionId) {
    return `/copying?approve=${encodeURIComponent(facts.decisionId)}`;
  }
  return PAGE_OF[type];
}
