import { eq } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { type ParentTrade, parentTrades, type Trade, trades } from '../../db/schema';

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

/** Only a trader's own filled trades are copied; copies of copies never are (PRODUCT.md §3). */
export function isCopyable(source: SourceTrade): boolean {
  const { trade } = source;
  const final = trade.status === 'filled' || trade.status === 'cancelled' || trade.status === 'rejected';
  return trade.source === 'manual' && final && (trade.filledQuantity ?? 0) > 0;
}
