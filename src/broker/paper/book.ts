/**
 * One paper account's books inside one transaction: cash, orders and positions, with the
 * account row locked for the whole operation so that concurrent operations on the account, from
 * any process, run one after the other.
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { paperAccounts, paperOrders, paperPositions } from '../../db/schema';
import { hasExpired } from '../../domain/market-calendar';
import { CONTRACT_MULTIPLIER, Dec, type Decimal, toCents, toPriceString } from '../../domain/money';
import { parseOccSymbol } from '../../domain/occ';
import type { OrderSide } from '../port';
import { dayOrderDeadline, fillPrice, reachesStop, reservePrice } from './fill-rules';
import type { PaperQuote, QuoteSource } from './quotes';

export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
export type PaperOrderRow = typeof paperOrders.$inferSelect;
export type PaperPositionRow = typeof paperPositions.$inferSelect;
export type NewPaperOrder = Omit<
  typeof paperOrders.$inferInsert,
  'id' | 'accountId' | 'createdAt' | 'updatedAt' | 'filledQuantity' | 'averageFillPrice' | 'triggeredAt'
>;

const WORKING_STATUSES = ['pending', 'partial'] as const;

/**
 * `updated_at` follows the database's clock: the set_updated_at trigger (migration 0004) stamps
 * every update with it, so inserts use it too and the column never mixes two clocks. The
 * injected clock drives everything that decides an outcome: quotes, expiry, Day orders,
 * `created_at` (time priority) and `triggered_at`.
 */
const databaseNow = sql`now() at time zone 'UTC'`;

export function isWorking(status: PaperOrderRow['status']): boolean {
  return status === 'pending' || status === 'partial';
}

function remainingOf(order: PaperOrderRow): number {
  return order.quantity - order.filledQuantity;
}

export class PaperBook {
  /** One quote per symbol per operation: every order in it sees the same market. */
  private readonly quoteCache = new Map<string, PaperQuote | null>();
  /** Contracts filled per symbol and side in this operation, against the quote's size. */
  private readonly liquidityUsed = new Map<string, number>();

  private constructor(
    private readonly tx: Transaction,
    readonly accountId: string,
    readonly now: Date,
    private readonly quotes: QuoteSource,
    private cashBalance: Decimal,
  ) {}

  /**
   * Locks the account's paper row until the transaction ends and opens its books; null when
   * the account has no paper account. FOR NO KEY UPDATE is enough: it serialises writers of the
   * account without blocking inserts elsewhere that only reference the row by foreign key.
   */
  static async open(
    tx: Transaction,
    accountId: string,
    now: Date,
    quotes: QuoteSource,
  ): Promise<PaperBook | null> {
    const [row] = await tx
      .select({ cash: paperAccounts.cash })
      .from(paperAccounts)
      .where(eq(paperAccounts.accountId, accountId))
      .for('no key update');
    return row ? new PaperBook(tx, accountId, now, quotes, new Dec(row.cash)) : null;
  }

  get cash(): Decimal {
    return this.cashBalance;
  }

  quote(symbol: string): PaperQuote | null {
    if (!this.quoteCache.has(symbol)) this.quoteCache.set(symbol, this.quotes.quote(symbol, this.now));
    return this.quoteCache.get(symbol) ?? null;
  }

  // ---- Reading ---------------------------------------------------------------------------------

  /** Working orders in time priority: the order they were placed in. */
  async workingOrders(side?: OrderSide): Promise<PaperOrderRow[]> {
    return this.tx
      .select()
      .from(paperOrders)
      .where(
        and(
          eq(paperOrders.accountId, this.accountId),
          inArray(paperOrders.status, [...WORKING_STATUSES]),
          side ? eq(paperOrders.side, side) : undefined,
        ),
      )
      .orderBy(asc(paperOrders.createdAt), asc(paperOrders.id));
  }

  async findOrder(orderId: string): Promise<PaperOrderRow | null> {
    const [row] = await this.tx
      .select()
      .from(paperOrders)
      .where(and(eq(paperOrders.accountId, this.accountId), eq(paperOrders.id, orderId)));
    return row ?? null;
  }

  async findByClientOrderId(clientOrderId: string): Promise<PaperOrderRow | null> {
    const [row] = await this.tx
      .select()
      .from(paperOrders)
      .where(and(eq(paperOrders.accountId, this.accountId), eq(paperOrders.clientOrderId, clientOrderId)));
    return row ?? null;
  }

