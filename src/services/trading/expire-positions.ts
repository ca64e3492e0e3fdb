import { and, eq, inArray, lte } from 'drizzle-orm';
import { BrokerUnavailableError } from '../../broker/port';
import { orderEvents, parentTrades, trades } from '../../db/schema';
import { easternDate, expiryInstant, hasExpired } from '../../domain/market-calendar';
import { isWorkingOrderStatus, WORKING_ORDER_STATUSES } from '../../domain/order-status';
import { enqueue } from '../../jobs/queue';
import type { ServiceContext } from '../context';
import { inTransaction } from '../transaction';
import { applyOrderUpdate, reportFromBrokerOrder } from './apply-order-update';
import type { TradingDeps } from './deps';
import { loadOrder } from './load-order';

/** End a working order of an expiring position: ask the broker, and end it here regardless. */
async function cancelForExpiry(ctx: ServiceContext, deps: TradingDeps, tradeId: string): Promise<void> {
  const order = await loadOrder(ctx.db, tradeId);
  if (!order) return;
  const { trade } = order;
  if (trade.brokerOrderId) {
    try {
      const { broker, ref } = deps.brokers.forAccount(order.account);
      const reported = await broker.cancelOrder(ref, trade.brokerOrderId);
      const result = await applyOrderUpdate({
        ctx,
        input: { tradeId, report: reportFromBrokerOrder(reported), source: 'expiry' },
      });
      if (!isWorkingOrderStatus(result.trade.status)) return;
    } catch (error) {
      if (!(error instanceof BrokerUnavailableError)) throw error;
      ctx.log.warn({ tradeId, err: error }, 'broker unavailable while cancelling an expiring order');
    }
  }
  // The contract no longer exists after its expiry, whatever the broker last said.
  const current = (await loadOrder(ctx.db, tradeId))?.trade ?? trade;
  await applyOrderUpdate({
    ctx,
    input: {
      tradeId,
      report: {
        status: 'cancelled',
        filledQuantity: current.filledQuantity ?? 0,
        averageFillPrice: current.filledPrice,
        reason: 'Contract expired',
      },
      source: 'expiry',
    },
  });
}

/**
 * PRODUCT.md §2 expiry: after the close of its expiration day (US/Eastern), an open position
 * expires: its working orders are cancelled, the contracts still held close at 0 through a
 * system sell (`source = 'auto'`) so the loss shows in P&L, and its status becomes `expired`.
 * Idempotent: run by a job every few minutes.
 */
export async function expirePositions({
  ctx,
  deps,
}: {
  ctx: ServiceContext;
  deps: TradingDeps;
}): Promise<{ expired: string[] }> {
  const now = ctx.now();
  const candidates = await ctx.db
    .select({ id: parentTrades.id, expiration: parentTrades.expiration })
    .from(parentTrades)
    .where(and(eq(parentTrades.status, 'open'), lte(parentTrades.expiration, easternDate(now))));
  const expired: string[] = [];
  for (const position of candidates) {
    if (!hasExpired(position.expiration, now)) continue;
    const working = await ctx.db
      .select({ id: trades.id })
      .from(trades)
      .where(and(eq(trades.parentTradeId, position.id), inArray(trades.status, [...WORKING_ORDER_STATUSES])));
    for (const order of working) await cancelForExpiry(ctx, deps, order.id);

    const done = await inTransaction(ctx, async (tx) => {
      const [row] = await tx
        .select({
          status: parentTrades.status,
          userId: parentTrades.userId,
          bought: parentTrades.boughtQuantity,
          sold: parentTrades.soldQuantity,
        })
        .from(parentTrades)
        .where(eq(parentTrades.id, position.id))
        .for('no key update');
      // A position whose only order never filled was cancelled above, not expired.
      if (row?.status !== 'open' || row.bought === 0) return false;
      await tx.update(parentTrades).set({ status: 'expired' }).where(eq(parentTrades.id, position.id));
      const held = row.bought - row.sold;
      if (held > 0) {
        const [holder] = await tx
          .select({ accountId: trades.accountId })
          .from(trades)
          .where(and(eq(trades.parentTradeId, position.id), eq(trades.action, 'buy')))
          .limit(1);
        if (!holder) throw new Error(`position ${position.id} has fills but no buy`);
        const expiredAt = expiryInstant(position.expiration);
        const [sell] = await tx
          .insert(trades)
          .values({
            parentTradeId: position.id,
            userId: row.userId,
            accountId: holder.accountId,
            action: 'sell',
            quantity: held,
            filledQuantity: held,
            filledPrice: '0',
            orderType: 'Market',
            status: 'filled',
            source: 'auto',
            statusReason: 'Expired worthless',
            createdAt: now,
            filledAt: expiredAt,
          })
          .returning({ id: trades.id });
        if (!sell) throw new Error('expiry sell not recorded');
        await tx.insert(orderEvents).values({
          tradeId: sell.id,
          type: 'filled',
          toStatus: 'filled',
          filledQuantity: held,
          filledPrice: '0',
          idempotencyKey: 'expired',
          detail: { source: 'expiry' },
          createdAt: now,
        });
      }
      await enqueue(tx, 'position-expired', { positionId: position.id });
      return true;
    });
    if (done) expired.push(position.id);
  }
  return { expired };
}
