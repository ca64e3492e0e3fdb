import { and, asc, eq, isNull } from 'drizzle-orm';
import type { OrderCostEstimate } from '../../broker/port';
import { orderEvents, parentTrades, type Trade, trades } from '../../db/schema';
import { easternDate } from '../../domain/market-calendar';
import { Dec, type Decimal, orderNotional, toCents } from '../../domain/money';
import { buildOccSymbol } from '../../domain/occ';
import type { OrderType } from '../../domain/vocabulary';
import { AppError } from '../../errors';
import type { MarketData } from '../../market-data/port';
import { assertCanTrade } from '../accounts/trading-permission';
import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import { inTransaction } from '../transaction';
import type { TradingDeps } from './deps';
import { type AccountWithOwner, loadSelectedAccount } from './load-account';
import { type BtoInput, btoInputSchema } from './order-input';
import { submitOrder } from './submit-order';

/** What the buying-power check uses: the whole order's cost, or why there is none. */
type CostEstimate = { cost: Decimal; source: string } | { cost: null; reason: string };

const NO_ESTIMATE_REASON =
  'No price estimate was available: sent without our buying-power check, the broker decides';

function noQuote(symbol: string, cause?: unknown): AppError {
  return new AppError('BROKER_REJECTED', `No quote is available for ${symbol.replace(/\s+/g, ' ')}`, {
    ...(cause ? { cause } : {}),
  });
}

/**
 * PRODUCT.md §2 "use a price estimate, never zero": a Limit or Stop order's own price; for a
 * Market order on paper, the simulated ask; on SnapTrade, the broker's option impact where the
 * brokerage supports it, else a configured market-data provider's ask, else none (the order
 * goes to the broker, whose own buying-power check decides, and says so).
 */
async function estimateCost(
  ctx: ServiceContext,
  deps: TradingDeps,
  account: AccountWithOwner,
  symbol: string,
  order: { quantity: number; orderType: OrderType; limitPrice?: string; stopPrice?: string },
): Promise<CostEstimate> {
  const own = order.limitPrice ?? order.stopPrice;
  if (own) return { cost: orderNotional({ quantity: order.quantity, price: own }), source: 'order price' };
  const fromQuote = async (marketData: MarketData, source: string): Promise<CostEstimate | null> => {
    const quote = await marketData.quote(symbol, ctx.now());
    if (!quote || !Dec(quote.ask).gt(0)) return null;
    return { cost: orderNotional({ quantity: order.quantity, price: quote.ask }), source };
  };
  if (account.provider === 'paper') {
    const estimate = await fromQuote(deps.marketData, 'quote');
    if (!estimate) throw noQuote(symbol);
    return estimate;
  }
  const { broker, ref } = deps.brokers.forAccount(account);
  if (broker.estimateOrderCost) {
    let impact: OrderCostEstimate;
    try {
      impact = await broker.estimateOrderCost(ref, {
        clientOrderId: 'estimate',
        symbol,
        side: 'buy',
        quantity: order.quantity,
        orderType: order.orderType,
        timeInForce: 'Day',
      });
    } catch (error) {
      throw noQuote(symbol, error);
    }
    if (impact.supported) return { cost: Dec(impact.cost), source: 'option impact' };
    ctx.log.info({ symbol, reason: impact.reason }, 'no option impact for this brokerage');
  }
  if (deps.brokerMarketData) {
    const estimate = await fromQuote(deps.brokerMarketData, 'market data');
    if (estimate) return estimate;
  }
  return { cost: null, reason: NO_ESTIMATE_REASON };
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
  assertCanTrade(account);
  const estimate = await estimateCost(ctx, deps, account, symbol, order);
  const { cost } = estimate;
  if (cost !== null && account.buyingPower !== null && cost.gt(account.buyingPower)) {
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
        statusReason: estimate.cost === null ? estimate.reason : null,
        createdAt: ctx.now(),
      })
      .returning({ id: trades.id });
    if (!trade) throw new Error('order not recorded');
    await tx.insert(orderEvents).values({
      tradeId: trade.id,
      type: 'created',
      toStatus: 'pending',
      idempotencyKey: 'created',
      detail: {
        side: 'BTO',
        ...(estimate.cost !== null
          ? { estimate: toCents(estimate.cost), estimatedBy: estimate.source }
          : { estimate: null }),
      },
      createdAt: ctx.now(),
    });
    return trade.id;
  });

  return submitOrder({ ctx, deps, input: { tradeId } });
}
