import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  date,
  decimal,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { OPTION_TYPES } from '../../domain/occ';
import { ORDER_STATUSES } from '../../domain/order-status';
import {
  ORDER_ACTIONS,
  ORDER_EVENT_TYPES,
  ORDER_TYPES,
  POSITION_STATUSES,
  TRADE_SOURCES,
} from '../../domain/vocabulary';
import { checkIn } from '../sql-sets';
import { accounts } from './accounts';
import { nanoidPk, timestamps, ts } from './columns';
import { users } from './users';

/** A position: all orders on one contract, with aggregates kept by database triggers. */
export const parentTrades = pgTable(
  'parent_trades',
  {
    id: nanoidPk(),
    userId: text('user_id').notNull(),

    underlying: text('underlying').notNull(),
    optionType: text('option_type', { enum: OPTION_TYPES }).notNull(),
    strike: decimal('strike', { precision: 10, scale: 2 }).notNull(),
    expiration: date('expiration').notNull(),
    symbol: text('symbol').notNull(),

    status: text('status', { enum: POSITION_STATUSES }).notNull().default('open'),

    totalCostBasis: decimal('total_cost_basis', { precision: 15, scale: 2 }).default(sql`0`),
    totalProceeds: decimal('total_proceeds', { precision: 15, scale: 2 }).default(sql`0`),
    totalPnl: decimal('total_pnl', { precision: 15, scale: 2 }).default(sql`0`),

    openedAt: ts('opened_at').defaultNow(),
    closedAt: ts('closed_at'),
    ...timestamps,

    // Beyond the seed, all kept by the fill trigger except the copy link.
    /** For a copied position: the trader's position it mirrors. */
    sourceParentTradeId: text('source_parent_trade_id'),
    boughtQuantity: integer('bought_quantity').notNull().default(0),
    soldQuantity: integer('sold_quantity').notNull().default(0),
    /** Weighted average entry of the contracts still held (or of the last held, once closed). */
    avgEntryPrice: decimal('avg_entry_price', { precision: 16, scale: 6 }),
  },
  (t) => [
    foreignKey({
      name: 'parent_trades_user_id_fkey',
      columns: [t.userId],
      foreignColumns: [users.id],
    }).onDelete('cascade'),
    foreignKey({
      name: 'parent_trades_source_parent_trade_id_fkey',
      columns: [t.sourceParentTradeId],
      foreignColumns: [t.id],
    }).onDelete('set null'),
    checkIn('parent_trades_option_type_check', 'option_type', OPTION_TYPES),
    checkIn('parent_trades_status_check', 'status', POSITION_STATUSES),
    // Beyond the seed: a contract's strike is positive.
    check('parent_trades_strike_check', sql`strike > 0`),
    index('idx_parent_trades_user').on(t.userId),
    index('idx_parent_trades_status').on(t.userId, t.status),
    index('idx_parent_trades_symbol').on(t.symbol),
    index('idx_parent_trades_underlying').on(t.underlying),
    // At most one open position per user and contract (and per copied trader position), so two
    // concurrent BTOs cannot open the same position twice.
    uniqueIndex('uq_parent_trades_open_contract')
      .on(t.userId, t.symbol, sql`COALESCE(source_parent_trade_id, '')`)
      .where(sql`status = 'open'`),
    // Close mirroring finds the copies of a trader's position.
    index('idx_parent_trades_source')
      .on(t.sourceParentTradeId)
      .where(sql`source_parent_trade_id IS NOT NULL`),
  ],
);

