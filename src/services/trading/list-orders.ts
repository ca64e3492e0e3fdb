import { and, desc, eq, inArray, lt, or, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { parentTrades, type Trade, trades } from '../../db/schema';
import { ORDER_STATUSES } from '../../domain/order-status';
import { tradeSideOf } from '../../domain/vocabulary';
import { requireUser, type ServiceContext } from '../context';
import { decodeCursor, encodeCursor } from '../cursor';
import { parseInput } from '../parse-input';

export const listOrdersSchema = z.object({
  status: z
    .string()
    .optional()
    .transform((value) => (value ? value.split(',').map((s) => s.trim()) : undefined))
    .pipe(z.array(z.enum(ORDER_STATUSES)).optional()),
  positionId: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().optional(),
});

export const orderColumns = {
  id: trades.id,
  positionId: trades.parentTradeId,
  accountId: trades.accountId,
  symbol: parentTrades.symbol,
  underlying: parentTrades.underlying,
  optionType: parentTrades.optionType,
  strike: parentTrades.strike,
  expiration: parentTrades.expiration,
  side: trades.action,
  quantity: trades.quantity,
  filledQuantity: trades.filledQuantity,
  orderType: trades.orderType,
  limitPrice: trades.limitPrice,
  stopPrice: trades.stopPrice,
  filledPrice: trades.filledPrice,
  status: trades.status,
  statusReason: trades.statusReason,
  brokerOrderId: trades.brokerOrderId,
  source: trades.source,
  sourceTraderId: trades.sourceTraderId,
  sourceTradeId: trades.sourceTradeId,
  pnl: trades.pnl,
  pnlPercent: trades.pnlPercent,
  createdAt: trades.createdAt,
  filledAt: trades.filledAt,
  updatedAt: trades.updatedAt,
};

/** The user's orders, newest first, a page at a time, optionally by status or position. */
export async function listOrders({ ctx, input }: { ctx: ServiceContext; input: unknown }) {
  const userId = requireUser(ctx);
  const query = parseInput(listOrdersSchema, input ?? {});
  const conditions: (SQL | undefined)[] = [eq(trades.userId, userId)];
  if (query.status) conditions.push(inArray(trades.status, query.status));
  if (query.positionId) conditions.push(eq(trades.parentTradeId, query.positionId));
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor);
    conditions.push(
      or(
        lt(trades.createdAt, cursor.createdAt),
        and(eq(trades.createdAt, cursor.createdAt), lt(trades.id, cursor.id)),
      ),
    );
  }
  const rows = await ctx.db
    .select(orderColumns)
    .from(trades)
    .innerJoin(parentTrades, eq(parentTrades.id, trades.parentTradeId))
    .where(and(...conditions))
    .orderBy(desc(trades.createdAt), desc(trades.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > query.limit && last?.createdAt
      ? encodeCursor({ createdAt: last.createdAt, id: last.id })
      : null;
  return { orders: page.map(toOrderView), nextCursor };
}

export type OrderRow = Awaited<ReturnType<typeof selectOrder>>[number];

function selectOrder(ctx: ServiceContext) {
  return ctx.db
    .select(orderColumns)
    .from(trades)
    .innerJoin(parentTrades, eq(parentTrades.id, trades.parentTradeId));
}

/** The view of an order whose row and position are at hand (as `selectOrder` reads them). */
export function orderViewOf(
  trade: Trade,
  position: Pick<
    typeof parentTrades.$inferSelect,
    'symbol' | 'underlying' | 'optionType' | 'strike' | 'expiration'
  >,
) {
  return toOrderView({
    id: trade.id,
    positionId: trade.parentTradeId,
    accountId: trade.accountId,
    symbol: position.symbol,
    underlying: position.underlying,
    optionType: position.optionType,
    strike: position.strike,
    expiration: position.expiration,
    side: trade.action,
    quantity: trade.quantity,
    filledQuantity: trade.filledQuantity,
    orderType: trade.orderType,
    limitPrice: trade.limitPrice,
    stopPrice: trade.stopPrice,
    filledPrice: trade.filledPrice,
    status: trade.status,
    statusReason: trade.statusReason,
    brokerOrderId: trade.brokerOrderId,
    source: trade.source,
    sourceTraderId: trade.sourceTraderId,
    sourceTradeId: trade.sourceTradeId,
    pnl: trade.pnl,
    pnlPercent: trade.pnlPercent,
    createdAt: trade.createdAt,
    filledAt: trade.filledAt,
    updatedAt: trade.updatedAt,
  });
}

export type OrderView = ReturnType<typeof toOrderView>;

/** BTO/STC wording for the API, beside the stored buy/sell. */
export function toOrderView(row: OrderRow) {
  return {
    ...row,
    side: tradeSideOf(row.side),
    filledQuantity: row.filledQuantity ?? 0,
  };
}

/** One of the user's orders as the API shows it, or null. */
export async function getOrderView(ctx: ServiceContext, tradeId: string) {
  const userId = requireUser(ctx);
  const [row] = await selectOrder(ctx).where(and(eq(trades.id, tradeId), eq(trades.userId, userId)));
  return row ? toOrderView(row) : null;
}
