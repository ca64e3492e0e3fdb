/**
 * The brokerage behind the simulated API: users, their connections and accounts, cash and
 * holdings, quotes, and orders with their fills. It knows nothing of HTTP; what it refuses it
 * refuses as SnapTrade reports a brokerage's refusal (HTTP 400, code 1063).
 *
 * Orders (single-leg options, BUY_TO_OPEN and SELL_TO_CLOSE) trigger, fill and hold back buying
 * power by the paper broker's rules (`paper/fill-rules.ts`): Market orders fill at once at the
 * quote (ask to buy, bid to sell); Limit orders fill when the quote crosses them, at placement or
 * on a later quote change; Stop orders trigger when the quote reaches the stop. Buying more than
 * the free cash (cash less what open buys reserve) or selling more than the free position is
 * refused. Queued outcomes override what the next order does (fill, partial fill, reject, stay
 * pending).
 */
import { CONTRACT_MULTIPLIER, Dec, type Decimal } from '../../../domain/money';
import { buildOccSymbol, type OptionContract, parseOccSymbol } from '../../../domain/occ';
import { hasLimitPrice } from '../../../domain/vocabulary';
import { fillPrice, type OrderTerms, reachesStop, reservePrice, touchPrice } from '../../paper/fill-rules';
import type { OrderType } from '../../port';
import { badRequest } from './errors';
import type { SimulatorIds } from './ids';
import type { NextOrderOutcome, SimulatorControls, SnapTradeOrderStatus } from './types';

export type SimUser = { userId: string; userSecret: string };
export type SimAuthorization = {
  id: string;
  userId: string;
  brokerageId: string;
  brokerSlug: string;
  brokerName: string;
  createdAt: Date;
  /** Whether the brokerage answers `Trading_getOptionImpact` (400 otherwise, as SnapTrade does). */
  optionImpact: boolean;
  /** `read`: a data-only connection (or a brokerage that does not trade through SnapTrade). */
  type: 'read' | 'trade';
  /** A broken connection: data is the last cached state, trading is refused. */
  disabledAt: Date | null;
};
/** `costBasis` is the average price paid per share. */
export type SimPosition = { units: number; costBasis: Decimal };
export type SimAccount = {
  id: string;
  userId: string;
  authorizationId: string;
  number: string;
  name: string;
  rawType: string;
  isPaper: boolean;
  cash: Decimal;
  positions: Map<string, SimPosition>;
  createdAt: Date;
};
export type SimQuote = { bid: Decimal; ask: Decimal; last: Decimal; updatedAt: Date };

/** `Trading_placeMlegOrder`'s order types, and the names order records (and our port) give them. */
export const ORDER_TYPE_OF = {
  MARKET: 'Market',
  LIMIT: 'Limit',
  STOP_LOSS_MARKET: 'Stop',
  STOP_LOSS_LIMIT: 'StopLimit',
} as const satisfies Record<string, OrderType>;
export type MlegOrderType = keyof typeof ORDER_TYPE_OF;

export type SimOrder = {
  id: string;
  accountId: string;
  symbol: string;
  contract: OptionContract;
  action: 'BUY_TO_OPEN' | 'SELL_TO_CLOSE';
  side: 'buy' | 'sell';
  orderType: MlegOrderType;
  timeInForce: string;
  limitPrice: Decimal | null;
  stopPrice: Decimal | null;
  /** When a stop order's stop was reached; it stays triggered. */
  triggeredAt: Date | null;
  /** Only controls fill it (outcome `pending`, or the rest of a `partial`). */
  held: boolean;
  quantity: number;
  filledQuantity: number;
  /** Σ fill quantity × price per share. */
  filledValue: Decimal;
  canceledQuantity: number;
  status: SnapTradeOrderStatus;
  placedAt: Date;
  updatedAt: Date;
  executedAt: Date | null;
};

/** An order as the request describes it, checked. */
export type OrderForm = Pick<
  SimOrder,
  'symbol' | 'contract' | 'action' | 'orderType' | 'timeInForce' | 'limitPrice' | 'stopPrice'
> & { units: number };

export type ConnectAccountInput = Parameters<SimulatorControls['connectAccount']>[0];

