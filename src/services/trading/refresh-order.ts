import type { Trade } from '../../db/schema';
import { AppError } from '../../errors';
import { requireUser, type ServiceContext } from '../context';
import { applyOrderUpdate, reportFromBrokerOrder } from './apply-order-update';
import type { TradingDeps } from './deps';
import { loadOrder } from './load-order';

/** Ask the broker about one of the user's orders now, and record what it says. */
export async function refreshOrder({
  ctx,
  deps,
  input,
}: {
  ctx: ServiceContext;
  deps: TradingDeps;
  input: { tradeId: string };
}): Promise<Trade> {
  const userId = requireUser(ctx);
  const order = await loadOrder(ctx.db, input.tradeId, userId);
  if (!order) throw new AppError('NOT_FOUND', 'Order not found');
  if (!order.trade.brokerOrderId) return order.trade;
  const { broker, ref } = deps.brokers.forAccount(order.account);
  const reported = await broker.getOrder(ref, order.trade.brokerOrderId);
  if (!reported) return order.trade;
  const { trade } = await applyOrderUpdate({
    ctx,
    input: { tradeId: order.trade.id, report: reportFromBrokerOrder(reported), source: 'refresh' },
  });
  return trade;
}
