import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import type { AnalyticsSource } from '../../domain/analytics';

/** One Eastern day of the cumulative curve. */
export type CurvePoint = {
  date: string;
  /** Realised P&L of the positions closed that day. */
  pnl: string;
  closedPositions: number;
  /** Realised P&L from the first close to the end of that day. */
  cumulativePnl: string;
  /** How far the curve is below its highest point so far (0 included). */
  drawdown: string;
};

/** The user's curve (analytics_curve), optionally only the days from … to (Eastern dates). */
export async function loadCurve(
  db: Executor,
  userId: string,
  source: AnalyticsSource,
  range: { from?: string; to?: string } = {},
): Promise<CurvePoint[]> {
  const { rows } = await db.execute<{
    day: string;
    pnl: string;
    closed_positions: number;
    cumulative_pnl: string;
    drawdown: string;
  }>(sql`
    SELECT c.day::text AS day, c.pnl, c.closed_positions, c.cumulative_pnl, c.drawdown
      FROM analytics_curve(${userId}, ${source}) c
     WHERE (${range.from ?? null}::date IS NULL OR c.day >= ${range.from ?? null}::date)
       AND (${range.to ?? null}::date IS NULL OR c.day <= ${range.to ?? null}::date)
     ORDER BY c.day`);
  return rows.map((r) => ({
    date: r.day,
    pnl: r.pnl,
    closedPositions: r.closed_positions,
    cumulativePnl: r.cumulative_pnl,
    drawdown: r.drawdown,
  }));
}
