import type { OrderCostEstimate } from '../../broker/port';
import { namedStatement, rowMapper } from '../../db/named-statements';
import { type Trade, trades } from '../../db/schema';
import { easternDate } from '../../domain/market-calendar';
import { Dec, type Decimal, orderNotional, toCents } from '../../domain/money';
import { buildOccSymbol } from '../../domain/occ';
import type { OrderType } from '../../domain/vocabulary';
import { AppError } from '../../errors';
import type { MarketData } from '../../market-data/port';
import { assertCanTrade } from '../accounts/trading-permission';
import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import type { Transaction } from '../transaction';
import { applyOrderUpdatesIn, reportFromPlacement } from './apply-order-update';
import type { TradingDeps } from './deps';
import { type OrderView, orderViewOf } from './list-orders';
import { type AccountWithOwner, loadSelectedAccount } from './load-account';
import type { OrderPosition } from './order-change';
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
 * commit is the order sent to the broker; a paper account's broker, whose books are in this
 * database, takes it in that same transaction.
 */
export async function placeBto(options: {
  ctx: ServiceContext;
  deps: TradingDeps;
  input: BtoInput | unknown;
}): Promise<Trade> {
  return (await placeBtoOrder(options)).trade;
}

/**
 * `placeBto`, with the order as the API shows it when the order's final row is known without
 * reading it back (it was placed and recorded in one transaction); null otherwise.
 */
export async function placeBtoOrder({
  ctx,
  deps,
  input,
}: {
  ctx: ServiceContext;
  deps: TradingDeps;
  input: BtoInput | unknown;
}): Promise<{ trade: Trade; view: OrderView | null }> {
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

  const { broker, ref } = deps.brokers.forAccount(account);
  // Transactions opened here, not by `inTransaction`: their first statement records the actor.
  const record = (tx: Transaction, submittedAt: Date | null) =>
    recordOrder(tx, ctx, {
      userId,
      accountId: account.id,
      contract,
      symbol,
      order,
      estimate,
      submittedAt,
    });

  const placeInTransaction = broker.placeOrderInTransaction?.bind(broker);
  if (placeInTransaction) {
    // The broker's books are in this database: the order, its placement and the answer commit
    // together. A failure anywhere leaves nothing behind, so there is nothing to reconcile.
    return ctx.db.transaction(async (tx) => {
      const { trade, position } = await record(tx, ctx.now());
      const result = await placeInTransaction(tx, ref, {
        clientOrderId: trade.id,
        symbol,
        side: 'buy',
        quantity: trade.quantity,
        orderType: trade.orderType,
        limitPrice: trade.limitPrice ?? undefined,
        stopPrice: trade.stopPrice ?? undefined,
        timeInForce: 'Day',
      });
      const [applied] = await applyOrderUpdatesIn({
        tx,
        ctx,
        input: { updates: [{ tradeId: trade.id, report: reportFromPlacement(result), source: 'placement' }] },
        locked: [{ trade, position }],
      });
      if (!applied) throw new Error('no result');
      // Every column is as committed: the database's own (times, defaults) came back from the
      // insert, and `updated_at` is the transaction's time on insert and update alike.
      return { trade: applied.trade, view: orderViewOf(applied.trade, position) };
    });
  }

  // A broker elsewhere: only after the order is committed is it sent (PRODUCT.md §2).
  const { trade } = await ctx.db.transaction((tx) => record(tx, null));
  return { trade: await submitOrder({ ctx, deps, input: { tradeId: trade.id } }), view: null };
}

/**
 * Records the acting user for the audit trigger (what `inTransaction` does in a statement of its
 * own), then finds the user's open position in the contract, locked, or opens one (the unique
 * index on open positions settles a race), with the account of its first buy. One round trip;
 * a second only when a concurrent order opened the position first (then `id` is null).
 */
const openPosition = namedStatement<
  | {
      id: string;
      symbol: string;
      underlying: string;
      option_type: OrderPosition['optionType'];
      strike: string;
      expiration: string;
      held_account_id: string | null;
    }
  | { id: null }
