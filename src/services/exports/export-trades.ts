/**
 * My orders and my closed positions as rows for a CSV file, with the columns a tax or journal
 * tool expects, read a page at a time (oldest first) so any history streams in bounded memory.
 * Money stays as the database's decimal text: nothing is rounded on the way out.
 */
import { and, asc, eq, gt, inArray, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { parentTrades, trades, users } from '../../db/schema';
import { CLOSED_POSITION_STATUSES, tradeSideOf } from '../../domain/vocabulary';
import { requireUser, type ServiceContext } from '../context';

const PAGE = 500;

const sourceTraders = alias(users, 'source_trader');
/** How a source trader is named in a file: their username, else their name (not every trader picks a username). */
const sourceTraderName = sql<string | null>`coalesce(${sourceTraders.username}, ${sourceTraders.name})`;

const KIND = { manual: 'manual', copy: 'copied', auto: 'expiry' } as const;

export const ORDER_EXPORT_COLUMNS = [
  'date',
  'occ_symbol',
  'underlying',
  'call_put',
  'strike',
  'expiration',
  'side',
  'quantity',
  'price',
  'fees',
  'pnl',
  'manual_or_copied',
  'source_trader',
  'status',
  'order_type',
  'ordered_quantity',
  'order_id',
] as const;

export type OrderExportRow = Record<(typeof ORDER_EXPORT_COLUMNS)[number], string | number | null>;

export const POSITION_EXPORT_COLUMNS = [
  'opened',
  'closed',
  'occ_symbol',
  'underlying',
  'call_put',
  'strike',
  'expiration',
  'quantity',
  'cost_basis',
  'proceeds',
  'fees',
  'pnl',
  'status',
  'manual_or_copied',
  'source_trader',
  'position_id',
] as const;

export type PositionExportRow = Record<(typeof POSITION_EXPORT_COLUMNS)[number], string | number | null>;

/** Orders no broker ever reported on carry no fee; brokers that charge do not tell us. */
const NO_FEE = '0.00';

const iso = (value: Date | null) => value?.toISOString() ?? null;

/** Every order of mine: date is the first fill's time, or when it was placed if it never filled. */
export async function* exportOrders({ ctx }: { ctx: ServiceContext }): AsyncGenerator<OrderExportRow> {
  const userId = requireUser(ctx);
  let last: { createdAt: Date; id: string } | undefined;
  for (;;) {
    const keyset = last
      ? or(
          gt(trades.createdAt, last.createdAt),
          and(eq(trades.createdAt, last.createdAt), gt(trades.id, last.id)),
        )
      : undefined;
    const rows = await ctx.db
      .select({
        id: trades.id,
        createdAt: trades.createdAt,
        filledAt: trades.filledAt,
        symbol: parentTrades.symbol,
        underlying: parentTrades.underlying,
        optionType: parentTrades.optionType,
        strike: parentTrades.strike,
        expiration: parentTrades.expiration,
        action: trades.action,
        quantity: trades.quantity,
        filledQuantity: trades.filledQuantity,
        filledPrice: trades.filledPrice,
        orderType: trades.orderType,
        status: trades.status,
        pnl: trades.pnl,
        source: trades.source,
        sourceTrader: sourceTraderName,
      })
      .from(trades)
      .innerJoin(parentTrades, eq(parentTrades.id, trades.parentTradeId))
      .leftJoin(sourceTraders, eq(sourceTraders.id, trades.sourceTraderId))
      .where(and(eq(trades.userId, userId), keyset))
      .orderBy(asc(trades.createdAt), asc(trades.id))
      .limit(PAGE);
    for (const row of rows) {
      yield {
        date: iso(row.filledAt ?? row.createdAt),
        occ_symbol: row.symbol,
        underlying: row.underlying,
        call_put: row.optionType,
        strike: row.strike,
        expiration: row.expiration,
        side: tradeSideOf(row.action),
        quantity: row.filledQuantity ?? 0,
        price: row.filledPrice,
        fees: NO_FEE,
        pnl: row.pnl,
        manual_or_copied: KIND[row.source],
        source_trader: row.sourceTrader,
        status: row.status,
        order_type: row.orderType,
        ordered_quantity: row.quantity,
        order_id: row.id,
      };
    }
    const tail = rows.at(-1);
    if (rows.length < PAGE || !tail?.createdAt) return;
    last = { createdAt: tail.createdAt, id: tail.id };
  }
}

const sourcePositions = alias(parentTrades, 'source_position');

/** My closed and expired positions, by closing time. */
export async function* exportPositions({ ctx }: { ctx: ServiceContext }): AsyncGenerator<PositionExportRow> {
  const userId = requireUser(ctx);
  let last: { closedAt: Date; id: string } | undefined;
  for (;;) {
    const keyset = last
      ? or(
          gt(parentTrades.closedAt, last.closedAt),
          and(eq(parentTrades.closedAt, last.closedAt), gt(parentTrades.id, last.id)),
        )
      : undefined;
    const rows = await ctx.db
      .select({
        id: parentTrades.id,
        openedAt: parentTrades.openedAt,
        closedAt: parentTrades.closedAt,
        symbol: parentTrades.symbol,
        underlying: parentTrades.underlying,
        optionType: parentTrades.optionType,
        strike: parentTrades.strike,
        expiration: parentTrades.expiration,
        quantity: parentTrades.boughtQuantity,
        costBasis: parentTrades.totalCostBasis,
        proceeds: parentTrades.totalProceeds,
        pnl: parentTrades.totalPnl,
        status: parentTrades.status,
        copiedFrom: parentTrades.sourceParentTradeId,
        sourceTrader: sourceTraderName,
      })
      .from(parentTrades)
      .leftJoin(sourcePositions, eq(sourcePositions.id, parentTrades.sourceParentTradeId))
      .leftJoin(sourceTraders, eq(sourceTraders.id, sourcePositions.userId))
      .where(
        and(
          eq(parentTrades.userId, userId),
          inArray(parentTrades.status, [...CLOSED_POSITION_STATUSES]),
          keyset,
        ),
      )
      .orderBy(asc(parentTrades.closedAt), asc(parentTrades.id))
      .limit(PAGE);
    for (const row of rows) {
      yield {
        opened: iso(row.openedAt),
        closed: iso(row.closedAt),
        occ_symbol: row.symbol,
        underlying: row.underlying,
        call_put: row.optionType,
        strike: row.strike,
        expiration: row.expiration,
        quantity: row.quantity,
        cost_basis: row.costBasis,
        proceeds: row.proceeds,
        fees: NO_FEE,
        pnl: row.pnl,
        status: row.status,
        manual_or_copied: row.copiedFrom ? 'copied' : 'manual',
        source_trader: row.sourceTrader,
        position_id: row.id,
      };
    }
    const tail = rows.at(-1);
    if (rows.length < PAGE || !tail?.closedAt) return;
    last = { closedAt: tail.closedAt, id: tail.id };
  }
}
