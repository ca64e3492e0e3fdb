import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client';
import {
  type AnalyticsSource,
  CLOSED_POSITION_SORTS,
  type ClosedPositionSort,
  POSITION_RESULTS,
  type PositionResult,
  SORT_ORDERS,
  type SortOrder,
} from '../../domain/analytics';
import type { OptionType } from '../../domain/occ';
import type { PositionStatus } from '../../domain/vocabulary';
import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import { decodeSortCursor, encodeSortCursor } from './keyset';
import { closedOnDays } from './range';
import { type DecimalFigure, isoDateSchema, isoUtc, sourceMatches, sourceSchema } from './sql';

export const closedPositionsQuerySchema = z.object({
  source: sourceSchema,
  underlying: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{1,6}$/, 'must be a ticker of 1 to 6 letters')
    .optional(),
  result: z.enum(POSITION_RESULTS, 'must be win, loss or even').optional(),
  from: isoDateSchema,
  to: isoDateSchema,
  sort: z.enum(CLOSED_POSITION_SORTS, 'must be closedAt, pnl or pnlPercent').default('closedAt'),
  order: z.enum(SORT_ORDERS, 'must be desc or asc').default('desc'),
  limit: z.coerce.number('must be a whole number from 1 to 200').int().min(1).max(200).default(50),
  cursor: z.string().optional(),
});

/** A closed (or expired) position with its facts (analytics_position_facts). */
export type ClosedPosition = {
  id: string;
  symbol: string;
  underlying: string;
  optionType: OptionType;
  strike: string;
  expiration: string;
  status: PositionStatus;
  source: 'manual' | 'copied';
  copiedFromPositionId: string | null;
  quantity: number;
  averageEntryPrice: DecimalFigure;
  costBasis: string;
  proceeds: string;
  pnl: string;
  /** P&L over cost basis, in percent (null when nothing was paid). */
  pnlPercent: DecimalFigure;
  result: PositionResult;
  openedAt: string | null;
  closedAt: string;
  /** The Eastern day of the close. */
  closeDay: string;
  holdSeconds: number | null;
};

type Row = {
  position_id: string;
  symbol: string;
  underlying: string;
  option_type: OptionType;
  strike: string;
  expiration: string;
  status: PositionStatus;
  source: 'manual' | 'copied';
  copied_from_position_id: string | null;
  quantity: number;
  avg_entry_price: string | null;
  cost_basis: string;
  proceeds: string;
  pnl: string;
  pnl_percent: string | null;
  result: PositionResult;
  opened_at: string | null;
  closed_at: string;
  close_day: string;
  hold_seconds: number | null;
  /** The sort column as text, for the cursor. */
  sort_value: string | null;
};

/** The column each sort orders by; each has an index beside the user (the analytics migration). */
const SORT_COLUMN: Record<ClosedPositionSort, SQL> = {
  closedAt: sql`f.closed_at`,
  pnl: sql`f.pnl`,
  pnlPercent: sql`f.pnl_percent`,
};

/** What a sort value looks like in a cursor: PostgreSQL's text of a timestamp, or of a decimal. */
const SORT_VALUE: Record<ClosedPositionSort, RegExp> = {
  closedAt: /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$/,
  pnl: /^-?\d{1,13}(\.\d{1,2})?$/,
  pnlPercent: /^-?\d{1,20}(\.\d{1,4})?$/,
};

/**
 * The rows after the cursor in the page's order. PostgreSQL's own null placement is kept
 * (nulls last ascending, first descending) so the indexes serve both orders: a position with
 * no P&L % sorts as the highest.
 */
function afterCursor(column: SQL, sort: ClosedPositionSort, order: SortOrder, cursor: string): SQL {
  const { value, id } = decodeSortCursor(cursor, SORT_VALUE[sort], sort === 'pnlPercent');
  const cast = sort === 'closedAt' ? sql`::timestamp` : sql`::numeric`;
  if (value === null) {
    return order === 'desc'
      ? sql`((${column} IS NULL AND f.position_id < ${id}) OR ${column} IS NOT NULL)`
      : sql`(${column} IS NULL AND f.position_id > ${id})`;
  }
  const bound = sql`${value}${cast}`;
  return order === 'desc'
    ? sql`(${column}, f.position_id) < (${bound}, ${id})`
    : sql`((${column}, f.position_id) > (${bound}, ${id}) OR ${column} IS NULL)`;
}

/**
 * The signed-in user's closed positions, a page at a time: filtered by source, underlying,
 * result and Eastern close days (from … to, inclusive), sorted by close time, P&L or P&L %.
 * Read live from the positions.
 */
export async function listClosedPositions({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<{
  source: AnalyticsSource;
  positions: ClosedPosition[];
  nextCursor: string | null;
}> {
  const userId = requireUser(ctx);
  const query = parseInput(closedPositionsQuerySchema, input ?? {});
  return { source: query.source, ...(await selectClosedPositions(ctx.db, userId, query)) };
}

/** A page of a user's closed positions; the caller has decided who may see them. */
export async function selectClosedPositions(
  db: Executor,
  userId: string,
  query: z.output<typeof closedPositionsQuerySchema>,
): Promise<{ positions: ClosedPosition[]; nextCursor: string | null }> {
  const column = SORT_COLUMN[query.sort];
  const direction = query.order === 'desc' ? sql.raw('DESC') : sql.raw('ASC');
  const conditions: SQL[] = [sql`f.user_id = ${userId}`, sourceMatches(sql`f.source`, query.source)];
  if (query.underlying) conditions.push(sql`f.underlying = ${query.underlying}`);
  if (query.result) conditions.push(sql`f.result = ${query.result}`);
  conditions.push(...closedOnDays(sql`f.closed_at`, query));
  if (query.cursor) conditions.push(afterCursor(column, query.sort, query.order, query.cursor));

  const { rows } = await db.execute<Row>(sql`
    SELECT f.position_id, f.symbol, f.underlying, f.option_type, f.strike, f.expiration::text AS expiration,
           f.status, f.source, f.copied_from_position_id, f.quantity, f.avg_entry_price, f.cost_basis,
           f.proceeds, f.pnl, f.pnl_percent, f.result, ${isoUtc(sql`f.opened_at`)} AS opened_at,
           ${isoUtc(sql`f.closed_at`)} AS closed_at, f.closed_at_eastern::date::text AS close_day,
           f.hold_seconds::integer AS hold_seconds, ${column}::text AS sort_value
      FROM analytics_position_facts f
     WHERE ${sql.join(conditions, sql` AND `)}
     ORDER BY ${column} ${direction}, f.position_id ${direction}
     LIMIT ${query.limit + 1}`);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    positions: page.map((r) => ({
      id: r.position_id,
      symbol: r.symbol,
      underlying: r.underlying,
      optionType: r.option_type,
      strike: r.strike,
      expiration: r.expiration,
      status: r.status,
      source: r.source,
      copiedFromPositionId: r.copied_from_position_id,
      quantity: r.quantity,
      averageEntryPrice: r.avg_entry_price,
      costBasis: r.cost_basis,
      proceeds: r.proceeds,
      pnl: r.pnl,
      pnlPercent: r.pnl_percent,
      result: r.result,
      openedAt: r.opened_at,
      closedAt: r.closed_at,
      closeDay: r.close_day,
      holdSeconds: r.hold_seconds,
    })),
    nextCursor:
      rows.length > query.limit && last ? encodeSortCursor(last.sort_value, last.position_id) : null,
  };
}
