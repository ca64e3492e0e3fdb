import { BrokerUnavailableError } from '../../broker/port';
import { orderEvents, type Trade } from '../../db/schema';
import { isWorkingOrderStatus } from '../../domain/order-status';
import { AppError } from '../../errors';
import { requireUser, type ServiceContext } from '../context';
import { applyOrderUpdate, reportFromBrokerOrder } from './apply-order-update';
import type { TradingDeps } from './deps';
import { loadOrder } from './load-order';

/**
 * Cancel one of the user's working orders. The broker decides: an order that filled meanwhile
 * stays filled, and what it reports is recorded like any other update.
 */
export async function cancelOrder({
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
  const { trade } = order;
  if (!isWorkingOrderStatus(trade.status)) {
    throw new AppError('PRECONDITION_FAILED', `The order is ${trade.status} and cannot be cancelled`);
  }
  await ctx.db.insert(orderEvents).values({
    tradeId: trade.id,
    type: 'cancel_requested',
    fromStatus: trade.status,
    toStatus: trade.status,
    createdAt: ctx.now(),
  });

  if (!trade.brokerOrderId) {
    // Never reached the broker: nothing to ask, the order simply ends.
    const { trade: updated } = await applyOrderUpdate({
      ctx,
      input: {
        tradeId: trade.id,
        report: {
          status: 'cancelled',
          filledQuantity: trade.filledQuantity ?? 0,
          averageFillPrice: trade.filledPrice,
        },
        source: 'cancel',
      },
    });
    return updated;
  }
  const { broker, ref } = deps.brokers.forAccount(order.account);
  try {
    const reported = await broker.cancelOrder(ref, trade.brokerOrderId);
    const { trade: updated } = await applyOrderUpdate({
      ctx,
      input: { tradeId: trade.id, report: reportFromBrokerOrder(reported), source: 'cancel' },
    });
    return updated;
  } catch (error) {
    if (error instanceof BrokerUnavailableError) {
      throw new AppError(
        'BROKER_REJECTED',
        'The broker could not be reached; the order may still be working',
        {
          cause: error,
        },
      );
    }
    throw error;
  }
}
