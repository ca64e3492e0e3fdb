/**
 * The built-in paper broker (PRODUCT.md §2 "Brokers"): a simulated brokerage whose books live in
 * the `paper_*` tables. Orders fill against a `QuoteSource` at the clock's time; nothing runs in
 * the background, so working orders are brought up to date whenever the broker is asked about
 * the account. Given a quote source and a clock, every outcome is deterministic.
 *
 * Each operation is one transaction holding the account's `paper_accounts` row locked, so any
 * number of processes may use the same account at once without overspending its cash or
 * overselling a position.
 */
import { eq } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client';
import { paperAccounts } from '../../db/schema';
import { expiryInstant, hasExpired } from '../../domain/market-calendar';
import {
  CONTRACT_MULTIPLIER,
  Dec,
  parseDecimal,
  safeParseDecimal,
  toCents,
  toPriceString,
} from '../../domain/money';
import { buildOccSymbol, safeParseOccSymbol } from '../../domain/occ';
import type {
  Balances,
  Broker,
  BrokerAccountRef,
  BrokerOrder,
  BrokerPosition,
  OrderSide,
  OrderType,
  PlaceOrderRequest,
  PlaceOrderResult,
  Quote,
  TimeInForce,
} from '../port';
import { type NewPaperOrder, PaperBook, type PaperOrderRow, type Transaction } from './book';
import { reservePrice } from './fill-rules';
import type { QuoteSource } from './quotes';

export type PaperBrokerOptions = {
  db: Database;
  quotes: QuoteSource;
  /** The clock; the system clock unless told. */
  now?: () => Date;
};

/** The account has no paper account (see `openPaperAccount`). */
export class PaperAccountNotFoundError extends Error {
  override name = 'PaperAccountNotFoundError';
  constructor(readonly accountId: string) {
    super(`no paper account for account ${accountId}`);
  }
}

/** No order with this id in the account's books. */
export class PaperOrderNotFoundError extends Error {
  override name = 'PaperOrderNotFoundError';
  constructor(readonly brokerOrderId: string) {
    super(`no paper order ${brokerOrderId}`);
  }
}

/** `getQuote` for a contract without a quote: expired, or unknown to the quote source. */
export class QuoteUnavailableError extends Error {
  override name = 'QuoteUnavailableError';
  constructor(readonly symbol: string) {
    super(`no quote for '${symbol}'`);
  }
}

type RejectionCode = Extract<PlaceOrderResult, { ok: false }>['code'];

/**
 * Every rejection reason starts with its code's phrase, so a rejection read back from the books
 * (a retried placement with the same client order id) reports the same code as the first time.
 */
const REJECTION_PHRASES: Record<RejectionCode, string> = {
  insufficient_buying_power: 'Insufficient buying power',
  expired_contract: 'Contract not tradable',
  insufficient_position: 'Insufficient position',
  rejected: 'Order rejected',
};

function rejectionCode(reason: string | null): RejectionCode {
  for (const [code, phrase] of Object.entries(REJECTION_PHRASES) as [RejectionCode, string][]) {
    if (reason?.startsWith(`${phrase}:`)) return code;
  }
  return 'rejected';
}

function rejectionReason(code: RejectionCode, detail: string): string {
  return `${REJECTION_PHRASES[code]}: ${detail}`;
}

/** A generous ceiling: the app allows 1–1000; this only keeps values inside the column. */
const MAX_ORDER_QUANTITY = 100_000;
/** `numeric(10,4)` holds prices below one million. */
const MAX_PRICE = '999999.9999';

const ORDER_SIDES: readonly OrderSide[] = ['buy', 'sell'];
const ORDER_TYPES: readonly OrderType[] = ['Market', 'Limit', 'Stop', 'StopLimit'];
const TIMES_IN_FORCE: readonly TimeInForce[] = ['Day', 'GTC'];

type ValidOrder = NewPaperOrder & { expiration: string };

