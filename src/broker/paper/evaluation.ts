/**
 * What the market does to a working order, and what working orders hold back of an account.
 * Pure and synchronous: the book applies the outcome to its rows one account at a time, and a
 * batch of placements applies the same outcomes to thousands of accounts with a few statements.
 */
import type { PaperOrderRow } from '../../db/schema/paper-rows';
import { CONTRACT_MULTIPLIER, Dec, type Decimal, toCents, toPriceString } from '../../domain/money';
import { parseOccSymbol } from '../../domain/occ';
import { isWorkingOrderStatus } from '../../domain/order-status';
import type { OrderSide } from '../port';
import { fillPrice, reachesStop, reservePrice } from './fill-rules';
import type { MarketView } from './market';

/** What an evaluation reads of an order. */
export type OrderState = Pick<
  PaperOrderRow,
  | 'symbol'
  | 'side'
  | 'orderType'
  | 'limitPrice'
  | 'stopPrice'
  | 'timeInForce'
  | 'status'
  | 'quantity'
  | 'filledQuantity'
  | 'averageFillPrice'
  | 'triggeredAt'
  | 'reason'
  | 'createdAt'
>;

/** The columns an evaluation changes. */
export type OrderChanges = Pick<
  PaperOrderRow,
  'status' | 'filledQuantity' | 'averageFillPrice' | 'triggeredAt' | 'reason'
>;

/** Contracts traded at `price`; `amount` is what they cost or bring in: quantity × price × 100. */
export type Fill = { quantity: number; price: Decimal; amount: Decimal };

/** What the market alone says of an order, before the account's cash or position is asked. */
export type Assessment =
  /** Nothing to record. */
  | { kind: 'unchanged' }
  /** Cancel what remains, with this reason: the contract expired or the day ended. */
  | { kind: 'lapsed'; reason: string }
  /**
   * `price` is what it fills at now (null when it does not), `quantity` what the quote's size
   * lets fill; `triggeredAt` the stop's trigger time, recorded or just reached.
   */
  | { kind: 'priced'; triggeredAt: Date | null; price: Decimal | null; quantity: number };

export type Evaluation =
  | { kind: 'unchanged' }
  | { kind: 'lapsed'; reason: string }
  /** Apply `fill` (if any) to cash and position, and record `changes` on the order. */
  | { kind: 'changed'; fill: Fill | null; changes: OrderChanges };

const UNCHANGED = { kind: 'unchanged' } as const;

export function remainingOf(order: Pick<PaperOrderRow, 'quantity' | 'filledQuantity'>): number {
  return order.quantity - order.filledQuantity;
}

function notional(price: Decimal, quantity: number): Decimal {
  return price.times(quantity).times(CONTRACT_MULTIPLIER);
}

/**
 * The market's part of bringing a working order up to date: it lapses when its contract
 * expired or its day ended, its stop may be reached, and the quote and its size (less
 * `liquidityUsed`, what this operation already filled of the symbol and side) say how many
 * contracts could fill at what price.
 */
export function assessOrder(order: OrderState, market: MarketView, liquidityUsed: number): Assessment {
  if (!isWorkingOrderStatus(order.status)) return UNCHANGED;
  const { expiration } = market.symbol(order.symbol)?.contract ?? parseOccSymbol(order.symbol);
  if (market.hasExpired(expiration)) return { kind: 'lapsed', reason: 'Contract expired' };
  if (
    order.timeInForce === 'Day' &&
    market.now.getTime() >= market.dayOrderDeadline(order.createdAt).getTime()
  ) {
    return { kind: 'lapsed', reason: 'Day order expired at the close' };
  }
  const quote = market.quote(order.symbol);
  if (!quote) return UNCHANGED;

  const triggeredAt = order.triggeredAt ?? (reachesStop(order, quote) ? market.now : null);
  const { side, orderType, limitPrice, stopPrice } = order;
  const price = fillPrice({ side, orderType, limitPrice, stopPrice, triggeredAt }, quote);
  if (!price) return { kind: 'priced', triggeredAt, price, quantity: 0 };
  const liquidity =
    quote.size === undefined ? Number.POSITIVE_INFINITY : Math.max(0, quote.size - liquidityUsed);
  return { kind: 'priced', triggeredAt, price, quantity: Math.min(remainingOf(order), liquidity) };
}

/**
 * The account's part: fills what the cash (for a buy) or the position (for a sell) covers of
 * what the market offers, and cancels the rest when they fall short. `held` (contracts of the
 * order's symbol) only counts for a sell with a price.
 */
