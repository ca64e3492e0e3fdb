/**
 * One paper account's books inside one transaction: cash, orders and positions, with the
 * account row locked for the whole operation so that concurrent operations on the account, from
 * any process, run one after the other.
 */
import { and, asc, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Transaction } from '../../db/client';
import { paperAccounts, paperOrders, paperPositions } from '../../db/schema';
import type { NewPaperOrder, PaperOrderRow, PaperPositionRow } from '../../db/schema/paper-rows';
import { Dec, type Decimal, toCents } from '../../domain/money';
import { isWorkingOrderStatus, WORKING_ORDER_STATUSES } from '../../domain/order-status';
import type { OrderSide } from '../port';
import {
  assessOrder,
  buyingPower,
  cashAfterFill,
  committedToSell,
  costOfBuy,
  type Fill,
  positionAfterSell,
  settleOrder,
} from './evaluation';
import type { MarketView } from './market';
import type { PaperQuote } from './quotes';

/**
 * `updated_at` follows the database's clock: the set_updated_at trigger (migration 0004) stamps
 * every update with it, so inserts use it too and the column never mixes two clocks. The
 * injected clock drives everything that decides an outcome: quotes, expiry, Day orders,
 * `created_at` (time priority) and `triggered_at`.
 */
export const databaseNow = sql`now() at time zone 'UTC'`;

export class PaperBook {
  /** Contracts filled per symbol and side in this operation, against the quote's size. */
  private readonly liquidityUsed = new Map<string, number>();

  /**
   * `market` gives every order of the operation the same instant and one quote per symbol;
   * it may be shared by the books of one batch of operations.
   */
  private constructor(
    private readonly tx: Transaction,
    readonly accountId: string,
    readonly market: MarketView,
    private cashBalance: Decimal,
  ) {}

  /**
   * Locks the account's paper row until the transaction ends and opens its books; null when
   * the account has no paper account. FOR NO KEY UPDATE is enough: it serialises writers of the
   * account without blocking inserts elsewhere that only reference the row by foreign key.
   */
  static async open(tx: Transaction, accountId: string, market: MarketView): Promise<PaperBook | null> {
    const [row] = await tx
      .select({ cash: paperAccounts.cash })
      .from(paperAccounts)
      .where(eq(paperAccounts.accountId, accountId))
      .for('no key update');
    return row ? new PaperBook(tx, accountId, market, new Dec(row.cash)) : null;
  }

  get now(): Date {
    return this.market.now;
  }

  get cash(): Decimal {
    return this.cashBalance;
  }

  quote(symbol: string): PaperQuote | null {
    return this.market.quote(symbol);
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
          inArray(paperOrders.status, [...WORKING_ORDER_STATUSES]),
          side ? eq(paperOrders.side, side) : undefined,
        ),
      )
      .orderBy(asc(paperOrders.createdAt), asc(paperOrders.id));
  }

  findOrder(orderId: string): Promise<PaperOrderRow | null> {
    return this.findOrderWhere(eq(paperOrders.id, orderId));
  }

  findByClientOrderId(clientOrderId: string): Promise<PaperOrderRow | null> {
    return this.findOrderWhere(eq(paperOrders.clientOrderId, clientOrderId));
  }

  /** The account's order that matches `condition`; another account's never answers. */
  private async findOrderWhere(condition: SQL): Promise<PaperOrderRow | null> {
    const [row] = await this.tx
      .select()
      .from(paperOrders)
      .where(and(eq(paperOrders.accountId, this.accountId), condition));
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

  /** Contracts of `symbol` held (0 without a position). */
  async held(symbol: string): Promise<number> {
    return (await this.position(symbol))?.quantity ?? 0;
  }

  /** Contracts of `symbol` that working sell orders still intend to sell. */
  async committedToSell(symbol: string): Promise<number> {
    return committedToSell(await this.workingOrders('sell'), symbol);
  }

  /** Cash less what working buys reserve (see `buyingPower`). */
  async buyingPower(): Promise<Decimal> {
    return buyingPower(this.cashBalance, await this.workingOrders('buy'), this.market);
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
    if (!isWorkingOrderStatus(order.status)) return order;
    const [row] = await this.tx
      .update(paperOrders)
      .set({ status: 'cancelled', reason: reason ?? order.reason, updatedAt: databaseNow })
      .where(and(eq(paperOrders.id, order.id), inArray(paperOrders.status, [...WORKING_ORDER_STATUSES])))
      .returning();
    return row ?? order;
  }

  async evaluateWorkingOrders(): Promise<void> {
    for (const order of await this.workingOrders()) await this.evaluate(order);
  }

  /**
   * Brings one working order up to date with the market at `now` (see `assessOrder` and
   * `settleOrder`) and records the outcome.
   */
  async evaluate(order: PaperOrderRow): Promise<PaperOrderRow> {
    const key = `${order.symbol}|${order.side}`;
    const assessment = assessOrder(order, this.market, this.liquidityUsed.get(key) ?? 0);
    const held =
      assessment.kind === 'priced' && assessment.price && order.side === 'sell'
        ? await this.held(order.symbol)
        : 0;
    const outcome = settleOrder(order, assessment, this.cashBalance, held);
    if (outcome.kind === 'unchanged') return order;
    if (outcome.kind === 'lapsed') return this.cancel(order, outcome.reason);
    if (outcome.fill) await this.applyFill(order, outcome.fill);
    const [row] = await this.tx
      .update(paperOrders)
      .set({ ...outcome.changes, updatedAt: databaseNow })
      .where(eq(paperOrders.id, order.id))
      .returning();
    if (!row) throw new Error(`paper order ${order.id} vanished`);
    return row;
  }

  /** Moves cash and the position for a fill of `order`. */
  private async applyFill(order: PaperOrderRow, fill: Fill): Promise<void> {
    const key = `${order.symbol}|${order.side}`;
    this.liquidityUsed.set(key, (this.liquidityUsed.get(key) ?? 0) + fill.quantity);
    this.cashBalance = cashAfterFill(this.cashBalance, order.side, fill);

    if (order.side === 'buy') {
      await this.tx
        .insert(paperPositions)
        .values({
          accountId: this.accountId,
          symbol: order.symbol,
          quantity: fill.quantity,
          cost: costOfBuy(fill),
          updatedAt: databaseNow,
        })
        .onConflictDoUpdate({
          target: [paperPositions.accountId, paperPositions.symbol],
          set: {
            quantity: sql`${paperPositions.quantity} + excluded.quantity`,
            cost: sql`${paperPositions.cost} + excluded.cost`,
            updatedAt: databaseNow,
          },
        });
    } else {
      const { quantity, cost } = positionAfterSell(await this.position(order.symbol), fill, order.symbol);
      await this.tx
        .update(paperPositions)
        .set({ quantity, cost, updatedAt: databaseNow })
        .where(and(eq(paperPositions.accountId, this.accountId), eq(paperPositions.symbol, order.symbol)));
    }

    await this.tx
      .update(paperAccounts)
      .set({ cash: toCents(this.cashBalance), updatedAt: databaseNow })
      .where(eq(paperAccounts.accountId, this.accountId));
  }
}
