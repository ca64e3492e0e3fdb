import { and, asc, desc, eq, inArray, lt, or, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { type ParentTrade, parentTrades, trades } from '../../db/schema';
import { CLOSED_POSITION_STATUSES } from '../../domain/vocabulary';
import { AppError } from '../../errors';
import { requireUser, type ServiceContext } from '../context';
import { decodeCursor, encodeCursor } from '../cursor';
import { parseInput } from '../parse-input';
import { orderColumns, toOrderView } from './list-orders';

export const listPositionsSchema = z.object({
  status: z.enum(['open', 'closed', 'all']).default('open'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().optional(),
});

/** A position as the API shows it: quantities held and P&L from the database's fold. */
export function toPositionView(p: ParentTrade) {
  return {
    id: p.id,
    symbol: p.symbol,
    underlying: p.underlying,
    optionType: p.optionType,
    strike: p.strike,
    expiration: p.expiration,
    status: p.status,
    boughtQuantity: p.boughtQuantity,
    soldQuantity: p.soldQuantity,
    openQuantity: p.boughtQuantity - p.soldQuantity,
    averageEntryPrice: p.avgEntryPrice,
    totalCostBasis: p.totalCostBasis,
    totalProceeds: p.totalProceeds,
    realizedPnl: p.totalPnl,
    copiedFromPositionId: p.sourceParentTradeId,
    openedAt: p.openedAt,
    closedAt: p.closedAt,
  };
}

/** Open positions, or closed ones (closed and expired), newest first, a page at a time. */
export async function listPositions({ ctx, input }: { ctx: ServiceContext; input: unknown }) {
  const userId = requireUser(ctx);
  const query = parseInput(listPositionsSchema, input ?? {});
  const conditions: (SQL | undefined)[] = [eq(parentTrades.userId, userId)];
  if (query.status === 'open') conditions.push(eq(parentTrades.status, 'open'));
  if (query.status === 'closed') conditions.push(inArray(parentTrades.status, [...CLOSED_POSITION_STATUSES]));
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor);
    conditions.push(
      or(
        lt(parentTrades.createdAt, cursor.createdAt),
        and(eq(parentTrades.createdAt, cursor.createdAt), lt(parentTrades.id, cursor.id)),
      ),
    );
  }
  const rows = await ctx.db
    .select()
    .from(parentTrades)
    .where(and(...conditions))
    .orderBy(desc(parentTrades.createdAt), desc(parentTrades.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > query.limit && last?.createdAt
      ? encodeCursor({ createdAt: last.createdAt, id: last.id })
      : null;
  return { positions: page.map(toPositionView), nextCursor };
}

/** One of the user's positions with all its orders, oldest order first. */
export async function getPosition({ ctx, input }: { ctx: ServiceContext; input: { positionId: string } }) {
  const userId = requireUser(ctx);
  const [position] = await ctx.db
    .select()
    .from(parentTrades)
    .where(and(eq(parentTrades.id, input.positionId), eq(parentTrades.userId, userId)));
  if (!position) throw new AppError('NOT_FOUND', 'Position not found');
  const orders = await ctx.db
    .select(orderColumns)
    .from(trades)
    .innerJoin(parentTrades, eq(parentTrades.id, trades.parentTradeId))
    .where(eq(trades.parentTradeId, position.id))
    .orderBy(asc(trades.createdAt), asc(trades.id));
  return { ...toPositionView(position), orders: orders.map(toOrderView) };
}