/** Brokerages SnapTrade connects read-only (PRODUCT.md §1a); Schwab is read-only by default too. */
export const READ_ONLY_BROKERAGES: ReadonlySet<string> = new Set([
  'ROBINHOOD',
  'INTERACTIVE-BROKERS-FLEX',
  'IBKR',
  'FIDELITY',
  'SCHWAB',
]);

/** What an option order's impact estimate answers (`OptionImpact`), per contract × 100. */
export type SimOptionImpact = { cashChange: Decimal; direction: 'DEBIT' | 'CREDIT'; fees: Decimal };

/** The simulated brokerage's commission per contract. */
export const FEE_PER_CONTRACT = new Dec('0.65');

const OPEN_STATUSES: ReadonlySet<SnapTradeOrderStatus> = new Set([
  'NONE',
  'PENDING',
  'ACCEPTED',
  'PARTIAL',
  'QUEUED',
  'TRIGGERED',
  'ACTIVATED',
  'STOPPED',
  'SUSPENDED',
  'PENDING_RISK_REVIEW',
  'CONTINGENT_ORDER',
  'CANCEL_PENDING',
  'REPLACE_PENDING',
]);

export function isOpen(order: Pick<SimOrder, 'status'>): boolean {
  return OPEN_STATUSES.has(order.status);
}

/** The average price per share of what filled, 4 decimals; null before any fill. */
export function averageFillPrice(order: SimOrder): string | null {
  return order.filledQuantity > 0
    ? order.filledValue.dividedBy(order.filledQuantity).toDecimalPlaces(4).toFixed()
    : null;
}

/** The padded OCC form of a symbol, whatever its case or surrounding spaces. */
export function normalizeSymbol(symbol: string): string {
  return buildOccSymbol(parseOccSymbol(symbol.trim().toUpperCase()));
}

export function tryNormalizeSymbol(symbol: string): string | null {
  try {
    return normalizeSymbol(symbol);
  } catch {
    return null;
  }
}

/** What the fill rules read of an order. */
function terms(order: SimOrder): OrderTerms {
  return {
    side: order.side,
    orderType: ORDER_TYPE_OF[order.orderType],
    limitPrice: order.limitPrice?.toFixed() ?? null,
    stopPrice: order.stopPrice?.toFixed() ?? null,
    triggeredAt: order.triggeredAt,
  };
}

/** The bid and ask as the fill rules read them. */
function touch(quote: SimQuote): { bid: string; ask: string } {
  return { bid: quote.bid.toFixed(), ask: quote.ask.toFixed() };
}

export type BrokerageOptions = {
  ids: SimulatorIds;
  now: () => Date;
  /** Give contracts without a quote a made-up one, stable for `quoteSeed` (development). */
  autoQuotes: boolean;
  quoteSeed: number;
  /** Told of every change to an order: placed, filled, cancelled, status forced. */
  onOrderChanged: (order: SimOrder) => void;
  /** Told when a connection breaks or is fixed. */
  onConnectionChanged?: (authorization: SimAuthorization) => void;
};

export class SimulatedBrokerage {
  readonly users = new Map<string, SimUser>();
  readonly authorizations = new Map<string, SimAuthorization>();
  readonly accounts = new Map<string, SimAccount>();
  readonly orders = new Map<string, SimOrder>();
  private readonly quotes = new Map<string, SimQuote>();
  private readonly outcomes: NextOrderOutcome[] = [];
  private accountCounter = 0;
  private orderCounter = 0;

  constructor(private readonly options: BrokerageOptions) {}

  private now(): Date {
    return this.options.now();
  }

  // ---- Users, connections, accounts -------------------------------------------------------

  /** Registers a user with a fresh secret; refuses one that exists. */
  registerUser(userId: string): SimUser {
    if (this.users.has(userId)) throw badRequest('User already exist', 1010);
    const user = { userId, userSecret: this.options.ids.uuid() };
    this.users.set(userId, user);
    return user;
  }

