import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { ANALYTICS_PERIODS, type AnalyticsPeriod, type AnalyticsSource } from '../../domain/analytics';
import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import { type DecimalFigure, isoUtc, sourceMatches, sourceSchema, utcTimestamp } from './sql';

export const periodsQuerySchema = z.object({ source: sourceSchema });

export type PeriodFigures = {
  period: AnalyticsPeriod;
  /** Where the period starts (null for all). */
  from: string | null;
  closedPositions: number;
  wins: number;
  losses: number;
  totalPnl: string;
  winRate: DecimalFigure;
  roi: DecimalFigure;
};

type Row = {
  period: AnalyticsPeriod;
  period_start: string | null;
  closed_positions: number;
  wins: number;
  losses: number;
  total_pnl: string;
  win_rate: string | null;
  roi: string | null;
};

/**
 * P&L and closed positions over the last 24 hours, 7, 30 and 90 days, the year to date (from 1
 * January in New York) and all time, at this instant: read live from the positions, one pass.
 */
export async function getAnalyticsPeriods({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<{
  source: AnalyticsSource;
  asOf: string;
  periods: PeriodFigures[];
}> {
  const userId = requireUser(ctx);
  const { source } = parseInput(periodsQuerySchema, input ?? {});
  const now = ctx.now();
  // A period that starts at midnight in New York (the year, all time) adds up the hourly
  // buckets, exactly; one that starts mid-hour (24 hours … 90 days back from now) reads the
  // positions closed since, by an index range scan. Each period is one of the two.
  const { rows } = await ctx.db.execute<Row>(sql`
    WITH periods AS (
      SELECT p.period, p.n, s.start,
             s.start = '-infinity'
               OR analytics_eastern(s.start) = date_trunc('day', analytics_eastern(s.start)) AS whole_days
        FROM unnest(${sql.param([...ANALYTICS_PERIODS])}::text[]) WITH ORDINALITY AS p(period, n)
       CROSS JOIN LATERAL (SELECT analytics_period_start(p.period, ${utcTimestamp(now)}) AS start) s
    )
    SELECT p.period,
           CASE WHEN p.start = '-infinity' THEN NULL ELSE ${isoUtc(sql`p.start`)} END AS period_start,
           x.*
      FROM periods p
     CROSS JOIN LATERAL (
       SELECT count(*)::integer AS closed_positions,
              (count(*) FILTER (WHERE f.result = 'win'))::integer AS wins,
              (count(*) FILTER (WHERE f.result = 'loss'))::integer AS losses,
              COALESCE(sum(f.pnl), 0.00) AS total_pnl,
              analytics_ratio(count(*) FILTER (WHERE f.result = 'win'), count(*)) AS win_rate,
              analytics_ratio(sum(f.pnl), sum(f.cost_basis)) AS roi
         FROM analytics_position_facts f
        WHERE NOT p.whole_days AND f.user_id = ${userId} AND ${sourceMatches(sql`f.source`, source)}
          AND f.closed_at >= p.start
       HAVING NOT p.whole_days
       UNION ALL
       SELECT COALESCE(sum(h.closed_positions), 0)::integer, COALESCE(sum(h.wins), 0)::integer,
              COALESCE(sum(h.losses), 0)::integer, COALESCE(sum(h.pnl), 0.00),
              analytics_ratio(sum(h.wins), sum(h.closed_positions)), analytics_ratio(sum(h.pnl), sum(h.cost_basis))
         FROM analytics_hourly h
        WHERE p.whole_days AND h.user_id = ${userId} AND ${sourceMatches(sql`h.source`, source)}
          AND h.day >= analytics_eastern(p.start)::date
       HAVING p.whole_days
     ) x
     ORDER BY p.n`);
  return {
    source,
    asOf: now.toISOString(),
    periods: rows.map((r) => ({
      period: r.period,
      from: r.period_start,
      closedPositions: r.closed_positions,
      wins: r.wins,
      losses: r.losses,
      totalPnl: r.total_pnl,
      winRate: r.win_rate,
      roi: r.roi,
    })),
  };
}
