import { decimal, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { ts } from './columns';

/** Fixed-window counters, one row per key (for example `sign-in:ip:1.2.3.4`). */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  count: integer('count').default(1),
  resetAt: ts('reset_at').notNull(),
  createdAt: ts('created_at').defaultNow(),
});

/**
 * Token buckets shared by every process of the deployment (PRODUCT.md §1a, SnapTrade's limits):
 * one row per key (`snaptrade:requests:<client id>`, `snaptrade:trades:<account>`), refilled and
 * drawn in one atomic statement against the database's clock.
 */
export const rateBudgets = pgTable('rate_budgets', {
  key: text('key').primaryKey(),
  tokens: decimal('tokens', { precision: 16, scale: 6 }).notNull(),
  refilledAt: ts('refilled_at').notNull(),
});
