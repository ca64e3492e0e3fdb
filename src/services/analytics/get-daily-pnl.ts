import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { type AnalyticsSource, CALENDAR_INTERVALS, type CalendarInterval } from '../../domain/analytics';
import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import { dateRange } from './range';
import { isoDateSchema, sourceMatches, sourceSchema } from './sql';

export const dailyPnlQuerySchema = z.object({
  source: sourceSchema,
  from: isoDateSchema,
  to: isoDateSchema,
  interval: z.enum(CALENDAR_INTERVALS, 'must be day or week').default('day'),
});

/** A range the calendar answers at once: 90 days unless told, never more than about 3 years. */
export const CALENDAR_DEFAULT_DAYS = 90;
export const CALENDAR_MAX_DAYS = 1_100;

export type CalendarEntry = {
  /** The Eastern day, or the Monday of the Eastern week. */
  date: string;
  closedPositions: number;
  wins: number;
  losses: number;
  pnl: string;
};

type Row = { date: string | null; closed_positions: number; wins: number; losses: number; pnl: string };

/**
 * Realised P&L per Eastern day (or Monday-to-Sunday week, cut at the range's ends) from `from`
 * to `to` inclusive: only days with a close are listed. With the range's totals.
 */
export async function getDailyPnl({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<{
  source: AnalyticsSource;
  interval: CalendarInterval;
  from: string;
  to: string;
  asOf: string;
  entries: CalendarEntry[];
  totals: Omit<CalendarEntry, 'date'>;
}> {
  const userId = requireUser(ctx);
  const query = parseInput(dailyPnlQuerySchema, input ?? {});
  const { from, to } = dateRange(query, ctx.now(), {
    defaultDays: CALENDAR_DEFAULT_DAYS,
    maxDays: CALENDAR_MAX_DAYS,
  });
  const bucket = query.interval === 'week' ? sql`date_trunc('week', h.day)::date` : sql`h.day`;
  const asOf = ctx.now().toISOString();
  const { rows } = await ctx.db.execute<Row>(sql`
    SELECT ${bucket}::text AS date, COALESCE(sum(h.closed_positions), 0)::integer AS closed_positions,
           COALESCE(sum(h.wins), 0)::integer AS wins, COALESCE(sum(h.losses), 0)::integer AS losses,
           COALESCE(sum(h.pnl), 0::numeric(15, 2)) AS pnl
      FROM analytics_hourly h
     WHERE h.user_id = ${userId} AND ${sourceMatches(sql`h.source`, query.source)}
       AND h.day BETWEEN ${from}::date AND ${to}::date
     GROUP BY ROLLUP (1)
     ORDER BY 1 NULLS LAST`);
  // ROLLUP adds the range's totals as a last row without a date (zeros when nothing closed).
  const figures = (r: Row) => ({
    closedPositions: r.closed_positions,
    wins: r.wins,
    losses: r.losses,
    pnl: r.pnl,
  });
  const entries = rows.flatMap((r) => (r.date === null ? [] : [{ date: r.date, ...figures(r) }]));
  const total = rows.find((r) => r.date === null);
  return {
    source: query.source,
    interval: query.interval,
    from,
    to,
    asOf,
    entries,
    totals: total ? figures(total) : { closedPositions: 0, wins: 0, losses: 0, pnl: '0.00' },
  };
}
