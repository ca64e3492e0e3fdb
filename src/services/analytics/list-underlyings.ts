import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { AnalyticsSource } from '../../domain/analytics';
import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import { closedOnDays } from './range';
import { type DecimalFigure, isoDateSchema, sourceMatches, sourceSchema } from './sql';

export const underlyingsQuerySchema = z.object({
  source: sourceSchema,
  from: isoDateSchema,
  to: isoDateSchema,
});

export type UnderlyingFigures = {
  underlying: string;
  closedPositions: number;
  wins: number;
  losses: number;
  totalPnl: string;
  totalCostBasis: string;
  winRate: DecimalFigure;
  roi: DecimalFigure;
  averagePnl: DecimalFigure;
};

/**
 * The signed-in user's figures per underlying (best total P&L first), optionally for positions
 * closed on the Eastern days from … to. Read live from the positions.
 */
export async function listUnderlyingStatistics({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: unknown;
}): Promise<{
  source: AnalyticsSource;
  underlyings: UnderlyingFigures[];
}> {
  const userId = requireUser(ctx);
  const query = parseInput(underlyingsQuerySchema, input ?? {});
  const conditions = [
    sql`f.user_id = ${userId}`,
    sourceMatches(sql`f.source`, query.source),
    ...closedOnDays(sql`f.closed_at`, query),
  ];
  const { rows } = await ctx.db.execute<{
    underlying: string;
    closed_positions: number;
    wins: number;
    losses: number;
    total_pnl: string;
    total_cost_basis: string;
    win_rate: string | null;
    roi: string | null;
    average_pnl: string | null;
  }>(sql`
    SELECT f.underlying,
           count(*)::integer AS closed_positions,
           (count(*) FILTER (WHERE f.result = 'win'))::integer AS wins,
           (count(*) FILTER (WHERE f.result = 'loss'))::integer AS losses,
           sum(f.pnl) AS total_pnl,
           sum(f.cost_basis) AS total_cost_basis,
           analytics_ratio(count(*) FILTER (WHERE f.result = 'win'), count(*)) AS win_rate,
           analytics_ratio(sum(f.pnl), sum(f.cost_basis)) AS roi,
           analytics_average(sum(f.pnl), count(*)) AS average_pnl
      FROM analytics_position_facts f
     WHERE ${sql.join(conditions, sql` AND `)}
     GROUP BY f.underlying
     ORDER BY sum(f.pnl) DESC, f.underlying`);
  return {
    source: query.source,
    underlyings: rows.map((r) => ({
      underlying: r.underlying,
      closedPositions: r.closed_positions,
      wins: r.wins,
      losses: r.losses,
      totalPnl: r.total_pnl,
      totalCostBasis: r.total_cost_basis,
      winRate: r.win_rate,
      roi: r.roi,
      averagePnl: r.average_pnl,
    })),
  };
}
