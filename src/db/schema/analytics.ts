import { sql } from 'drizzle-orm';
import { boolean, check, pgTable } from 'drizzle-orm/pg-core';
import { ts } from './columns';

/**
 * When the analytics materialized views (migration `*_analytics_sql`) last finished refreshing:
 * one row, written by `refresh_analytics()`. Answers carry it as `asOf`. Kept apart from the
 * views: a timestamp on their rows would change every row at every refresh and make
 * `REFRESH … CONCURRENTLY` rewrite them all.
 */
export const analyticsRefreshState = pgTable(
  'analytics_refresh_state',
  {
    id: boolean('id').primaryKey().default(true),
    refreshedAt: ts('refreshed_at').notNull(),
  },
  () => [check('analytics_refresh_state_single_row', sql`id`)],
);
