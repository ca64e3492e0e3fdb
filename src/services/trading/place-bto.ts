import { and, asc, eq, isNull } from 'drizzle-orm';
import { orderEvents, parentTrades, type Trade, trades } from '../../db/schema';
import { easternDate } from '../../domain/market-calendar';
import { Dec, orderNotional, toCents } from '../../domain/money';
import { buildOccSymbol } from '../../domain/occ';
import { AppError } from '../../errors';
import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import { inTransaction } from '../transaction';
import type { TradingDeps } from './deps';
import { type AccountWithOwner, loadSelectedAccount } from './load-account';
import { type BtoInput, btoInputSchema } from './order-input';
import { submitOrder } from './submit-order';

/** The price the buying-power check uses: the order's own price, or the ask for Market orders. */
async function estimatePrice(
  deps: TradingDeps,
  account: AccountWithOwner,
  symbol: string,
  order: { orderType: Trade['orderType']; limitPrice?: string; stopPrice?: string },
): Promise<string> {
  const own = order.limitPrice ?? order.stopPrice;
  if (own) return own;
  const { broker, ref } = deps.brokers.forAccount(account);
  try {
    const quote = await broker.getQuote(ref, symbol);
    if (Dec(quote.ask).gt(0)) return quote.ask;
  } catch (error) {
    throw new AppError('BROKER_REJECTED', `No quote is available for ${symbol.replace(/\s+/g, ' ')}`, {
      cause: error,
    });
  }
  throw new AppError('BROKER_REJECTED', `No quote is available for ${symbol.replace(/\s+/g, ' ')}`);
}

/**
 * Buy to open (PRODUCT.md §2): validate, check the selected account and its buying power, then
 * in one transaction find or open the position and record the order `pending`. Only after the
 * commit is the order sent to the broker.
 */
export async function placeBto({
  ctx,
  deps,
  input,
}: {
  ctx: ServiceContext;
  deps: TradingDeps;
  input: BtoInput | unknown;
}): Promise<Trade> {
  const userId = requireUser(ctx);
  const order = parseInput(btoInputSchema, input);
  if (order.expiration < easternDate(ctx.now())) {
    throw new AppError('VALIDATION', 'expiration: must be today or later', { field: 'expiration' });
  }
  const contract = {
    underlying: order.underlying,
    optionType: order.optionType,
    strike: order.strike,
    expiration: order.expiration,
  };
  const symbol = buildOccSymbol(contract);

  const account = await loadSelectedAccount(ctx.db, userId);
  if (!account) {
    throw new AppError('PRECONDITION_FAILED', 'Select an active brokerage account before placing an order');
  }
  const price = await estimatePrice(deps, account, symbol, order);
  const cost = orderNotional({ quantity: order.quantity, price });
  if (account.buyingPower !== null && cost.gt(account.buyingPower)) {
    throw new AppError(
      'PRECONDITION_FAILED',
      `Insufficient buying power: this order needs about ${toCents(cost)}, ${account.buyingPower} is available`,
      { field: 'quantity', details: { required: toCents(cost), buyingPower: account.buyingPower } },
    );
  }

  const tradeId = await inTransaction(ctx, async (tx) => {
    const openPosition = () =>
      tx
        .select({ id: parentTrades.id })
        .from(parentTrades)
        .where(
          and(
            eq(parentTrades.userId, userId),
            eq(parentTrades.symbol, symbol),
            eq(parentTrades.status, 'open'),
            isNull(parentTrades.sourceParentTradeId),
          ),
        )
        .for('no key update');
    // Open a position unless one is open for this contract; the unique index settles a race.
    let [position] = await openPosition();
    if (!position) {
      await tx
        .insert(parentTrades)
        .values({ userId, ...contract, strike: order.strike, symbol, openedAt: ctx.now() })
        .onConflictDoNothing();
      [position] = await openPosition();
    }
    if (!position) throw new Error('position could not be opened');

    const [held] = await tx
      .select({ accountId: trades.accountId })
      .from(trades)
      .where(and(eq(trades.parentTradeId, position.id), eq(trades.action, 'buy')))
      .orderBy(asc(trades.createdAt))
      .limit(1);
    if (held && held.accountId !== account.id) {
      throw new AppError(
        'CONFLICT',
        'You hold this contract in another brokerage account; select that account to add to it',
      );
    }

    const [trade] = await tx
      .insert(trades)
      .values({
        parentTradeId: position.id,
        userId,
        accountId: account.id,
        action: 'buy',
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
      detail: { side: 'BTO', estimate: price },
      createdAt: ctx.now(),
    });
    return trade.id;
  });

  return submitOrder({ ctx, deps, input: { tradeId } });
}
