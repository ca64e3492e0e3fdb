import { and, eq, sql } from 'drizzle-orm';
import { accounts, orderEvents, parentTrades, type Trade, trades } from '../../db/schema';
import { sqlSet } from '../../db/sql-sets';
import { WORKING_ORDER_STATUSES } from '../../domain/order-status';
import { availableToClose } from '../../domain/position';
import { AppError } from '../../errors';
import { assertCanTrade } from '../accounts/trading-permission';
import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import { inTransaction } from '../transaction';
import type { TradingDeps } from './deps';
import { type StcInput, stcInputSchema } from './order-input';
import { submitOrder } from './submit-order';

/** True when PostgreSQL refused the write through the oversell trigger. */
export function isOversellRefusal(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if ((e as { constraint?: string }).constraint === 'trades_oversell_guard') return true;
  }
  return false;
}

/**
 * Sell to close (PRODUCT.md §2): the position must be the user's and open; the quantity may not
 * exceed what is available to close, checked under a lock on the position so two concurrent
 * sells can never oversell (the database trigger is the last line of defence).
 */
export async function placeStc({
  ctx,
  deps,
  input,
}: {
  ctx: ServiceContext;
  deps: TradingDeps;
  input: StcInput | unknown;
}): Promise<Trade> {
  const userId = requireUser(ctx);
  const order = parseInput(stcInputSchema, input);

  const tradeId = await inTransaction(ctx, async (tx) => {
    const [position] = await tx
      .select({ id: parentTrades.id, status: parentTrades.status })
      .from(parentTrades)
      .where(and(eq(parentTrades.id, order.positionId), eq(parentTrades.userId, userId)))
      .for('no key update');
    if (!position) throw new AppError('NOT_FOUND', 'Position not found');
    if (position.status !== 'open') {
      throw new AppError('PRECONDITION_FAILED', `The position is ${position.status}`);
    }

    const [totals] = await tx
      .select({
        filledBought: sql<number>`COALESCE(sum(filled_quantity) FILTER (WHERE action = 'buy'), 0)::int`,
        filledSold: sql<number>`COALESCE(sum(filled_quantity) FILTER (WHERE action = 'sell'), 0)::int`,
        pendingSell: sql<number>`COALESCE(sum(quantity - filled_quantity) FILTER (WHERE action = 'sell' AND status IN ${sqlSet(WORKING_ORDER_STATUSES)}), 0)::int`,
        // The sell goes to the account that holds the contracts, whichever is selected now.
        accountId: sql<
          string | null
        >`(array_agg(account_id ORDER BY created_at) FILTER (WHERE action = 'buy' AND filled_quantity > 0))[1]`,
      })
      .from(trades)
      .where(eq(trades.parentTradeId, position.id));
    const available = availableToClose({
      filledBought: totals?.filledBought ?? 0,
      filledSold: totals?.filledSold ?? 0,
      pendingSellQuantity: totals?.pendingSell ?? 0,
    });
    if (order.quantity > available || !totals?.accountId) {
      throw new AppError('VALIDATION', `quantity: only ${available} contract(s) available to close`, {
        field: 'quantity',
        details: { available },
      });
    }
    const [holder] = await tx
      .select({
        isActive: accounts.isActive,
        readOnly: accounts.readOnly,
        needsReconnect: accounts.needsReconnect,
        reconnectReason: accounts.reconnectReason,
        brokerName: accounts.brokerName,
      })
      .from(accounts)
      .where(eq(accounts.id, totals.accountId));
    if (holder?.isActive !== true) {
      throw new AppError(
        'PRECONDITION_FAILED',
        'The brokerage account holding this position is disconnected',
      );
    }
    assertCanTrade(holder);

    try {
      const [trade] = await tx
        .insert(trades)
        .values({
          parentTradeId: position.id,
          userId,
          accountId: totals.accountId,
          action: 'sell',
          quantity: order.quantity,
          orderType: order.orderType,
          limitPrice: order.limitPrice,
          stopPrice: order.stopPrice,
          source: 'manual',
          createdAt: ctx.now(),
        })
        .returning({ id: trades.id });
      if (!trade) throw new Error('order not recorded');
      await tx.insert(orderEvents).values({
        tradeId: trade.id,
        type: 'created',
        toStatus: 'pending',
        idempotencyKey: 'created',
        detail: { side: 'STC', available },
        createdAt: ctx.now(),
      });
      return trade.id;
    } catch (error) {
      if (isOversellRefusal(error)) {
        throw new AppError('VALIDATION', 'quantity: more than the position holds', { field: 'quantity' });
      }
      throw error;
    }
  });

  return submitOrder({ ctx, deps, input: { tradeId } });
}
