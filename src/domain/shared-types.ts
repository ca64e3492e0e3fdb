/**
 * The closed sets' types, for the web app: the only module under src/ that web/ may import,
 * and only with `import type` (Biome's fences in biome.json enforce both). It exports types
 * alone, so nothing of the server reaches the browser bundle.
 */

export type {
  AnalyticsPeriod,
  AnalyticsSource,
  CalendarInterval,
  ClosedPositionSort,
  LeaderboardPeriod,
  LeaderboardSort,
  PositionResult,
  SortOrder,
} from './analytics';
export type {
  AccountEvent,
  CopyEvent,
  LiveEvent,
  LiveEventType,
  NotificationEvent,
  OrderEvent,
  PositionEvent,
} from './live-events';
export type { PushMessage } from './notification-links';
export type { ChannelSwitches, NotificationPreferences } from './notification-preferences';
export type { OptionType } from './occ';
export type { OrderStatus } from './order-status';
export type {
  AccountProvider,
  CopyOutcome,
  CopyReason,
  NotificationChannel,
  NotificationType,
  OrderAction,
  OrderType,
  PositionStatus,
  SubscriptionStatus,
  TimeInForce,
  TradeSide,
  TradeSource,
} from './vocabulary';