type RequestCheck =
  | { ok: true; order: ValidOrder }
  /** `draft` is what can be recorded of a malformed request; null when not even that fits. */
  | { ok: false; detail: string; draft: NewPaperOrder | null };

type PriceCheck = { ok: true; price: string } | { ok: false; problem: string };

/** A limit or stop price: positive, at most 4 decimals, small enough for `numeric(10,4)`. */
function checkOrderPrice(value: string | undefined, field: string): PriceCheck {
  if (value === undefined) return { ok: false, problem: `${field} is required for this order type` };
  const parsed = safeParseDecimal(value, { field, sign: 'positive', maxDecimals: 4 });
  if (!parsed.ok || parsed.value.gt(MAX_PRICE)) {
    return { ok: false, problem: `${field} must be a price from 0.0001 to ${MAX_PRICE}, got '${value}'` };
  }
  return { ok: true, price: toPriceString(parsed.value) };
}

/** Checks a request as a broker would before accepting it. */
function checkRequest(request: PlaceOrderRequest): RequestCheck {
  const sideOk = ORDER_SIDES.includes(request.side);
  const typeOk = ORDER_TYPES.includes(request.orderType);
  const quantityOk =
    Number.isSafeInteger(request.quantity) && request.quantity >= 1 && request.quantity <= MAX_ORDER_QUANTITY;
  const timeInForce = TIMES_IN_FORCE.includes(request.timeInForce) ? request.timeInForce : null;
  const symbol = safeParseOccSymbol(request.symbol);

  const needsLimit = request.orderType === 'Limit' || request.orderType === 'StopLimit';
  const needsStop = request.orderType === 'Stop' || request.orderType === 'StopLimit';
  const limit = needsLimit ? checkOrderPrice(request.limitPrice, 'limitPrice') : null;
  const stop = needsStop ? checkOrderPrice(request.stopPrice, 'stopPrice') : null;

  const draft: NewPaperOrder | null =
    sideOk && typeOk && quantityOk
      ? {
          clientOrderId: request.clientOrderId,
          symbol: symbol.ok ? buildOccSymbol(symbol.value) : request.symbol,
          side: request.side,
          quantity: request.quantity,
          orderType: request.orderType,
          limitPrice: limit?.ok ? limit.price : null,
          stopPrice: stop?.ok ? stop.price : null,
          timeInForce: timeInForce ?? 'Day',
          status: 'pending',
        }
      : null;

  const problems = [
    sideOk ? null : `side must be buy or sell, got '${String(request.side)}'`,
    typeOk ? null : `orderType must be one of ${ORDER_TYPES.join(', ')}, got '${String(request.orderType)}'`,
    quantityOk
      ? null
      : `quantity must be a whole number from 1 to ${MAX_ORDER_QUANTITY}, got ${request.quantity}`,
    timeInForce ? null : `timeInForce must be Day or GTC, got '${String(request.timeInForce)}'`,
    symbol.ok ? null : `invalid option symbol '${request.symbol}'`,
    limit && !limit.ok ? limit.problem : null,
    stop && !stop.ok ? stop.problem : null,
    request.clientOrderId ? null : 'clientOrderId is required',
  ].filter((problem): problem is string => problem !== null);

  if (problems.length > 0 || !draft || !symbol.ok) {
    return { ok: false, detail: problems.join('; '), draft: request.clientOrderId ? draft : null };
  }
  return { ok: true, order: { ...draft, expiration: symbol.value.expiration } };
}

function toBrokerOrder(row: PaperOrderRow): BrokerOrder {
  const order: BrokerOrder = {
    brokerOrderId: row.id,
    symbol: row.symbol,
    side: row.side,
    orderType: row.orderType,
    status: row.status,
    quantity: row.quantity,
    filledQuantity: row.filledQuantity,
    averageFillPrice: row.averageFillPrice,
    updatedAt: row.updatedAt,
  };
  if (row.clientOrderId !== null) order.clientOrderId = row.clientOrderId;
  if (row.reason !== null) order.reason = row.reason;
  return order;
}