  /** Every order of the account, newest first. */
  async allOrders(): Promise<PaperOrderRow[]> {
    return this.tx
      .select()
      .from(paperOrders)
      .where(eq(paperOrders.accountId, this.accountId))
      .orderBy(desc(paperOrders.createdAt), desc(paperOrders.id));
  }

  async position(symbol: string): Promise<PaperPositionRow | null> {
    const [row] = await this.tx
      .select()
      .from(paperPositions)
      .where(and(eq(paperPositions.accountId, this.accountId), eq(paperPositions.symbol, symbol)));
    return row ?? null;
  }

  async openPositions(): Promise<PaperPositionRow[]> {
    return this.tx
      .select()
      .from(paperPositions)
      .where(and(eq(paperPositions.accountId, this.accountId), sql`${paperPositions.quantity} > 0`))
      .orderBy(asc(paperPositions.symbol));
  }

  /** Contracts of `symbol` that working sell orders still intend to sell. */
  async committedToSell(symbol: string): Promise<number> {
    const sells = await this.workingOrders('sell');
    return sells
      .filter((order) => order.symbol === symbol)
      .reduce((sum, order) => sum + remainingOf(order), 0);
  }

  /** What working buy orders hold back: their reserve price × remaining contracts × 100. */
  async reservedForBuys(): Promise<Decimal> {
    let reserved = new Dec(0);
    for (const order of await this.workingOrders('buy')) {
      const fallback = new Dec(order.averageFillPrice ?? order.stopPrice ?? '0');
      const price = reservePrice(order, this.quote(order.symbol), fallback);
      reserved = reserved.plus(price.times(remainingOf(order)).times(CONTRACT_MULTIPLIER));
    }
    return reserved;
  }

  /** Cash less what working buys reserve, never below zero. */
  async buyingPower(): Promise<Decimal> {
    return Dec.max(0, this.cashBalance.minus(await this.reservedForBuys()));
  }

  // ---- Writing ---------------------------------------------------------------------------------

  /**
   * Records an order. `created_at` is the clock's time, nudged a microsecond past the account's
   * latest order when the clock has not moved (a frozen test clock): it orders the book, so time
   * priority must be total and follow the order of placement, which the account lock makes
   * well-defined.
   */
  async insertOrder(values: NewPaperOrder): Promise<PaperOrderRow> {
    const at = this.now.toISOString();
    const [row] = await this.tx
      .insert(paperOrders)
      .values({
        ...values,
        accountId: this.accountId,
        createdAt: sql`greatest(${at}::timestamp, (select max(created_at) + interval '1 microsecond' from paper_orders where account_id = ${this.accountId}))`,
        updatedAt: databaseNow,
      })
      .returning();
    if (!row) throw new Error('paper order not recorded');
    return row;
  }

  /** Cancels what remains of a working order; anything else is returned unchanged. */
  async cancel(order: PaperOrderRow, reason: string | null): Promise<PaperOrderRow> {
    if (!isWorking(order.status)) return order;
    const [row] = await this.tx
      .update(paperOrders)
      .set({ status: 'cancelled', reason: reason ?? order.reason, updatedAt: databaseNow })
      .where(and(eq(paperOrders.id, order.id), inArray(paperOrders.status, [...WORKING_STATUSES])))
      .returning();
    return row ?? order;
  }

  async evaluateWorkingOrders(): Promise<void> {
    for (const order of await this.workingOrders()) await this.evaluate(order);
  }