export function settleOrder(
  order: OrderState,
  assessment: Assessment,
  cash: Decimal,
  held: number,
): Evaluation {
  if (assessment.kind !== 'priced') return assessment;
  const { triggeredAt, price } = assessment;
  let quantity = assessment.quantity;
  let amount: Decimal | null = null;
  let shortfall: string | null = null;
  if (price) {
    if (order.side === 'buy') {
      // Whole contracts the cash pays for, without dividing when it pays for them all.
      amount = notional(price, quantity);
      if (!price.isZero() && amount.gt(cash)) {
        quantity = cash.dividedBy(price.times(CONTRACT_MULTIPLIER)).floor().toNumber();
        amount = notional(price, quantity);
        shortfall = `Cancelled: not enough cash to fill the rest at ${toCents(price)}`;
      }
    } else {
      if (held < quantity) {
        quantity = held;
        shortfall = 'Cancelled: the position no longer covers the rest';
      }
      amount = notional(price, quantity);
    }
  }

  if (quantity === 0 && shortfall === null && triggeredAt === order.triggeredAt) return UNCHANGED;
  const filledQuantity = order.filledQuantity + quantity;
  let averageFillPrice = order.averageFillPrice;
  if (quantity > 0 && price) {
    averageFillPrice = toPriceString(
      order.filledQuantity === 0
        ? price
        : new Dec(order.averageFillPrice ?? '0')
            .times(order.filledQuantity)
            .plus(price.times(quantity))
            .dividedBy(filledQuantity),
    );
  }
  const status =
    filledQuantity === order.quantity
      ? 'filled'
      : shortfall
        ? 'cancelled'
        : filledQuantity > 0
          ? 'partial'
          : 'pending';
  return {
    kind: 'changed',
    fill: quantity > 0 && price && amount ? { quantity, price, amount } : null,
    changes: {
      status,
      filledQuantity,
      averageFillPrice,
      triggeredAt,
      reason: status === 'cancelled' ? shortfall : order.reason,
    },
  };
}

/** Both parts at once, for callers that know the position already. */
export function evaluateOrder(
  order: OrderState,
  market: MarketView,
  account: { liquidityUsed: number; cash: Decimal; held: number },
): Evaluation {
  return settleOrder(order, assessOrder(order, market, account.liquidityUsed), account.cash, account.held);
}

/** What reserving and committing read of a working order: its terms and fills, not its lifecycle. */
type WorkingOrder = Omit<OrderState, 'timeInForce' | 'status' | 'reason' | 'createdAt'>;

/** What working buy orders hold back: their reserve price × remaining contracts × 100. */
function reservedForBuys(buys: readonly WorkingOrder[], market: MarketView): Decimal {
  let reserved = new Dec(0);
  for (const order of buys) {
    const fallback = new Dec(order.averageFillPrice ?? order.stopPrice ?? '0');
    const price = reservePrice(order, market.quote(order.symbol), fallback);
    reserved = reserved.plus(notional(price, remainingOf(order)));
  }
  return reserved;
}

/** Cash less what working buy orders reserve, never below zero. */
export function buyingPower(cash: Decimal, working: readonly WorkingOrder[], market: MarketView): Decimal {
  const buys = working.filter((order) => order.side === 'buy');
  if (buys.length === 0) return cash.isNegative() ? new Dec(0) : cash;
  return Dec.max(0, cash.minus(reservedForBuys(buys, market)));
}

/** Contracts of `symbol` that working sell orders still intend to sell. */
export function committedToSell(working: readonly WorkingOrder[], symbol: string): number {
  let committed = 0;
  for (const order of working) {
    if (order.side === 'sell' && order.symbol === symbol) committed += remainingOf(order);
  }
  return committed;
}

/** Cash after a fill: a buy pays its amount, a sell brings it in. */
export function cashAfterFill(cash: Decimal, side: OrderSide, fill: Fill): Decimal {
  return side === 'buy' ? cash.minus(fill.amount) : cash.plus(fill.amount);
}

export type Holding = { quantity: number; cost: string };

/** What a buy adds to a position's cost (Σ quantity × price, per contract). */
export function costOfBuy(fill: Fill): string {
  return fill.price.times(fill.quantity).toFixed();
}

/**
 * A position after a sell: the contracts sold take their share of the cost at the average
 * price. Throws on selling more than held.
 */
export function positionAfterSell(position: Holding | null, fill: Fill, symbol: string): Holding {
  if (!position || position.quantity < fill.quantity) throw new Error(`oversell of ${symbol}`);
  const left = position.quantity - fill.quantity;
  const cost = left === 0 ? '0' : new Dec(position.cost).times(left).dividedBy(position.quantity).toFixed(6);
  return { quantity: left, cost };
}
