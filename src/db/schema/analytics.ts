import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  decimal,
  integer,
  pgTable,
  primaryKey,
  smallint,
  text,
} from 'drizzle-orm/pg-core';
import { POSITION_SOURCES } from '../../domain/analytics';
import { checkIn } from '../sql-sets';
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

/**
 * Closed positions per user, source (manual or copied), US/Eastern day and hour of the close:
 * the sums the daily P&L, the cumulative curve, the heatmap and the statistics add up. Kept by a
 * trigger on `parent_trades` (the analytics migration), which adds each position when it
 * closes and takes it back out if it changes or goes, so it is always current and costs
 * nothing to refresh; every column is a sum, so concurrent closes add up row by row. Not a
 * materialized view: refreshing one costs the whole history every time (0.76 s of CPU at
 * 100,000 positions, measured), this costs one row per close.
 */
export const analyticsHourly = pgTable(
  'analytics_hourly',
  {
    userId: text('user_id').notNull(),
    source: text('source', { enum: POSITION_SOURCES }).notNull(),
    day: date('day').notNull(),
    hour: smallint('hour').notNull(),
    closedPositions: integer('closed_positions').notNull(),
    wins: integer('wins').notNull(),
    losses: integer('losses').notNull(),
    pnl: decimal('pnl', { precision: 18, scale: 2 }).notNull(),
    costBasis: decimal('cost_basis', { precision: 18, scale: 2 }).notNull(),
    grossWins: decimal('gross_wins', { precision: 18, scale: 2 }).notNull(),
    holdSeconds: bigint('hold_seconds', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'analytics_hourly_pkey', columns: [t.userId, t.source, t.day, t.hour] }),
    checkIn('analytics_hourly_source_check', 'source', POSITION_SOURCES),
  ],
);
