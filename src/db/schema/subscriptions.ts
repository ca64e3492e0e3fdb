import { sql } from 'drizzle-orm';
import { bigint, check, foreignKey, index, integer, jsonb, pgTable, text, unique } from 'drizzle-orm/pg-core';
import { COPY_OUTCOMES, COPY_REASONS, ORDER_ACTIONS, SUBSCRIPTION_STATUSES } from '../../domain/vocabulary';
import { checkIn } from '../sql-sets';
import { nanoidPk, timestamps, ts } from './columns';
import { trades } from './trades';
import { users } from './users';

/** How an opening copy is sized (PRODUCT.md §3 risk controls); always capped by maxPositionSize. */
export type CopySizing =
  | { mode: 'multiplier' }
  | { mode: 'fixed'; contracts: number }
  | { mode: 'premium'; dollars: number }
  | { mode: 'equity'; percent: number };

export type SubscriptionSettings = {
  autoExecute: boolean;
  maxPositionSize: number;
  maxDailyTrades: number;
  scalingFactor: number;
  // Risk controls; a row written before them reads their defaults.
  sizing: CopySizing;
  /** Off (null), or 0.5–100: an opening copy goes as a Limit when the ask moved more than this. */
  maxPriceDriftPercent: number | null;
  /** How long the drift guard's Limit order may work before it is cancelled. */
  driftLimitSeconds: number;
  /** Off (null), or dollars lost on the Eastern day after which openings are skipped. */
  maxDailyLoss: number | null;
  /** Copy the trader's open positions when subscribing. */
  copyOpenPositions: boolean;
};

export const subscriptions = pgTable(
  'subscriptions',
  {
    id: nanoidPk(),
    subscriberId: text('subscriber_id').notNull(),
    traderId: text('trader_id').notNull(),

    // The seed's default; rows read the risk controls' defaults where a key is missing.
    settings: jsonb('settings')
      .$type<SubscriptionSettings>()
      .notNull()
      .default(
        sql`'{"autoExecute": false, "maxPositionSize": 10, "maxDailyTrades": 5, "scalingFactor": 1.0}'::jsonb`,
      ),

    status: text('status', { enum: SUBSCRIPTION_STATUSES }).notNull().default('active'),

    createdAt: ts('created_at').defaultNow(),
    pausedAt: ts('paused_at'),
    cancelledAt: ts('cancelled_at'),
    updatedAt: ts('updated_at').defaultNow(),
  },
  (t) => [
    foreignKey({
      name: 'subscriptions_subscriber_id_fkey',
      columns: [t.subscriberId],
      foreignColumns: [users.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'subscriptions_trader_id_fkey',
      columns: [t.traderId],
      foreignColumns: [users.id],
    }).onDelete('cascade'),
    unique('subscriptions_subscriber_id_trader_id_key').on(t.subscriberId, t.traderId),
    check('subscriptions_check', sql`subscriber_id != trader_id`),
    checkIn('subscriptions_status_check', 'status', SUBSCRIPTION_STATUSES),
    index('idx_subscriptions_subscriber').on(t.subscriberId, t.status),
    index('idx_subscriptions_trader').on(t.traderId, t.status),
  ],
);

/**
 * One decision per (subscription, trader's trade). The unique pair is what makes fan-out
 * idempotent: a retried job or a second worker cannot decide, and so copy, twice.
 */
export const subscriptionTrades = pgTable(
  'subscription_trades',
  {
    id: nanoidPk(),
    subscriptionId: text('subscription_id').notNull(),
    sourceTradeId: text('source_trade_id').notNull(),
    subscriberId: text('subscriber_id').notNull(),
    traderId: text('trader_id').notNull(),
    action: text('action', { enum: ORDER_ACTIONS }).notNull(),
    outcome: text('outcome', { enum: COPY_OUTCOMES }).notNull(),
    /** Machine-readable reason code, one of COPY_REASONS (src/domain/vocabulary.ts); no CHECK. */
    reason: text('reason', { enum: COPY_REASONS }),
    /** Human-readable detail, such as the broker's error message. */
    detail: text('detail'),
    /** The trader's filled quantity the decision was made on. */
    sourceQuantity: integer('source_quantity').notNull(),
    /** Quantity from the sizing rule before any cap. */
    computedQuantity: integer('computed_quantity'),
    /** Quantity the copy order was (or would be) placed for (cumulative over a working order's fills). */
    copyQuantity: integer('copy_quantity'),
    /**
     * Opening copies: the trader contracts the copies mirror (B_T of the closing rule): the
     * trader's fill, or the trader's holding when the copy was scaled to it (a late approval).
     */
    mirroredQuantity: integer('mirrored_quantity'),
    copyTradeId: text('copy_trade_id'),
    /** When a pending approval lapses. */
    expiresAt: ts('expires_at'),
    decidedAt: ts('decided_at'),
    ...timestamps,
  },
  (t) => [
    foreignKey({
      name: 'subscription_trades_subscription_id_fkey',
      columns: [t.subscriptionId],
      foreignColumns: [subscriptions.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'subscription_trades_source_trade_id_fkey',
      columns: [t.sourceTradeId],
      foreignColumns: [trades.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'subscription_trades_subscriber_id_fkey',
      columns: [t.subscriberId],
      foreignColumns: [users.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'subscription_trades_trader_id_fkey',
      columns: [t.traderId],
      foreignColumns: [users.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'subscription_trades_copy_trade_id_fkey',
      columns: [t.copyTradeId],
      foreignColumns: [trades.id],
    }).onDelete('set null'),
    unique('subscription_trades_subscription_id_source_trade_id_key').on(t.subscriptionId, t.sourceTradeId),
    checkIn('subscription_trades_action_check', 'action', ORDER_ACTIONS),
    checkIn('subscription_trades_outcome_check', 'outcome', COPY_OUTCOMES),
    check(
      'subscription_trades_quantities_check',
      sql`source_quantity > 0 AND (copy_quantity IS NULL OR copy_quantity >= 0)`,
    ),
    index('idx_subscription_trades_subscription').on(t.subscriptionId, t.createdAt.desc()),
    // The approval inbox and the lapse job look only at decisions still waiting.
    index('idx_subscription_trades_pending')
      .on(t.subscriberId, t.expiresAt)
      .where(sql`outcome = 'pending_approval'`),
    index('idx_subscription_trades_copy_trade').on(t.copyTradeId).where(sql`copy_trade_id IS NOT NULL`),
    // Every decision about one trader's trade (fan-out resume, close mirroring).
    index('idx_subscription_trades_source').on(t.sourceTradeId, t.outcome),
  ],
);

/**
 * How far the copy fan-out of a trader's trade has got: the fill (`trades.fill_seq`) it has
 * decided on. A fan-out first finishes the earlier fills of the same trader position that are
 * not this far yet, so closing copies follow the trader's fills in order whatever order their
 * jobs arrive in.
 */
export const copyFanOuts = pgTable(
  'copy_fan_outs',
  {
    tradeId: text('trade_id').primaryKey(),
    copiedSeq: bigint('copied_seq', { mode: 'number' }).notNull(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    foreignKey({
      name: 'copy_fan_outs_trade_id_fkey',
      columns: [t.tradeId],
      foreignColumns: [trades.id],
    }).onDelete('cascade'),
  ],
);

export type Subscription = typeof subscriptions.$inferSelect;
export type SubscriptionTrade = typeof subscriptionTrades.$inferSelect;