  /** Deletes a user with their connections, accounts and orders; false when there is none. */
  deleteUser(userId: string): boolean {
    if (!this.users.has(userId)) return false;
    this.users.delete(userId);
    for (const account of [...this.accounts.values()]) {
      if (account.userId !== userId) continue;
      this.accounts.delete(account.id);
      for (const order of [...this.orders.values()]) {
        if (order.accountId === account.id) this.orders.delete(order.id);
      }
    }
    for (const authorization of [...this.authorizations.values()]) {
      if (authorization.userId === userId) this.authorizations.delete(authorization.id);
    }
    return true;
  }

  /** A connected brokerage account for a registered user, as if they finished the portal. */
  connectAccount(input: ConnectAccountInput): { accountId: string; authorizationId: string } {
    const { ids } = this.options;
    if (!this.users.has(input.userId)) throw new Error(`SnapTrade simulator: unknown user ${input.userId}`);
    let authorization = input.authorizationId ? this.authorizations.get(input.authorizationId) : undefined;
    if (input.authorizationId && (!authorization || authorization.userId !== input.userId)) {
      throw new Error(`SnapTrade simulator: unknown connection ${input.authorizationId}`);
    }
    if (!authorization) {
      const slug = input.brokerSlug ?? 'ALPACA';
      authorization = {
        id: ids.uuid(),
        userId: input.userId,
        brokerageId: ids.idFor(`brokerage:${slug}`),
        brokerSlug: slug,
        brokerName: input.brokerName ?? titleCase(slug),
        createdAt: this.now(),
        optionImpact: input.optionImpact ?? true,
        type: input.connectionType ?? (READ_ONLY_BROKERAGES.has(slug) ? 'read' : 'trade'),
        disabledAt: null,
      };
      this.authorizations.set(authorization.id, authorization);
    }
    this.accountCounter += 1;
    const account: SimAccount = {
      id: ids.uuid(),
      userId: input.userId,
      authorizationId: authorization.id,
      number: input.accountNumber ?? `SIM${String(this.accountCounter).padStart(7, '0')}`,
      name: input.accountName ?? `${authorization.brokerName} Individual`,
      rawType: input.rawType ?? 'Margin',
      isPaper: input.isPaper ?? false,
      cash: new Dec(input.cash ?? '100000.00'),
      positions: new Map(),
      createdAt: this.now(),
    };
    for (const position of input.positions ?? []) {
      account.positions.set(normalizeSymbol(position.symbol), {
        units: position.units,
        costBasis: new Dec(position.averagePrice),
      });
    }
    this.accounts.set(account.id, account);
    return { accountId: account.id, authorizationId: authorization.id };
  }

  private requireAccount(accountId: string): SimAccount {
    const account = this.accounts.get(accountId);
    if (!account) throw new Error(`SnapTrade simulator: unknown account ${accountId}`);
    return account;
  }

  setCash(accountId: string, cash: string): void {
    this.requireAccount(accountId).cash = new Dec(cash);
  }

  /** Cash less what open buy orders hold back. */
  buyingPower(account: SimAccount): Decimal {
    let reserved = new Dec(0);
    for (const order of this.orders.values()) {
      if (order.accountId !== account.id || order.side !== 'buy' || !isOpen(order)) continue;
      const quote = this.quoteFor(order.symbol);
      const price = reservePrice(terms(order), quote && touch(quote), new Dec(0));
      reserved = reserved.plus(price.times(order.quantity - order.filledQuantity).times(CONTRACT_MULTIPLIER));
    }
    return account.cash.minus(reserved);
  }

  /** Contracts of `symbol` held less what open sell orders intend to sell. */
  private unitsFree(account: SimAccount, symbol: string): number {
    let reserved = 0;
    for (const order of this.orders.values()) {
      if (order.accountId !== account.id || order.side !== 'sell' || order.symbol !== symbol) continue;
      if (isOpen(order)) reserved += order.quantity - order.filledQuantity;
    }
    return (account.positions.get(symbol)?.units ?? 0) - reserved;
  }

  /** Cash plus the holdings at their last price (their cost when there is no quote). */
  marketValue(account: SimAccount): Decimal {
    let total = account.cash;
    for (const [symbol, position] of account.positions) {
      const price = this.quoteFor(symbol)?.last ?? position.costBasis;
      total = total.plus(price.times(position.units).times(CONTRACT_MULTIPLIER));
    }
    return total;
  }

