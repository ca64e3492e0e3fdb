import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import {
  LEADERBOARD_PERIODS,
  LEADERBOARD_SORTS,
  type LeaderboardPeriod,
  type LeaderboardSort,
  SORT_ORDERS,
  type SortOrder,
} from '../../domain/analytics';
import { decodeSortCursor, encodeSortCursor } from '../analytics/keyset';
import { analyticsAsOf, type DecimalFigure } from '../analytics/sql';
import type { ServiceContext } from '../context';
import { parseInput } from '../parse-input';

export const listTradersQuerySchema = z.object({
  period: z.enum(LEADERBOARD_PERIODS, 'must be 24h, 7d, 30d or all').default('all'),
  sort: z.enum(LEADERBOARD_SORTS, `must be one of ${LEADERBOARD_SORTS.join(', ')}`).default('pnl'),
  order: z.enum(SORT_ORDERS, 'must be desc or asc').default('desc'),
  q: z.string().trim().min(1, 'must not be empty').max(50, 'must be at most 50 characters').optional(),
  limit: z.coerce.number('must be a whole number from 1 to 100').int().min(1).max(100).default(25),
  cursor: z.string().optional(),
});

/** A trader as the leaderboard shows them: their own trading (manual positions) only. */
export type LeaderboardEntry = {
  /** Position on the whole leaderboard by the sort figure, highest first; ties share a rank. */
  rank: number;
  /**
   * Places moved on the all-time P&L board over the last 24 hours (+2: up two places): the rank
   * now against the rank by the P&L before the last 24 hours' closes. Only when the board is
   * ranked by all-time P&L (null otherwise: the other figures' past is not kept).
   */
  rankChange: number | null;
  id: string;
  username: string | null;
  name: string | null;
  avatarUrl: string | null;
  verified: boolean;
  /** Active subscriptions to the trader. */
  followers: number;
  /** Over the period: */
  closedPositions: number;
  winRate: DecimalFigure;
  pnl: string;
  averagePnl: DecimalFigure;
  /** Whatever the period: */
  totalPnl: string;
  pnl24h: string;
  pnl7d: string;
  pnl30d: string;
};

/** The leaderboard view's columns for each period's figures (analytics_leaderboard). */
const PERIOD_COLUMNS: Record<
  LeaderboardPeriod,
  { closed: string; winRate: string; pnl: string; average: string }
> = {
  all: { closed: 'closed_positions', winRate: 'win_rate', pnl: 'total_pnl', average: 'average_pnl' },
  '24h': {
    closed: 'closed_positions_24h',
    winRate: 'win_rate_24h',
    pnl: 'pnl_24h',
    average: 'average_pnl_24h',
  },
  '7d': { closed: 'closed_positions_7d', winRate: 'win_rate_7d', pnl: 'pnl_7d', average: 'average_pnl_7d' },
  '30d': {
    closed: 'closed_positions_30d',
    winRate: 'win_rate_30d',
    pnl: 'pnl_30d',
    average: 'average_pnl_30d',
  },
};

/** The board's column each sort orders by (see the query below). */
const SORT_COLUMN: Record<LeaderboardSort, string> = {
  pnl: 'pnl',
  winRate: 'win_rate',
  averagePnl: 'average_pnl',
  closedPositions: 'closed_positions',
  followers: 'followers',
  totalPnl: 'total_pnl',
  pnl24h: 'pnl_24h',
  pnl7d: 'pnl_7d',
  pnl30d: 'pnl_30d',
};

type Row = {
  rank: number;
  previous_rank: number;
  id: string;
  username: string | null;
  name: string | null;
  avatar_url: string | null;
  verified: boolean;
  followers: number;
  closed_positions: number;
  win_rate: string | null;
  pnl: string;
  average_pnl: string | null;
  total_pnl: string;
  pnl_24h: string;
  pnl_7d: string;
  pnl_30d: string;
  sort_value: string | null;
};

/** A sort figure in a cursor: a count, an amount or a ratio as PostgreSQL writes it. */
const NUMBER = /^-?\d{1,15}(\.\d{1,4})?$/;

/**
 * Rows after the cursor in the page's order: by the sort figure (traders without one, such as
 * a win rate with no closed position, last), then by id.
 */
function afterCursor(order: SortOrder, cursor: string): SQL {
  const { value, id } = decodeSortCursor(cursor, NUMBER, true);
  if (value === null) return sql`(sort_value IS NULL AND id > ${id})`;
  const beyond = order === 'desc' ? sql`sort_value < ${value}::numeric` : sql`sort_value > ${value}::numeric`;
  return sql`(sort_value IS NULL OR ${beyond} OR (sort_value = ${value}::numeric AND id > ${id}))`;
}

