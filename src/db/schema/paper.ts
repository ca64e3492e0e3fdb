import { sql } from 'drizzle-orm';
import {
  check,
  decimal,
  foreignKey,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  unique,
} from 'drizzle-orm/pg-core';
import { ORDER_STATUSES, WORKING_ORDER_STATUSES } from '../../domain/order-status';
import { ORDER_ACTIONS, ORDER_TYPES, TIMES_IN_FORCE } from '../../domain/vocabulary';
import { sqlSet } from '../sql-sets';
import { accounts } from './accounts';
import { nanoidPk, ts } from './columns';

/**
 * The built-in paper broker's own books. They play the part of the brokerage's systems: the
 * app reads them only through the Broker port, as it would a real broker.
 */
export const paperAccounts = pgTable(
  'paper_accounts',
  {
    accountId: text('account_id').primaryKey(),
    cash: decimal('cash', { precision: 15, scale: 2 }).notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    foreignKey({
      name: 'paper_accounts_account_id_fkey',
      columns: [t.accountId],
      foreignColumns: [accounts.id],
    }).onDelete('cascade'),
    check('paper_accounts_cash_check', sql`cash >= 0`),
  ],
);

export const paperOrders = pgTable(
  'paper_orders',
  {
    id: nanoidPk(),
    accountId: text('account_id').notNull(),
    clientOrderId: text('client_order_id'),
    symbol: text('symbol').notNull(),
    side: text('side', { enum: ORDER_ACTIONS }).notNull(),
    quantity: integer('quantity').notNull(),
    orderType: text('order_type', { enum: ORDER_TYPES }).notNull(),
    limitPrice: decimal('limit_price', { precision: 10, scale: 4 }),
    stopPrice: decimal('stop_price', { precision: 10, scale: 4 }),
    timeInForce: text('time_in_force', { enum: TIMES_IN_FORCE }).notNull().default('Day'),
    status: text('status', { enum: ORDER_STATUSES }).notNull(),
    filledQuantity: integer('filled_quantity').notNull().default(0),
    averageFillPrice: decimal('average_fill_price', { precision: 10, scale: 4 }),
    /** A Stop or StopLimit order whose stop price has been reached. */
    triggeredAt: ts('triggered_at'),
    reason: text('reason'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    foreignKey({
      name: 'paper_orders_account_id_fkey',
      columns: [t.accountId],
      foreignColumns: [accounts.id],
    }).onDelete('cascade'),
    unique('paper_orders_account_id_client_order_id_key').on(t.accountId, t.clientOrderId),
    check(
      'paper_orders_quantity_check',
      sql`quantity > 0 AND filled_quantity >= 0 AND filled_quantity <= quantity`,
    ),
    // Working orders are re-evaluated against the quote on every read.
    index('idx_paper_orders_working')
      .on(t.accountId)
      .where(sql`status IN ${sqlSet(WORKING_ORDER_STATUSES)}`),
    index('idx_paper_orders_account').on(t.accountId, t.createdAt),
  ],
);

export const paperPositions = pgTable(
  'paper_positions',
  {
    accountId: text('account_id').notNull(),
    symbol: text('symbol').notNull(),
    quantity: integer('quantity').notNull(),
    /** Σ quantity × price of the contracts held, per contract (not × 100). */
    cost: decimal('cost', { precision: 18, scale: 6 }).notNull(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'paper_positions_pkey', columns: [t.accountId, t.symbol] }),
    foreignKey({
      name: 'paper_positions_account_id_fkey',
      columns: [t.accountId],
      foreignColumns: [accounts.id],
    }).onDelete('cascade'),
    check('paper_positions_quantity_check', sql`quantity >= 0`),
  ],
);