  // ---- Quotes -------------------------------------------------------------------------------

  quoteFor(symbol: string): SimQuote | null {
    const known = this.quotes.get(symbol);
    if (known || !this.options.autoQuotes) return known ?? null;
    // A made-up but stable quote: mid between 0.50 and 10.49, 10 cents wide.
    const mid = new Dec(50 + (hashString(`${this.options.quoteSeed}:${symbol}`) % 1000)).dividedBy(100);
    const quote = { bid: mid.minus('0.05'), ask: mid.plus('0.05'), last: mid, updatedAt: this.now() };
    this.quotes.set(symbol, quote);
    return quote;
  }

  /** Sets the quote of a contract; open orders it now crosses fill. */
  setQuote(symbol: string, quote: { bid: string; ask: string; last?: string }): void {
    const normalized = normalizeSymbol(symbol);
    this.quotes.set(normalized, {
      bid: new Dec(quote.bid),
      ask: new Dec(quote.ask),
      last: new Dec(quote.last ?? new Dec(quote.bid).plus(quote.ask).dividedBy(2)),
      updatedAt: this.now(),
    });
    for (const order of this.orders.values()) {
      if (order.symbol === normalized && this.work(order)) this.options.onOrderChanged(order);
    }
  }

  // ---- Orders -------------------------------------------------------------------------------

  /** Queues the outcome of the next placed order. */
  queueOutcome(outcome: NextOrderOutcome): void {
    this.outcomes.push(outcome);
  }

  /** `Trading_getOptionImpact`: what the order would cost, without placing it. */
  optionImpact(account: SimAccount, form: OrderForm): SimOptionImpact {
    const authorization = this.authorizations.get(account.authorizationId);
    if (!authorization?.optionImpact) {
      throw badRequest('Option impact is not supported for this brokerage', 1063);
    }
    this.requireTrading(account);
    const quote = this.quoteFor(form.symbol);
    const type = ORDER_TYPE_OF[form.orderType];
    const buying = form.action === 'BUY_TO_OPEN';
    const price = hasLimitPrice(type)
      ? form.limitPrice
      : ((quote && (buying ? quote.ask : quote.bid)) ?? null);
    if (price === null) throw badRequest(`No quote available for ${form.symbol}`, 1063);
    return {
      cashChange: price.times(form.units).times(CONTRACT_MULTIPLIER),
      direction: buying ? 'DEBIT' : 'CREDIT',
      fees: FEE_PER_CONTRACT.times(form.units),
    };
  }

  /** Refuses trading on a read-only or broken connection, as the brokerage would. */
  private requireTrading(account: SimAccount): void {
    const authorization = this.authorizations.get(account.authorizationId);
    if (authorization?.type === 'read') {
      throw badRequest('This connection is read-only: trading is not enabled for this brokerage', 1063);
    }
    if (authorization?.disabledAt) {
      throw badRequest('Unable to trade: the connection is disabled; the user must reconnect', 1063);
    }
  }

  /** Breaks a connection (as an expired brokerage token would) or fixes it. */
  setConnectionDisabled(authorizationId: string, disabled: boolean): SimAuthorization {
    const authorization = this.authorizations.get(authorizationId);
    if (!authorization) throw new Error(`SnapTrade simulator: unknown connection ${authorizationId}`);
    const changed = (authorization.disabledAt !== null) !== disabled;
    authorization.disabledAt = disabled ? (authorization.disabledAt ?? this.now()) : null;
    if (changed) this.options.onConnectionChanged?.(authorization);
    return authorization;
  }