  /**
   * Brings one working order up to date with the market at `now`: lapses it when its contract
   * expired or its day ended, records its stop being reached, and fills what the quote, the
   * quote's size, the cash (for a buy) and the position (for a sell) allow.
   */
  async evaluate(order: PaperOrderRow): Promise<PaperOrderRow> {
    if (!isWorking(order.status)) return order;
    const { expiration } = parseOccSymbol(order.symbol);
    if (hasExpired(expiration, this.now)) return this.cancel(order, 'Contract expired');
    if (order.timeInForce === 'Day' && this.now.getTime() >= dayOrderDeadline(order.createdAt).getTime()) {
      return this.cancel(order, 'Day order expired at the close');
    }
    const quote = this.quote(order.symbol);
    if (!quote) return order;

    const triggeredAt = order.triggeredAt ?? (reachesStop(order, quote) ? this.now : null);
    const price = fillPrice({ ...order, triggeredAt }, quote);
    let quantity = 0;
    let shortfall: string | null = null;
    if (price) {
      quantity = Math.min(remainingOf(order), this.liquidityLeft(order.symbol, order.side, quote));
      const coverable = order.side === 'buy' ? this.affordable(price) : await this.held(order.symbol);
      if (coverable < quantity) {
        quantity = coverable;
        shortfall =
          order.side === 'buy'
            ? `Cancelled: not enough cash to fill the rest at ${toCents(price)}`
            : 'Cancelled: the position no longer covers the rest';
      }
      if (quantity > 0) await this.applyFill(order, quantity, price);
    }

    if (quantity === 0 && shortfall === null && triggeredAt === order.triggeredAt) return order;
    const filledQuantity = order.filledQuantity + quantity;
    const averageFillPrice =
      quantity > 0 && price
        ? toPriceString(
            new Dec(order.averageFillPrice ?? '0')
              .times(order.filledQuantity)
              .plus(price.times(quantity))
              .dividedBy(filledQuantity),
          )
        : order.averageFillPrice;
    const status =
      filledQuantity === order.quantity
        ? 'filled'
        : shortfall
          ? 'cancelled'
          : filledQuantity > 0
            ? 'partial'
            : 'pending';
    const [row] = await this.tx
      .update(paperOrders)
      .set({
        status,
        filledQuantity,
        averageFillPrice,
        triggeredAt,
        reason: status === 'cancelled' ? shortfall : order.reason,
        updatedAt: databaseNow,
      })
      .where(eq(paperOrders.id, order.id))
      .returning();
    if (!row) throw new Error(`paper order ${order.id} vanished`);
    return row;
  }

  private liquidityLeft(symbol: string, side: OrderSide, quote: PaperQuote): number {
    if (quote.size === undefined) return Number.POSITIVE_INFINITY;
    return Math.max(0, quote.size - (this.liquidityUsed.get(`${symbol}|${side}`) ?? 0));
  }

  /** Whole contracts the cash pays for at `price`. */
  private affordable(price: Decimal): number {
    if (price.isZero()) return Number.POSITIVE_INFINITY;
    return this.cashBalance.dividedBy(price.times(CONTRACT_MULTIPLIER)).floor().toNumber();
  }

  private async held(symbol: string): Promise<number> {
    return (await this.position(symbol))?.quantity ?? 0;
  }

  /** Moves cash and the position for `quantity` contracts of `order` at `price`. */
  private async applyFill(order: PaperOrderRow, quantity: number, price: Decimal): Promise<void> {
    const key = `${order.symbol}|${order.side}`;
    this.liquidityUsed.set(key, (this.liquidityUsed.get(key) ?? 0) + quantity);
    const amount = price.times(quantity).times(CONTRACT_MULTIPLIER);

    if (order.side === 'buy') {
      this.cashBalance = this.cashBalance.minus(amount);
      const cost = price.times(quantity).toFixed();
      await this.tx
        .insert(paperPositions)
        .values({ accountId: this.accountId, symbol: order.symbol, quantity, cost, updatedAt: databaseNow })
        .onConflictDoUpdate({
          target: [paperPositions.accountId, paperPositions.symbol],
          set: {
            quantity: sql`${paperPositions.quantity} + excluded.quantity`,
            cost: sql`${paperPositions.cost} + excluded.cost`,
            updatedAt: databaseNow,
          },
        });
    } else {
      this.cashBalance = this.cashBalance.plus(amount);
      const position = await this.position(order.symbol);
      if (!position || position.quantity < quantity) throw new Error(`oversell of ${order.symbol}`);
      const left = position.quantity - quantity;
      // The contracts sold take their share of the cost at the average price.
      const cost =
        left === 0 ? '0' : new Dec(position.cost).times(left).dividedBy(position.quantity).toFixed(6);
      await this.tx
        .update(paperPositions)
        .set({ quantity: left, cost, updatedAt: databaseNow })
        .where(and(eq(paperPositions.accountId, this.accountId), eq(paperPositions.symbol, order.symbol)));
    }

    await this.tx
      .update(paperAccounts)
      .set({ cash: toCents(this.cashBalance), updatedAt: databaseNow })
      .where(eq(paperAccounts.accountId, this.accountId));
  }
}
