import { and, eq, isNull } from 'drizzle-orm';
import { type Broker, type BrokerAccountRef, BrokerUnavailableError } from '../../broker/port';
import { type Trade, trades } from '../../db/schema';
import type { ServiceContext } from '../context';
import {
  applyOrderUpdate,
  type OrderReport,
  reportFromBrokerOrder,
  reportFromPlacement,
} from './apply-order-update';
import type { TradingDeps } from './deps';
import { loadOrder } from './load-order';
import { findPlacedOrder, type SentOrder } from './reconcile-placement';

/**
 * Send a committed `pending` order to its broker and record what comes back (the broker's
 * order id, an immediate fill, or the rejection with its reason). Never called inside a
 * transaction: the order row is committed first, so a crash here loses nothing. Safe to call
 * twice: an order already sent is left alone. A placement whose answer was lost is reconciled
 * against the broker's orders before it is called rejected (PRODUCT.md §1a).
 */
export async function submitOrder({
  ctx,
  deps,
  input,
}: {
  ctx: ServiceContext;
  deps: TradingDeps;
  input: { tradeId: string };
}): Promise<Trade> {
  const order = await loadOrder(ctx.db, input.tradeId);
  if (!order) throw new Error(`order ${input.tradeId} does not exist`);
  const { trade } = order;
  if (trade.status !== 'pending' || trade.brokerOrderId) return trade;

  const { broker, ref } = deps.brokers.forAccount(order.account);
  // When it was sent: what reconciliation matches a lost answer against.
  let sentAt = ctx.now();
  await ctx.db
    .update(trades)
    .set({ submittedAt: sentAt })
    .where(and(eq(trades.id, trade.id), isNull(trades.submittedAt)));
  let report: OrderReport;
  try {
    const result = await broker.placeOrder(ref, {
      clientOrderId: trade.id,
      symbol: order.symbol,
      side: trade.action,
      quantity: trade.quantity,
      orderType: trade.orderType,
      limitPrice: trade.limitPrice ?? undefined,
      stopPrice: trade.stopPrice ?? undefined,
      timeInForce: 'Day',
      onSend: async () => {
        sentAt = ctx.now();
      },
    });
    report = reportFromPlacement(result);
  } catch (error) {
    if (!(error instanceof BrokerUnavailableError)) throw error;
    const unknown = await reportForUnknownOutcome(ctx, broker, ref, error, {
      symbol: order.symbol,
      side: trade.action,
      quantity: trade.quantity,
      sentAt,
    });
    // The broker could not even be asked: the order stays pending, the order sync settles it.
    if (!unknown) return (await loadOrder(ctx.db, trade.id))?.trade ?? trade;
    report = unknown;
  }
  const { trade: updated } = await applyOrderUpdate({
    ctx,
    input: { tradeId: trade.id, report, source: 'placement' },
  });
  return updated;
}

/**
 * The broker did not answer the placement. A broker that deduplicates client order ids did not
 * take it (its retries are spent): rejected. Otherwise it may have: its recent orders decide,
 * the order found is adopted, none found means rejected. Null when even that cannot be asked.
 */
export async function reportForUnknownOutcome(
  ctx: ServiceContext,
  broker: Broker,
  ref: BrokerAccountRef,
  error: BrokerUnavailableError,
  sent: SentOrder,
): Promise<OrderReport | null> {
  const rejected = (reason: string): OrderReport => ({
    status: 'rejected',
    filledQuantity: 0,
    averageFillPrice: null,
    reason,
  });
  if (broker.deduplicatesClientOrderIds) {
    ctx.log.warn({ err: error }, 'broker unavailable; order rejected');
    return rejected(`Broker unavailable: ${error.message}`);
  }
  try {
    const found = await findPlacedOrder(ctx.db, broker, ref, sent);
    if (found) {
      ctx.log.warn({ brokerOrderId: found.brokerOrderId }, 'placement answer lost; adopted the order placed');
      return reportFromBrokerOrder(found);
    }
    return rejected(`Broker unavailable: ${error.message} (no such order found at the broker)`);
  } catch (lookup) {
    ctx.log.warn({ err: lookup }, 'placement outcome unknown and the broker cannot be asked; left pending');
    return null;
  }
}
