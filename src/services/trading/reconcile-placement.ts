/**
 * PRODUCT.md §1a "a placement whose outcome is unknown": the request reached the broker but its
 * answer did not reach us (a timeout, a dropped connection, a worker that died before recording
 * it). SnapTrade has no client order id, so sending again could place a second real order.
 * Instead the account's recent orders are searched for it: same OCC symbol, side and quantity,
 * placed within a minute of when we sent it, and not already one of our orders. A match is
 * adopted (its broker order id recorded); only when there is none may the order be called
 * rejected or sent again.
 */
import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Broker, BrokerAccountRef, BrokerOrder, OrderSide } from '../../broker/port';
import type { Executor } from '../../db/client';
import { trades } from '../../db/schema';

/** How far from our send time a broker order may have been placed and still be ours. */
export const RECONCILE_WINDOW_MS = 60_000;

export type SentOrder = { symbol: string; side: OrderSide; quantity: number; sentAt: Date };

const compact = (symbol: string) => symbol.replace(/\s+/g, '').toUpperCase();

/** The broker order that is this placement, or null when the broker has none. */
export async function findPlacedOrder(
  db: Executor,
  broker: Broker,
  ref: BrokerAccountRef,
  sent: SentOrder,
): Promise<BrokerOrder | null> {
  const candidates = (await broker.listOrders(ref)).filter((order) => {
    const placedAt = (order.placedAt ?? order.updatedAt).getTime();
    return (
      compact(order.symbol) === compact(sent.symbol) &&
      order.side === sent.side &&
      order.quantity === sent.quantity &&
      placedAt >= sent.sentAt.getTime() - 5_000 &&
      placedAt <= sent.sentAt.getTime() + RECONCILE_WINDOW_MS
    );
  });
  if (candidates.length === 0) return null;
  const known = await db
    .select({ brokerOrderId: trades.brokerOrderId })
    .from(trades)
    .where(
      and(
        eq(trades.accountId, ref.accountId),
        isNotNull(trades.brokerOrderId),
        inArray(
          trades.brokerOrderId,
          candidates.map((order) => order.brokerOrderId),
        ),
      ),
    );
  const taken = new Set(known.map((row) => row.brokerOrderId));
  const unclaimed = candidates.filter((order) => !taken.has(order.brokerOrderId));
  unclaimed.sort((a, b) => (a.placedAt ?? a.updatedAt).getTime() - (b.placedAt ?? b.updatedAt).getTime());
  return unclaimed[0] ?? null;
}
