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
import type { Database, Executor, Transaction } from '../../db/client';
import { paperAccounts } from '../../db/schema';
import { hasExpired } from '../../domain/market-calendar';
import { parseDecimal, toCents, toPriceString } from '../../domain/money';
import { safeParseOccSymbol } from '../../domain/occ';
import type {
  Balances,
  BatchOrder,
  Broker,
  BrokerAccountRef,
  BrokerOrder,
  BrokerPosition,
  PlaceOrderRequest,
  PlaceOrderResult,
  Quote,
} from '../port';
import { placeBatch } from './batch';
import { PaperBook } from './book';
import { MarketView } from './market';
import { toBrokerOrder, unknownAccountResult } from './placement';
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

export class PaperBroker implements Broker {
  readonly deduplicatesClientOrderIds = true;
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
    const market = new MarketView(this.now(), this.quotes);
    return this.db.transaction(async (tx: Transaction) => {
      const book = await PaperBook.open(tx, accountId, market);
      if (!book) return missing();
      if (options.evaluate) await book.evaluateWorkingOrders();
      return work(book);
    });
  }

  /**
   * One order is a batch of one: the batch answers exactly as the account's book would (it sends
   * an account down the book's path when anything could set it apart), in 3 statements instead
   * of the book's 8 for the common case of an account with nothing working.
   */
  async placeOrder(account: BrokerAccountRef, request: PlaceOrderRequest): Promise<PlaceOrderResult> {
    const [result] = await this.placeOrders([{ account, request }]);
    return result ?? unknownAccountResult(account.accountId);
  }

  /**
   * Places every item as `placeOrder` would, one after the other, in one transaction over all
   * their accounts, with a constant number of statements for accounts that get one order and
   * have no working order that the market would change (see `placeBatch`).
   */
  async placeOrders(items: BatchOrder[]): Promise<PlaceOrderResult[]> {
    if (items.length === 0) return [];
    const market = new MarketView(this.now(), this.quotes);
    return this.db.transaction((tx: Transaction) => placeBatch(tx, items, market));
  }

  /** `placeOrder` in the caller's transaction (see `Broker.placeOrderInTransaction`). */
  async placeOrderInTransaction(
    tx: Transaction,
    account: BrokerAccountRef,
    request: PlaceOrderRequest,
  ): Promise<PlaceOrderResult> {
    const [result] = await placeBatch(tx, [{ account, request }], new MarketView(this.now(), this.quotes));
    return result ?? unknownAccountResult(account.accountId);
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
