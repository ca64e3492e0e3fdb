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
  // One index range scan per period (index-only): cheaper than joining every position to
  // every period it falls in.
  const { rows } = await ctx.db.execute<Row>(sql`
    WITH periods AS (
      SELECT p.period, p.n, analytics_period_start(p.period, ${utcTimestamp(now)}) AS start
        FROM unnest(${sql.param([...ANALYTICS_PERIODS])}::text[]) WITH ORDINALITY AS p(period, n)
    )
    SELECT p.period,
           CASE WHEN p.start = '-infinity' THEN NULL ELSE ${isoUtc(sql`p.start`)} END AS period_start,
           x.*
      FROM periods p
     CROSS JOIN LATERAL (
       SELECT count(*)::integer AS closed_positions,
              (count(*) FILTER (WHERE f.result = 'win'))::integer AS wins,
              (count(*) FILTER (WHERE f.result = 'loss'))::integer AS losses,
              COALESCE(sum(f.pnl), 0::numeric(15, 2)) AS total_pnl,
              analytics_ratio(count(*) FILTER (WHERE f.result = 'win'), count(*)) AS win_rate,
              analytics_ratio(sum(f.pnl), sum(f.cost_basis)) AS roi
         FROM analytics_position_facts f
        WHERE f.user_id = ${userId} AND ${sourceMatches(sql`f.source`, source)} AND f.closed_at >= p.start
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