  placeOrder(account: SimAccount, form: OrderForm): SimOrder {
    this.requireTrading(account);
    // Looked at now, consumed only by an order that gets through (or the rejection it asks for).
    const outcome = this.outcomes[0];
    if (outcome?.type === 'reject') {
      this.outcomes.shift();
      throw badRequest(outcome.reason ?? 'Order rejected by the brokerage', 1063);
    }

    this.orderCounter += 1;
    const order: SimOrder = {
      id: `SIM-${String(this.orderCounter).padStart(6, '0')}-${this.options.ids.uuid().slice(0, 8)}`,
      accountId: account.id,
      symbol: form.symbol,
      contract: form.contract,
      action: form.action,
      side: form.action === 'BUY_TO_OPEN' ? 'buy' : 'sell',
      orderType: form.orderType,
      timeInForce: form.timeInForce,
      limitPrice: form.limitPrice,
      stopPrice: form.stopPrice,
      triggeredAt: null,
      held: outcome?.type === 'pending' || outcome?.type === 'partial',
      quantity: form.units,
      filledQuantity: 0,
      filledValue: new Dec(0),
      canceledQuantity: 0,
      status: 'ACCEPTED',
      placedAt: this.now(),
      updatedAt: this.now(),
      executedAt: null,
    };

    const quote = this.quoteFor(order.symbol);
    const explicitPrice =
      outcome && 'price' in outcome && outcome.price !== undefined ? outcome.price : undefined;
    if (order.side === 'buy') {
      const estimate =
        explicitPrice !== undefined
          ? new Dec(explicitPrice)
          : hasLimitPrice(ORDER_TYPE_OF[order.orderType])
            ? order.limitPrice
            : order.orderType === 'STOP_LOSS_MARKET'
              ? Dec.max(order.stopPrice ?? 0, quote?.ask ?? 0)
              : (quote?.ask ?? null);
      if (estimate === null) throw badRequest(`No quote available for ${order.symbol}`, 1063);
      const cost = estimate.times(order.quantity).times(CONTRACT_MULTIPLIER);
      const available = this.buyingPower(account);
      if (cost.gt(available)) {
        throw badRequest(
          `Insufficient buying power: the order needs ${cost.toFixed(2)} USD, ${Dec.max(available, 0).toFixed(2)} USD available`,
          1063,
        );
      }
    } else {
      const available = this.unitsFree(account, order.symbol);
      if (order.quantity > available) {
        throw badRequest(
          `Insufficient position: selling ${order.quantity} contracts of ${order.symbol}, ${Math.max(available, 0)} available to close`,
          1063,
        );
      }
    }
    if (order.orderType === 'MARKET' && !quote && explicitPrice === undefined) {
      throw badRequest(`No quote available for ${order.symbol}`, 1063);
    }

    let forced: { quantity: number; price: Decimal } | null = null;
    if (outcome?.type === 'fill' || outcome?.type === 'partial') {
      const price = this.forcedPrice(order, explicitPrice);
      if (price === null) throw badRequest(`No price to fill ${order.symbol} at`, 1063);
      const quantity = outcome.type === 'fill' ? order.quantity : Math.min(outcome.quantity, order.quantity);
      forced = { quantity, price };
    }

    if (outcome) this.outcomes.shift();
    this.orders.set(order.id, order);
    if (forced) this.applyFill(order, forced.quantity, forced.price);
    else this.work(order);
    this.options.onOrderChanged(order);
    return order;
  }

  /** Cancels what remains of an open order of `account`. */
  cancelOrder(account: SimAccount, orderId: string): SimOrder {
    const order = this.orders.get(orderId);
    if (!order || order.accountId !== account.id) throw badRequest(`Order ${orderId} not found`, 1011);
    if (!isOpen(order)) {
      throw badRequest(`Order ${orderId} cannot be cancelled: it is ${order.status}`, 1064);
    }
    order.canceledQuantity = order.quantity - order.filledQuantity;
    order.status = 'CANCELED';
    order.updatedAt = this.now();
    this.options.onOrderChanged(order);
    return order;
  }

  /** The account's orders placed in the last `days` days, in a state, newest first. */
  ordersOf(account: SimAccount, state: 'all' | 'open' | 'executed', days: number): SimOrder[] {
    const since = this.now().getTime() - days * 86_400_000;
    return [...this.orders.values()]
      .filter((order) => order.accountId === account.id && order.placedAt.getTime() >= since)
      .filter((order) =>
        state === 'open' ? isOpen(order) : state === 'executed' ? order.status === 'EXECUTED' : true,
      )
      .sort((a, b) => b.placedAt.getTime() - a.placedAt.getTime());
  }

  private requireOrder(brokerOrderId: string): SimOrder {
    const order = this.orders.get(brokerOrderId);
    if (!order) throw new Error(`SnapTrade simulator: unknown order ${brokerOrderId}`);
    return order;
  }

