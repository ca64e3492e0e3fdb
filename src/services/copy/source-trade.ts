import { eq, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { type ParentTrade, parentTrades, type Trade, trades } from '../../db/schema';
import { sqlSet } from '../../db/sql-sets';
import { COPYABLE_ORDER_SOURCE, isCopyableOrder } from '../../domain/order-status';

export type SourceTrade = { trade: Trade; position: ParentTrade };

/** A trader's trade with its position, or null. */
export async function loadSourceTrade(db: Executor, tradeId: string): Promise<SourceTrade | null> {
  const [row] = await db
    .select({ trade: trades, position: parentTrades })
    .from(trades)
    .innerJoin(parentTrades, eq(parentTrades.id, trades.parentTradeId))
    .where(eq(trades.id, tradeId));
  return row ?? null;
}

/** Only a trader's own trades with a fill are copied; copies of copies never are (PRODUCT.md §3). */
export function isCopyable(source: SourceTrade): boolean {
  return isCopyableOrder(source.trade);
}

/** `isCopyableOrder` in SQL, on the `trades` row named `alias`. */
export function copyableTradeCondition(alias: string): SQL {
  const t = sql.identifier(alias);
  return sql`${t}.source IN ${sqlSet([COPYABLE_ORDER_SOURCE])} AND ${t}.filled_quantity > 0`;
}
