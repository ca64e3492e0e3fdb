import { BrokerUnavailableError } from '../../broker/port';
import type { Trade } from '../../db/schema';
import type { ServiceContext } from '../context';
import { applyOrderUpdate, type OrderReport, reportFromBrokerOrder } from './apply-order-update';
import type { TradingDeps } from './deps';
import { loadOrder } from './load-order';

/**
 * Send a committed `pending` order to its broker and record what comes back (the broker's
 * order id, an immediate fill, or the rejection with its reason). Never called inside a
 * transaction: the order row is committed first, so a crash here loses nothing. Safe to call
 * twice: the broker order id is the trade id, and an order already sent is left alone.
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
    });
    report = result.ok
      ? reportFromBrokerOrder(result.order)
      : { status: 'rejected', filledQuantity: 0, averageFillPrice: null, reason: result.reason };
  } catch (error) {
    if (!(error instanceof BrokerUnavailableError)) throw error;
    // The broker did not take the order (retries already spent): say so rather than leave it hanging.
    ctx.log.warn({ tradeId: trade.id, err: error }, 'broker unavailable; order rejected');
    report = {
      status: 'rejected',
      filledQuantity: 0,
      averageFillPrice: null,
      reason: `Broker unavailable: ${error.message}`,
    };
  }
  const { trade: updated } = await applyOrderUpdate({
    ctx,
    input: { tradeId: trade.id, report, source: 'placement' },
  });
  return updated;
}