/** One order sent to a broker (BTO = buy, STC = sell). */
export const trades = pgTable(
  'trades',
  {
    id: nanoidPk(),
    parentTradeId: text('parent_trade_id').notNull(),
    userId: text('user_id').notNull(),
    accountId: text('account_id').notNull(),

    action: text('action', { enum: ORDER_ACTIONS }).notNull(),
    quantity: integer('quantity').notNull(),
    filledQuantity: integer('filled_quantity').default(0),

    orderType: text('order_type', { enum: ORDER_TYPES }).notNull(),
    limitPrice: decimal('limit_price', { precision: 10, scale: 4 }),
    stopPrice: decimal('stop_price', { precision: 10, scale: 4 }),
    filledPrice: decimal('filled_price', { precision: 10, scale: 4 }),

    status: text('status', { enum: ORDER_STATUSES }).notNull().default('pending'),
    brokerOrderId: text('broker_order_id'),

    source: text('source', { enum: TRADE_SOURCES }).notNull().default('manual'),
    sourceTraderId: text('source_trader_id'),
    sourceTradeId: text('source_trade_id'),

    pnl: decimal('pnl', { precision: 15, scale: 2 }),
    pnlPercent: decimal('pnl_percent', { precision: 8, scale: 4 }),

    createdAt: ts('created_at').defaultNow(),
    filledAt: ts('filled_at'),
    updatedAt: ts('updated_at').defaultNow(),

    // Beyond the seed: why the broker rejected or cancelled the order.
    statusReason: text('status_reason'),
    /** When a worker claimed the order to send it to the broker (copy orders). */
    submittedAt: ts('submitted_at'),

    // Copy fidelity (PRODUCT.md §3), kept by a trigger on a trader's own orders at each fill.
    /** The order's latest fill in the order of all fills (a sequence): closing fan-outs run in it. */
    fillSeq: bigint('fill_seq', { mode: 'number' }),
    /** What the trader held of the position right after the order's latest fill (R_T). */
    holdingAfter: integer('holding_after'),
    /** Since when the order waits for the broker's shared rate budget (a copy shows `queued`). */
    queuedAt: ts('queued_at'),
  },
  (t) => [
    foreignKey({
      name: 'trades_parent_trade_id_fkey',
      columns: [t.parentTradeId],
      foreignColumns: [parentTrades.id],
    }).onDelete('cascade'),
    foreignKey({ name: 'trades_user_id_fkey', columns: [t.userId], foreignColumns: [users.id] }).onDelete(
      'cascade',
    ),
    foreignKey({ name: 'trades_account_id_fkey', columns: [t.accountId], foreignColumns: [accounts.id] }),
    foreignKey({
      name: 'trades_source_trader_id_fkey',
      columns: [t.sourceTraderId],
      foreignColumns: [users.id],
    }),
    foreignKey({ name: 'trades_source_trade_id_fkey', columns: [t.sourceTradeId], foreignColumns: [t.id] }),
    checkIn('trades_action_check', 'action', ORDER_ACTIONS),
    checkIn('trades_order_type_check', 'order_type', ORDER_TYPES),
    checkIn('trades_status_check', 'status', ORDER_STATUSES),
    checkIn('trades_source_check', 'source', TRADE_SOURCES),
    // Beyond the seed: what the fill trigger relies on.
    check(
      'trades_quantity_check',
      sql`quantity > 0 AND filled_quantity >= 0 AND filled_quantity <= quantity`,
    ),
    check('trades_filled_price_check', sql`COALESCE(filled_quantity, 0) = 0 OR filled_price IS NOT NULL`),
    check(
      'trades_prices_check',
      sql`(limit_price IS NULL OR limit_price > 0) AND (stop_price IS NULL OR stop_price > 0) AND (filled_price IS NULL OR filled_price >= 0)`,
    ),
    index('idx_trades_parent').on(t.parentTradeId),
    index('idx_trades_user').on(t.userId),
    // Order sync scans only the orders still working at the broker.
    index('idx_trades_status').on(t.status).where(sql`status = 'pending'`),
    index('idx_trades_broker_order').on(t.brokerOrderId),
    // One of our orders per broker order: reconciliation adopts an id once, imports are idempotent.
    uniqueIndex('uq_trades_account_broker_order')
      .on(t.accountId, t.brokerOrderId)
      .where(sql`broker_order_id IS NOT NULL`),
    index('idx_trades_source').on(t.source, t.sourceTraderId).where(sql`source = 'copy'`),
    // The copies of one trader's trade, for placement and recovery.
    index('idx_trades_source_trade').on(t.sourceTradeId).where(sql`source_trade_id IS NOT NULL`),
    // A trader position's fills still to fan out, in fill order.
    index('idx_trades_fill_seq').on(t.parentTradeId, t.fillSeq).where(sql`fill_seq IS NOT NULL`),
  ],
);

/** Append-only log of everything that happened to an order, beside the current `trades` row. */
export const orderEvents = pgTable(
  'order_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    tradeId: text('trade_id').notNull(),
    type: text('type', { enum: ORDER_EVENT_TYPES }).notNull(),
    fromStatus: text('from_status', { enum: ORDER_STATUSES }),
    toStatus: text('to_status', { enum: ORDER_STATUSES }),
    filledQuantity: integer('filled_quantity'),
    filledPrice: decimal('filled_price', { precision: 10, scale: 4 }),
    /** Identifies one broker report, so the same report is never applied twice. */
    idempotencyKey: text('idempotency_key'),
    detail: jsonb('detail'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    foreignKey({
      name: 'order_events_trade_id_fkey',
      columns: [t.tradeId],
      foreignColumns: [trades.id],
    }).onDelete('cascade'),
    checkIn('order_events_type_check', 'type', ORDER_EVENT_TYPES),
    index('idx_order_events_trade').on(t.tradeId, t.id),
    uniqueIndex('uq_order_events_idempotency')
      .on(t.tradeId, t.idempotencyKey)
      .where(sql`idempotency_key IS NOT NULL`),
  ],
);

export type ParentTrade = typeof parentTrades.$inferSelect;
export type Trade = typeof trades.$inferSelect;
export type OrderEvent = typeof orderEvents.$inferSelect;