/** What a placement answers for an order already in the books. */
function placementResult(row: PaperOrderRow): PlaceOrderResult {
  if (row.status === 'rejected') {
    const reason = row.reason ?? REJECTION_PHRASES.rejected;
    return { ok: false, code: rejectionCode(reason), reason };
  }
  return { ok: true, order: toBrokerOrder(row) };
}

export class PaperBroker implements Broker {
  private readonly db: Database;
  private readonly quotes: QuoteSource;
  private readonly now: () => Date;

  constructor(options: PaperBrokerOptions) {
    this.db = options.db;
    this.quotes = options.quotes;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Runs `work` in a transaction on the account's locked books, after bringing its working
   * orders up to date unless told not to. `missing` answers when the account has no books.
   */
  private inBook<T>(
    accountId: string,
    work: (book: PaperBook) => Promise<T>,
    missing: () => T,
    options: { evaluate: boolean } = { evaluate: true },
  ): Promise<T> {
    const now = this.now();
    return this.db.transaction(async (tx: Transaction) => {
      const book = await PaperBook.open(tx, accountId, now, this.quotes);
      if (!book) return missing();
      if (options.evaluate) await book.evaluateWorkingOrders();
      return work(book);
    });
  }

  placeOrder(account: BrokerAccountRef, request: PlaceOrderRequest): Promise<PlaceOrderResult> {
    const unknownAccount = (): PlaceOrderResult => ({
      ok: false,
      code: 'rejected',
      reason: rejectionReason('rejected', `unknown paper account ${account.accountId}`),
    });
    return this.inBook(account.accountId, (book) => this.place(book, request), unknownAccount);
  }

  private async place(book: PaperBook, request: PlaceOrderRequest): Promise<PlaceOrderResult> {
    const existing = request.clientOrderId ? await book.findByClientOrderId(request.clientOrderId) : null;
    if (existing) return placementResult(existing);

    const check = checkRequest(request);
    if (!check.ok) {
      const reason = rejectionReason('rejected', check.detail);
      if (check.draft) await book.insertOrder({ ...check.draft, status: 'rejected', reason });
      return { ok: false, code: 'rejected', reason };
    }
    const { expiration, ...order } = check.order;
    const reject = async (code: RejectionCode, detail: string): Promise<PlaceOrderResult> => {
      const reason = rejectionReason(code, detail);
      await book.insertOrder({ ...order, status: 'rejected', reason });
      return { ok: false, code, reason };
    };

    if (hasExpired(expiration, book.now)) {
      return reject(
        'expired_contract',
        `${order.symbol} stopped trading at ${expiryInstant(expiration).toISOString()}`,
      );
    }
    const quote = book.quote(order.symbol);
    if (!quote) return reject('expired_contract', `no quote for ${order.symbol}`);

    if (order.side === 'sell') {
      const held = (await book.position(order.symbol))?.quantity ?? 0;
      const committed = await book.committedToSell(order.symbol);
      const available = held - committed;
      if (order.quantity > available) {
        return reject(
          'insufficient_position',
          `selling ${order.quantity} of ${order.symbol}, ${Math.max(0, available)} available ` +
            `(${held} held, ${committed} in working sell orders)`,
        );
      }
    } else {
      const terms = {
        side: order.side,
        orderType: order.orderType,
        limitPrice: order.limitPrice ?? null,
        stopPrice: order.stopPrice ?? null,
        triggeredAt: null,
      };
      const cost = reservePrice(terms, quote, new Dec(quote.ask))
        .times(order.quantity)
        .times(CONTRACT_MULTIPLIER);
      const buyingPower = await book.buyingPower();
      if (cost.gt(buyingPower)) {
        return reject(
          'insufficient_buying_power',
          `the order needs ${toCents(cost)}, buying power is ${toCents(buyingPower)}`,
        );
      }
    }

    const placed = await book.insertOrder({ ...order, status: 'pending' });
    return { ok: true, order: toBrokerOrder(await book.evaluate(placed)) };
  }

  /**
   * Cancels what remains of a working order, as of the request: the order is not evaluated
   * first, so a cancel wins over a quote that moved while nobody asked. A filled, cancelled or
   * rejected order comes back unchanged.
   */
  cancelOrder(account: BrokerAccountRef, brokerOrderId: string): Promise<BrokerOrder> {
    return this.inBook(
      account.accountId,
      async (book) => {
        const order = await book.findOrder(brokerOrderId);
        if (!order) throw new PaperOrderNotFoundError(brokerOrderId);
        return toBrokerOrder(await book.cancel(order, 'Cancelled by request'));
      },
      () => {
        throw new PaperAccountNotFoundError(account.accountId);
      },
      { evaluate: false },
    );
  }

  getOrder(account: BrokerAccountRef, brokerOrderId: string): Promise<BrokerOrder | null> {
    return this.inBook(
      account.accountId,
      async (book) => {
        const order = await book.findOrder(brokerOrderId);
        return order ? toBrokerOrder(order) : null;
      },
      () => null,
    );
  }

  /** Every order of the account, newest first (a paper account's history stays small). */
  listOrders(account: BrokerAccountRef): Promise<BrokerOrder[]> {
    return this.inBook(
      account.accountId,
      async (book) => (await book.allOrders()).map(toBrokerOrder),
      () => [],
    );
  }

  getBalances(account: BrokerAccountRef): Promise<Balances> {
    return this.inBook(
      account.accountId,
      async (book) => ({
        cash: toCents(book.cash),
        buyingPower: toCents(await book.buyingPower()),
        currency: 'USD',
      }),
      () => {
        throw new PaperAccountNotFoundError(account.accountId);
      },
    );
  }

  getPositions(account: BrokerAccountRef): Promise<BrokerPosition[]> {
    return this.inBook(
      account.accountId,
      async (book) =>
        (await book.openPositions()).map((position) => ({
          symbol: position.symbol,
          quantity: position.quantity,
          averagePrice: toPriceString(parseDecimal(position.cost).dividedBy(position.quantity)),
        })),
      () => {
        throw new PaperAccountNotFoundError(account.accountId);
      },
    );
  }

  /** The quote at the clock's time. Throws `QuoteUnavailableError` when the contract has none. */
  async getQuote(_account: BrokerAccountRef, symbol: string): Promise<Quote> {
    const now = this.now();
    const contract = safeParseOccSymbol(symbol);
    // Like placement: an expired contract has no quote, whatever the source holds for it.
    if (contract.ok && hasExpired(contract.value.expiration, now)) throw new QuoteUnavailableError(symbol);
    const quote = this.quotes.quote(symbol, now);
    if (!quote) throw new QuoteUnavailableError(symbol);
    return { symbol: quote.symbol, bid: quote.bid, ask: quote.ask, last: quote.last };
  }
}

/**
 * Opens the paper books of an existing `accounts` row with `startingCash` (a decimal string).
 * Idempotent: an account that already has books keeps them and its cash.
 */
export async function openPaperAccount(
  db: Executor,
  accountId: string,
  startingCash: string,
): Promise<{ accountId: string; cash: string }> {
  const cash = toCents(
    parseDecimal(startingCash, { field: 'startingCash', sign: 'nonNegative', maxDecimals: 2 }),
  );
  await db.insert(paperAccounts).values({ accountId, cash }).onConflictDoNothing();
  const [row] = await db
    .select({ accountId: paperAccounts.accountId, cash: paperAccounts.cash })
    .from(paperAccounts)
    .where(eq(paperAccounts.accountId, accountId));
  if (!row) throw new PaperAccountNotFoundError(accountId);
  return row;
}
