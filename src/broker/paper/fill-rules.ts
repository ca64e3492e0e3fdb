/**
 * How the paper broker decides that a working order triggers, at what price it fills and what
 * it reserves of the buying power. Pure: the book applies these to its rows.
 */
import { easternDate, isTradingDay, marketClose, nextTradingDay } from '../../domain/market-calendar';
import { Dec, type Decimal } from '../../domain/money';
import { hasLimitPrice, hasStopPrice } from '../../domain/vocabulary';
import type { OrderSide, OrderType, Quote } from '../port';

export type OrderTerms = {
  side: OrderSide;
  orderType: OrderType;
  /** Decimal strings, per contract. */
  limitPrice: string | null;
  stopPrice: string | null;
  /** When a Stop or StopLimit order's stop was reached; null before. */
  triggeredAt: Date | null;
};

function required(price: string | null, name: string): Decimal {
  if (price === null) throw new Error(`order without its ${name} price`);
  return new Dec(price);
}

/** The price this order trades at on its side of the quote: the ask to buy, the bid to sell. */
export function touchPrice(side: OrderSide, quote: Pick<Quote, 'bid' | 'ask'>): Decimal {
  return new Dec(side === 'buy' ? quote.ask : quote.bid);
}

/**
 * Whether a Stop or StopLimit order's stop is reached by this quote: a buy stop when the ask
 * rises to it, a sell stop when the bid falls to it. Other orders have no stop to reach.
 */
export function reachesStop(order: OrderTerms, quote: Pick<Quote, 'bid' | 'ask'>): boolean {
  if (!hasStopPrice(order.orderType)) return false;
  const stop = required(order.stopPrice, 'stop');
  const touch = touchPrice(order.side, quote);
  return order.side === 'buy' ? touch.gte(stop) : touch.lte(stop);
}

/** What the order behaves as now: a triggered Stop is a Market order, a triggered StopLimit a Limit. */
export function effectiveType(order: OrderTerms): 'Market' | 'Limit' | 'Untriggered' {
  switch (order.orderType) {
    case 'Market':
    case 'Limit':
      return order.orderType;
    case 'Stop':
      return order.triggeredAt ? 'Market' : 'Untriggered';
    case 'StopLimit':
      return order.triggeredAt ? 'Limit' : 'Untriggered';
  }
}

/**
 * The price the order fills at against this quote, or null if it does not fill. Market orders
 * take the touch; a Limit buy fills at the ask when the ask is at or below the limit, a Limit
 * sell at the bid when the bid is at or above it. Call after recording a trigger.
 */
export function fillPrice(order: OrderTerms, quote: Pick<Quote, 'bid' | 'ask'>): Decimal | null {
  const type = effectiveType(order);
  if (type === 'Untriggered') return null;
  const touch = touchPrice(order.side, quote);
  if (type === 'Market') return touch;
  const limit = required(order.limitPrice, 'limit');
  const crosses = order.side === 'buy' ? touch.lte(limit) : touch.gte(limit);
  return crosses ? touch : null;
}

/**
 * The price per contract a working buy holds back from the buying power: the limit of a Limit
 * or StopLimit order (the most it can pay), the stop of a Stop order until triggered, and the
 * current ask for a Market order or a triggered Stop (`fallback` when there is no quote).
 */
export function reservePrice(
  order: OrderTerms,
  quote: Pick<Quote, 'ask'> | null,
  fallback: Decimal,
): Decimal {
  if (hasLimitPrice(order.orderType)) return required(order.limitPrice, 'limit');
  if (order.orderType === 'Stop' && !order.triggeredAt) return required(order.stopPrice, 'stop');
  return quote ? new Dec(quote.ask) : fallback;
}

/**
 * When a Day order placed at `placedAt` lapses: the close of its trading session, that is the
 * close of the same day when placed before it on a trading day, otherwise the next trading
 * day's close.
 */
export function dayOrderDeadline(placedAt: Date): Date {
  const date = easternDate(placedAt);
  const sameDayClose = isTradingDay(date) ? marketClose(date) : null;
  if (sameDayClose && placedAt.getTime() < sameDayClose.getTime()) return sameDayClose;
  const nextClose = marketClose(nextTradingDay(date));
  if (!nextClose) throw new Error(`no market close after ${date}`);
  return nextClose;
}