>(
  'bto_open_position',
  `WITH actor AS (
     SELECT set_config('app.actor_id', $1, true)
   ), found AS (
     SELECT id, symbol, underlying, option_type, strike, expiration FROM parent_trades
      WHERE user_id = $1 AND symbol = $2 AND status = 'open' AND source_parent_trade_id IS NULL
        FOR NO KEY UPDATE
   ), created AS (
     INSERT INTO parent_trades (user_id, underlying, option_type, strike, expiration, symbol, opened_at)
     SELECT $1, $3, $4, $5, $6, $2, $7 WHERE NOT EXISTS (SELECT 1 FROM found)
     ON CONFLICT DO NOTHING
     RETURNING id, symbol, underlying, option_type, strike, expiration
   ), position AS (SELECT * FROM found UNION ALL SELECT * FROM created)
   -- Scanning actor first, for every outcome, is what runs set_config.
   SELECT p.*,
          (SELECT t.account_id FROM trades t
            WHERE t.parent_trade_id = p.id AND t.action = 'buy'
            ORDER BY t.created_at LIMIT 1) AS held_account_id
     FROM actor LEFT JOIN position p ON true`,
);

/** The order, `pending`, with its `created` event. */
const insertOrder = namedStatement<Record<string, unknown>>(
  'bto_insert_order',
  `WITH inserted AS (
     INSERT INTO trades (parent_trade_id, user_id, account_id, action, quantity, order_type, limit_price,
                         stop_price, source, status_reason, created_at, submitted_at)
     VALUES ($1, $2, $3, 'buy', $4, $5, $6, $7, 'manual', $8, $9, $10)
     RETURNING *
   ), created AS (
     INSERT INTO order_events (trade_id, type, to_status, idempotency_key, detail, created_at)
     SELECT id, 'created', 'pending', 'created', $11, $9 FROM inserted
   )
   SELECT * FROM inserted`,
);

const toTrade = rowMapper(trades);

/**
 * In one transaction (PRODUCT.md §2): find or open the position, refuse a second account on it,
 * record the order `pending` with its `created` event. Two round trips.
 */
async function recordOrder(
  tx: Transaction,
  ctx: ServiceContext,
  input: {
    userId: string;
    accountId: string;
    contract: { underlying: string; optionType: string; strike: string; expiration: string };
    symbol: string;
    order: BtoInput;
    estimate: CostEstimate;
    submittedAt: Date | null;
  },
): Promise<{ trade: Trade; position: OrderPosition & { symbol: string } }> {
  const { userId, contract, symbol, order, estimate } = input;
  const now = ctx.now().toISOString();
  const positionValues = [
    userId,
    symbol,
    contract.underlying,
    contract.optionType,
    contract.strike,
    contract.expiration,
    now,
  ];
  let [position] = await openPosition(tx, positionValues);
  // A concurrent order opened it after this statement's snapshot: now it is visible.
  if (position?.id === null) [position] = await openPosition(tx, positionValues);
  if (!position || position.id === null) throw new Error('position could not be opened');
  if (position.held_account_id && position.held_account_id !== input.accountId) {
    throw new AppError(
      'CONFLICT',
      'You hold this contract in another brokerage account; select that account to add to it',
    );
  }
  const detail = {
    side: 'BTO',
    ...(estimate.cost !== null
      ? { estimate: toCents(estimate.cost), estimatedBy: estimate.source }
      : { estimate: null }),
  };
  const [row] = await insertOrder(tx, [
    position.id,
    userId,
    input.accountId,
    order.quantity,
    order.orderType,
    order.limitPrice ?? null,
    order.stopPrice ?? null,
    estimate.cost === null ? estimate.reason : null,
    now,
    input.submittedAt?.toISOString() ?? null,
    JSON.stringify(detail),
  ]);
  if (!row) throw new Error('order not recorded');
  return {
    trade: toTrade(row),
    position: {
      id: position.id,
      symbol: position.symbol,
      underlying: position.underlying,
      optionType: position.option_type,
      strike: position.strike,
      expiration: position.expiration,
    },
  };
}