/** `%text%` for ILIKE, with the pattern characters in `text` taken literally. */
function containing(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Trader discovery and the leaderboard (PRODUCT.md §5). Public. Every active trader: users who
 * are traders and not deleted, decided at the time of the request; their figures come from the
 * materialized leaderboard (as of `asOf`), followers are counted live. Ranked by the sort figure
 * over the whole board, then optionally searched by username, a page at a time.
 */
export async function listTraders({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<{
  period: LeaderboardPeriod;
  sort: LeaderboardSort;
  order: SortOrder;
  asOf: string | null;
  traders: LeaderboardEntry[];
  nextCursor: string | null;
}> {
  const query = parseInput(listTradersQuerySchema, input ?? {});
  const period = PERIOD_COLUMNS[query.period];
  const column = (name: string) => sql.raw(`l.${name}`);
  const sortColumn = sql.raw(SORT_COLUMN[query.sort]);
  const direction = sql.raw(query.order === 'desc' ? 'DESC' : 'ASC');
  const conditions: SQL[] = [sql`TRUE`];
  if (query.q) conditions.push(sql`username ILIKE ${containing(query.q)}`);
  if (query.cursor) conditions.push(afterCursor(query.order, query.cursor));

  const [{ rows }, asOf] = await Promise.all([
    ctx.db.execute<Row>(sql`
      WITH followers AS (
        SELECT trader_id, count(*)::integer AS followers
          FROM subscriptions WHERE status = 'active'
         GROUP BY trader_id
      ), board AS (
        SELECT u.id, u.username, u.name, u.avatar_url, u.trader_verified_at IS NOT NULL AS verified,
               COALESCE(fl.followers, 0) AS followers,
               COALESCE(${column(period.closed)}, 0) AS closed_positions,
               ${column(period.winRate)} AS win_rate,
               COALESCE(${column(period.pnl)}, 0::numeric(15, 2)) AS pnl,
               ${column(period.average)} AS average_pnl,
               COALESCE(l.total_pnl, 0::numeric(15, 2)) AS total_pnl,
               COALESCE(l.pnl_24h, 0::numeric(15, 2)) AS pnl_24h,
               COALESCE(l.pnl_7d, 0::numeric(15, 2)) AS pnl_7d,
               COALESCE(l.pnl_30d, 0::numeric(15, 2)) AS pnl_30d
          FROM users u
          LEFT JOIN analytics_leaderboard l ON l.user_id = u.id
          LEFT JOIN followers fl ON fl.trader_id = u.id
         WHERE u.is_trader IS TRUE AND u.deleted_at IS NULL
      ), ranked AS (
        SELECT b.*, b.${sortColumn}::numeric AS sort_value,
               (rank() OVER (ORDER BY b.${sortColumn} DESC NULLS LAST))::integer AS rank,
               (rank() OVER (ORDER BY b.total_pnl - b.pnl_24h DESC))::integer AS previous_rank
          FROM board b
      )
      SELECT * FROM ranked
       WHERE ${sql.join(conditions, sql` AND `)}
       ORDER BY sort_value IS NULL, sort_value ${direction}, id
       LIMIT ${query.limit + 1}`),
    analyticsAsOf(ctx.db),
  ]);
  const page = rows.slice(0, query.limit);
  const byAllTimePnl = query.sort === 'totalPnl' || (query.sort === 'pnl' && query.period === 'all');
  const last = page.at(-1);
  return {
    period: query.period,
    sort: query.sort,
    order: query.order,
    asOf,
    traders: page.map((r) => ({
      rank: r.rank,
      rankChange: byAllTimePnl ? r.previous_rank - r.rank : null,
      id: r.id,
      username: r.username,
      name: r.name,
      avatarUrl: r.avatar_url,
      verified: r.verified,
      followers: r.followers,
      closedPositions: r.closed_positions,
      winRate: r.win_rate,
      pnl: r.pnl,
      averagePnl: r.average_pnl,
      totalPnl: r.total_pnl,
      pnl24h: r.pnl_24h,
      pnl7d: r.pnl_7d,
      pnl30d: r.pnl_30d,
    })),
    nextCursor: rows.length > query.limit && last ? encodeSortCursor(last.sort_value, last.id) : null,
  };
}