  /** Fills an open order, all of the rest or `quantity`, at `price` or the quote. */
  fillOrder(brokerOrderId: string, fill: { quantity?: number; price?: string }): void {
    const order = this.requireOrder(brokerOrderId);
    if (!isOpen(order)) {
      throw new Error(`SnapTrade simulator: order ${brokerOrderId} is ${order.status}, not open`);
    }
    const remaining = order.quantity - order.filledQuantity;
    const quantity = Math.min(fill.quantity ?? remaining, remaining);
    const price = this.forcedPrice(order, fill.price);
    if (price === null) throw new Error(`SnapTrade simulator: no price to fill ${order.symbol} at`);
    this.applyFill(order, quantity, price);
    this.options.onOrderChanged(order);
  }

  setOrderStatus(brokerOrderId: string, status: SnapTradeOrderStatus): void {
    const order = this.requireOrder(brokerOrderId);
    order.status = status;
    order.updatedAt = this.now();
    this.options.onOrderChanged(order);
  }

  /**
   * The price an order would execute at now, or null if it would not. A stop order whose stop
   * the quote has reached is marked triggered here, and stays so.
   */
  private executablePrice(order: SimOrder, quote: SimQuote | null): Decimal | null {
    if (!quote) return null;
    const sides = touch(quote);
    if (!order.triggeredAt && reachesStop(terms(order), sides)) order.triggeredAt = this.now();
    return fillPrice(terms(order), sides);
  }

  /** Price for a fill a control forces: given, else the quote bounded by the limit, else the limit. */
  private forcedPrice(order: SimOrder, explicit: string | undefined): Decimal | null {
    if (explicit !== undefined) return new Dec(explicit);
    const quote = this.quoteFor(order.symbol);
    let price = quote ? touchPrice(order.side, touch(quote)) : null;
    const limit = order.limitPrice;
    if (limit !== null) {
      if (price === null) price = limit;
      else price = order.side === 'buy' ? Dec.min(price, limit) : Dec.max(price, limit);
    }
    return price ?? order.stopPrice;
  }

  /** Fills a working order if the quote now allows it. */
  private work(order: SimOrder): boolean {
    if (order.held || !isOpen(order)) return false;
    const price = this.executablePrice(order, this.quoteFor(order.symbol));
    if (price === null) return false;
    this.applyFill(order, order.quantity - order.filledQuantity, price);
    return true;
  }

  private applyFill(order: SimOrder, quantity: number, price: Decimal): void {
    const account = this.accounts.get(order.accountId);
    if (!account) throw new Error(`order ${order.id} has no account`);
    const value = price.times(quantity).times(CONTRACT_MULTIPLIER);
    const position = account.positions.get(order.symbol);
    if (order.side === 'buy') {
      account.cash = account.cash.minus(value);
      const units = (position?.units ?? 0) + quantity;
      const cost = (position?.costBasis ?? new Dec(0))
        .times(position?.units ?? 0)
        .plus(price.times(quantity));
      account.positions.set(order.symbol, { units, costBasis: cost.dividedBy(units) });
    } else {
      account.cash = account.cash.plus(value);
      const units = (position?.units ?? 0) - quantity;
      if (units <= 0 || !position) account.positions.delete(order.symbol);
      else account.positions.set(order.symbol, { units, costBasis: position.costBasis });
    }
    order.filledQuantity += quantity;
    order.filledValue = order.filledValue.plus(price.times(quantity));
    order.updatedAt = this.now();
    if (order.filledQuantity >= order.quantity) {
      order.status = 'EXECUTED';
      order.executedAt = order.updatedAt;
    } else {
      order.status = 'PARTIAL';
    }
  }
}

function titleCase(slug: string): string {
  return slug
    .toLowerCase()
    .split(/[-_ ]+/)
    .map((word) => (word ? `${word[0]?.toUpperCase() ?? ''}${word.slice(1)}` : word))
    .join(' ');
}

/** FNV-1a, 32 bits: a stable number for a text. */
function hashString(text: string): number {
  let hash = 2_166_136_261;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 16_777_619) >>> 0;
  }
  return hash;
}
