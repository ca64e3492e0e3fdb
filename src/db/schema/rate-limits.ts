import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { ts } from './columns';

/** Fixed-window counters, one row per key (for example `sign-in:ip:1.2.3.4`). */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  count: integer('count').default(1),
  resetAt: ts('reset_at').notNull(),
  createdAt: ts('created_at').defaultNow(),
});
