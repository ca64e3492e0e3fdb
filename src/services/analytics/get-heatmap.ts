import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { AnalyticsSource } from '../../domain/analytics';
import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import { isoDateSchema, sourceMatches, sourceSchema } from './sql';

export const heatmapQuerySchema = z.object({ source: sourceSchema, from: isoDateSchema, to: isoDateSchema });

export type HeatmapCell = {
  /** ISO weekday of the Eastern close: 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** Eastern hour of the close, 0–23. */
  hour: number;
  closedPositions: number;
  wins: number;
  losses: number;
  pnl: string;
};

/**
 * P&L and count of closed positions by Eastern weekday and hour of their close (only the cells
 * with a close), optionally for the Eastern days from … to.
 */
export async function getHeatmap({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<{
  source: AnalyticsSource;
  asOf: string;
  cells: HeatmapCell[];
}> {
  const userId = requireUser(ctx);
  const query = parseInput(heatmapQuerySchema, input ?? {});
  const asOf = ctx.now().toISOString();
  const { rows } = await ctx.db.execute<{
    weekday: number;
    hour: number;
    closed_positions: number;
    wins: number;
    losses: number;
    pnl: string;
  }>(sql`
    SELECT EXTRACT(ISODOW FROM h.day)::integer AS weekday, h.hour,
           sum(h.closed_positions)::integer AS closed_positions, sum(h.wins)::integer AS wins,
           sum(h.losses)::integer AS losses, sum(h.pnl) AS pnl
      FROM analytics_hourly h
     WHERE h.user_id = ${userId} AND ${sourceMatches(sql`h.source`, query.source)}
       AND (${query.from ?? null}::date IS NULL OR h.day >= ${query.from ?? null}::date)
       AND (${query.to ?? null}::date IS NULL OR h.day <= ${query.to ?? null}::date)
     GROUP BY 1, 2
     ORDER BY 1, 2`);
  return {
    source: query.source,
    asOf,
    cells: rows.map((r) => ({
      weekday: r.weekday,
      hour: r.hour,
      closedPositions: r.closed_positions,
      wins: r.wins,
      losses: r.losses,
      pnl: r.pnl,
    })),
  };
}
