/**
 * The closed sets of values the product speaks in, each written once. The database CHECKs
 * (src/db/schema), the zod and OpenAPI enums (src/http/routes, src/services) and the web app's
 * types (src/domain/shared-types.ts) are built from these arrays, so adding a value here is the
 * one edit that reaches all of them (a CHECK then needs its migration: `npm run db:generate`).
 *
 * Two sets live beside the rules that define them instead: order statuses with their
 * transition table (`ORDER_STATUSES`, order-status.ts) and option types with the OCC symbol
 * (`OPTION_TYPES`, occ.ts).
 *
 * Where an array feeds a CHECK, its order is the CHECK's order as migrated: reordering it would
 * change the constraint's text and so generate a migration for nothing.
 */

/** The kinds of order a broker accepts. Limit and StopLimit carry a limit price; Stop and StopLimit a stop price. */
export const ORDER_TYPES = ['Market', 'Limit', 'Stop', 'StopLimit'] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

export function hasLimitPrice(orderType: OrderType): boolean {
  return orderType === 'Limit' || orderType === 'StopLimit';
}

export function hasStopPrice(orderType: OrderType): boolean {
  return orderType === 'Stop' || orderType === 'StopLimit';
}

/** How long a working order lives at the broker: the trading day, or until cancelled. */
export const TIMES_IN_FORCE = ['Day', 'GTC'] as const;
export type TimeInForce = (typeof TIMES_IN_FORCE)[number];

/** What an order does, as stored; brokers call it the order's side. */
export const ORDER_ACTIONS = ['buy', 'sell'] as const;
export type OrderAction = (typeof ORDER_ACTIONS)[number];

/**
 * The same, as the API and its users say it: buy to open, sell to close. Options are only ever
 * bought to open and sold to close here, so each side is exactly one action.
 */
export const TRADE_SIDES = ['BTO', 'STC'] as const;
export type TradeSide = (typeof TRADE_SIDES)[number];

export function tradeSideOf(action: OrderAction): TradeSide {
  return action === 'buy' ? 'BTO' : 'STC';
}

/** Who placed an order: the user, the copy engine on their behalf, or the system (expiry). */
export const TRADE_SOURCES = ['manual', 'copy', 'auto'] as const;
export type TradeSource = (typeof TRADE_SOURCES)[number];

/** The order log's entry types; `partially_filled` to `rejected` are the transitions' changes. */
export const ORDER_EVENT_TYPES = [
  'created',
  'submitted',
  'partially_filled',
  'filled',
  'cancel_requested',
  'cancelled',
  'rejected',
  'synced',
] as const;
export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];

/** A position (all orders on one contract): held, sold out, expired worthless, or never filled. */
export const POSITION_STATUSES = ['open', 'closed', 'expired', 'cancelled'] as const;
export type PositionStatus = (typeof POSITION_STATUSES)[number];
/** Positions that ended with a result (PRODUCT.md §5: an expired position counts as closed). */
export const CLOSED_POSITION_STATUSES = ['closed', 'expired'] as const satisfies readonly PositionStatus[];

/** Which broker implementation serves an account. */
export const ACCOUNT_PROVIDERS = ['snaptrade', 'paper'] as const;
export type AccountProvider = (typeof ACCOUNT_PROVIDERS)[number];

export const SUBSCRIPTION_STATUSES = ['active', 'paused', 'cancelled'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/**
 * What became of one subscription's copy of one trader's trade (PRODUCT.md §3): copied at once,
 * skipped with a reason, waiting for the subscriber, approved or dismissed by them, lapsed
 * unanswered, or failed at the broker.
 */
export const COPY_OUTCOMES = [
  'executed',
  'skipped',
  'pending_approval',
  'approved',
  'dismissed',
  'lapsed',
  'failed',
] as const;
export type CopyOutcome = (typeof COPY_OUTCOMES)[number];

/** Why a copy was skipped, lapsed or failed: the machine-readable `reason` of a decision. */
export const COPY_REASONS = [
  'below_minimum',
  'nothing_to_close',
  'daily_limit',
  'no_account',
  'duplicate',
  'not_approved_in_time',
  'broker_rejected',
  'at_target',
  'source_closed',
  'price_drift',
  'daily_loss_limit',
  /** The subscriber's SnapTrade connection is broken until they reconnect it (PRODUCT.md §1a). */
  'connection_broken',
  /** The subscriber's account connects read-only through SnapTrade. */
  'account_read_only',
] as const;
export type CopyReason = (typeof COPY_REASONS)[number];

/**
 * In-app notification types (PRODUCT.md §4), and `discord_webhook_disabled` (Discord answered that
 * the trader's webhook no longer exists). The database column is free text (the seed declares no
 * CHECK), so this list is what the code may write.
 */
export const NOTIFICATION_TYPES = [
  'order_filled',
  'order_cancelled',
  'order_rejected',
  'copy_trade_alert',
  'copy_trade_close',
  'copy_trade_executed',
  'copy_trade_skipped',
  'copy_trade_failed',
  'subscription_new',
  /** A trader the user followed deleted their account: the subscription ended. */
  'subscription_ended',
  'position_expired',
  'connection_broken',
  'daily_loss_limit',
  'discord_webhook_disabled',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/**
 * Where a notification goes (PRODUCT.md §4): the in-app list (always), web push to the user's
 * browsers, and the trader's Discord webhook (fills only).
 */
export const NOTIFICATION_CHANNELS = ['in_app', 'push', 'email', 'discord'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];
