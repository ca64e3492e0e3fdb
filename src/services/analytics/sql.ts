import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client';
import { ANALYTICS_SOURCES, type AnalyticsSource } from '../../domain/analytics';
import { isIsoDate } from '../../domain/civil-date';

/**
 * Pieces the analytics services share. The figures themselves are defined in SQL (the analytics
 * migration); these only read them.
 */

/** `source` of every per-user analytics query: all positions (default), manual or copied. */
export const sourceSchema = z.enum(ANALYTICS_SOURCES, 'must be all, manual or copied').default('all');

/** An Eastern calendar date in a query (`2026-11-24`). */
export const isoDateSchema = z.iso
  .date('must be a date written YYYY-MM-DD')
  .refine(isIsoDate, 'must be a date written YYYY-MM-DD')
  .optional();

/** Rows of `column` (a row's `source`, manual or copied) that `source` selects. */
export function sourceMatches(column: SQL, source: AnalyticsSource): SQL {
  return sql`(${source}::text = 'all' OR ${column} = ${source}::text)`;
}

/** A UTC wall-clock TIMESTAMP as the ISO 8601 instant JSON carries (millisecond precision). */
export function isoUtc(column: SQL): SQL<string | null> {
  return sql<string | null>`to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** `now` as the UTC wall-clock TIMESTAMP the columns hold. */
export function utcTimestamp(now: Date): SQL {
  return sql`${now.toISOString()}::timestamptz AT TIME ZONE 'UTC'`;
}

/**
 * When the materialized views last finished refreshing (null before the first refresh):
 * figures read from them are as of this instant.
 */
export async function analyticsAsOf(db: Executor): Promise<string | null> {
  const { rows } = await db.execute<{ as_of: string | null }>(
    sql`SELECT ${isoUtc(sql`refreshed_at`)} AS as_of FROM analytics_refresh_state`,
  );
  return rows[0]?.as_of ?? null;
}

/** A count PostgreSQL may hand over as a string (bigint). */
export function count(value: number | string | null | undefined): number {
  return Number(value ?? 0);
}

/** A decimal figure as the API writes it: a string, or null when there is no figure. */
export type DecimalFigure = string | null;
