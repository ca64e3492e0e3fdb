/**
 * The live page's events (`GET /api/events`, server-sent events; PRODUCT.md §4): what changed for
 * the signed-in user, small enough to update the web app's caches in place or to tell it which
 * to refetch. On the wire each event is
 *
 *   id: <increasing integer>        (send it back as Last-Event-ID to resume)
 *   event: <LiveEvent['type']>
 *   data: <the LiveEvent as JSON>
 *
 * and a comment line (`: heartbeat`) every 15 seconds keeps proxies from closing the stream.
 * Ids only grow; a reconnect that sends the last one it saw (the `Last-Event-ID` header, as
 * EventSource does, or `?lastEventId=`) first receives every event after it that is still kept
 * (24 hours), in order and once, then the live ones. Without it the stream starts from now.
 */
import type { OrderStatus } from './order-status';
import type {
  CopyOutcome,
  CopyReason,
  NotificationType,
  PositionStatus,
  TradeSide,
  TradeSource,
} from './vocabulary';

export const LIVE_EVENT_TYPES = ['order', 'position', 'copy', 'account', 'notification'] as const;
export type LiveEventType = (typeof LIVE_EVENT_TYPES)[number];

/** An order of the user's was placed or changed status or fill. */
export type OrderEvent = {
  type: 'order';
  orderId: string;
  positionId: string;
  accountId: string;
  symbol: string;
  side: TradeSide;
  source: TradeSource;
  status: OrderStatus;
  quantity: number;
  filledQuantity: number;
};

/** A position of the user's was opened, changed (fills folded) or ended. */
export type PositionEvent = {
  type: 'position';
  positionId: string;
  status: PositionStatus;
};

/** A copy decision about the user's subscription was made or moved (approved, failed, ...). */
export type CopyEvent = {
  type: 'copy';
  decisionId: string;
  subscriptionId: string;
  outcome: CopyOutcome;
  reason: CopyReason | string | null;
  copyOrderId: string | null;
};

/** An account's cached balances, selection or connection health changed. */
export type AccountEvent = {
  type: 'account';
  accountId: string;
};

/**
 * A notification was written for the user, or marked read (`read` true); `unread` is their unread
 * count after the change. `createdAt` is ISO 8601 UTC, as the notifications list gives it.
 */
export type NotificationEvent = {
  type: 'notification';
  notificationId: string;
  notificationType: NotificationType;
  title: string;
  body: string;
  data: Record<string, unknown> | null;
  read: boolean;
  createdAt: string;
  unread: number;
};

export type LiveEvent = OrderEvent | PositionEvent | CopyEvent | AccountEvent | NotificationEvent;
