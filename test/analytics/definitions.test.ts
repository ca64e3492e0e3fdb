/**
 * The closed sets of src/domain/analytics.ts and the SQL that defines their meaning say the
 * same: every period has a start, every result and source the SQL gives is one of the set.
 */
import { describe, expect, it } from 'vitest';
import { ANALYTICS_PERIODS, POSITION_RESULTS, POSITION_SOURCES } from '../../src/domain/analytics';
import { useTestDatabase } from '../helpers/db';

const t = useTestDatabase();

describe('analytics definitions', () => {
  it('give every period of the domain a start, and none to a period it does not know', async () => {
    const { rows } = await t.sql<{ period: string; start: string | null }>(
      `SELECT p AS period, analytics_period_start(p, '2026-07-04 12:00')::text AS start
         FROM unnest($1::text[]) AS p`,
      [[...ANALYTICS_PERIODS, 'fortnight']],
    );
    expect(rows).toEqual([
      { period: '24h', start: '2026-07-03 12:00:00' },
      { period: '7d', start: '2026-06-27 12:00:00' },
      { period: '30d', start: '2026-06-04 12:00:00' },
      { period: '90d', start: '2026-04-05 12:00:00' },
      // Midnight on 1 January in New York (EST, UTC−5).
      { period: 'ytd', start: '2026-01-01 05:00:00' },
      { period: 'all', start: '-infinity' },
      { period: 'fortnight', start: null },
    ]);
  });

  it('name results and sources from the domain sets, and the bucket table accepts only sources', async () => {
    const { rows } = await t.sql<{ results: string[]; sources: string[]; check: string }>(
      `SELECT ARRAY[analytics_position_result(1.00), analytics_position_result(-0.01), analytics_position_result(0)] AS results,
              ARRAY[analytics_position_source(NULL), analytics_position_source('a position')] AS sources,
              (SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'analytics_hourly_source_check') AS check`,
    );
    expect(rows[0]?.results).toEqual([...POSITION_RESULTS]);
    expect(rows[0]?.sources).toEqual([...POSITION_SOURCES]);
    expect([...(rows[0]?.check ?? '').matchAll(/'([^']*)'::text/g)].map((m) => m[1])).toEqual([
      ...POSITION_SOURCES,
    ]);
  });
});
