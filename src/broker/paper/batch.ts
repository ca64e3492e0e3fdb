/**
 * Many placements at once: the copy-trading fan-out of one signal to thousands of subscribers,
 * each with their own paper account. Every item gets the outcome `placeOrder` would give it were
 * the items placed one after the other; the work is set-based, in one transaction:
 *
 * 1. One statement locks the `paper_accounts` rows of every account, in account-id order (so
 *    batches and single operations over overlapping accounts queue instead of deadlocking),
 *    and reads their cash. An account without a row rejects its items, as `placeOrder` does.
 * 2. One statement, after the locks are held, probes each account that gets one item for what
 *    could make its placement differ from a fresh account's: working orders, an order with the
 *    item's client order id, a position in the symbol it sells. It answers only accounts where
 *    it found something, which a fan-out to subscribers rarely does; those found are read in
 *    full (at most two more statements).
 * 3. Working orders are evaluated in memory, exactly as the book would evaluate them. Accounts
 *    where the market would change one (a fill, a trigger, a lapse), and accounts that get more
 *    than one item, take the single path (`PaperBook`, `placeInBook`) item by item in item
 *    order, in the same transaction: cash and positions carry from one item to the next, and
 *    each item is its own evaluation of the book (its own share of a quote's size), as a
 *    separate `placeOrder` call would be.
 * 4. The rest are decided in memory by the functions the single path uses (`screenPlacement`,
 *    `coverPlacement`, `evaluateOrder`) and written by one statement (the orders, the cash, the
 *    positions bought and the positions sold) or, for thousands of items, by four: while the
 *    database writes one chunk the next is decided. Arrays travel as one parameter each
 *    (`unnest`), so the batch size is not bounded by the parameter limit.
 *
 * Every item sees the same instant and one quote per symbol (`MarketView`).
 */
import { and, asc, sql } from 'drizzle-orm';
import { arrayLiteral, sqlArray } from '../../db/arrays';
import { writeInChunks } from '../../db/batch-writer';
import type { Transaction } from '../../db/client';
import { namedStatement } from '../../db/named-statements';
import { paperOrders, paperPositions } from '../../db/schema';
import type { NewPaperOrder, PaperOrderRow } from '../../db/schema/paper-rows';
import { sqlSet, sqlSetText } from '../../db/sql-sets';
import { Dec, toCents } from '../../domain/money';
import { WORKING_ORDER_STATUSES } from '../../domain/order-status';
import type { BatchOrder, PlaceOrderResult } from '../port';
import { BatchWrites } from './batch-writes';
import { PaperBook } from './book';
import {
  buyingPower,
  cashAfterFill,
  committedToSell,
  costOfBuy,
  evaluateOrder,
  type Holding,
  positionAfterSell,
} from './evaluation';
import type { MarketView } from './market';
import {
  coverPlacement,
  placeInBook,
  placementResult,
  screenPlacement,
  toBrokerOrder,
  unknownAccountResult,
} from './placement';

/** A map key of two texts; PostgreSQL text cannot hold NUL, so the pair is unambiguous. */
function pairKey(first: string, second: string): string {
  return `${first}\u0000${second}`;
}

/** What the probe found of an account that gets one item. */
type Probe = { working: boolean; existing: string | null; held: number | null; cost: string | null };

type ProbeRow = Probe & { account_id: string };

const NO_ORDERS: readonly PaperOrderRow[] = [];

export async function placeBatch(
  tx: Transaction,
  items: readonly BatchOrder[],
  market: MarketView,
): Promise<PlaceOrderResult[]> {
  const results: (PlaceOrderResult | undefined)[] = new Array(items.length);
  const itemsOf = new Map<string, number[]>();
  for (let index = 0; index < items.length; index++) {
    const accountId = items[index]?.account.accountId ?? '';
    const indices = itemsOf.get(accountId);
    if (indices) indices.push(index);
    else itemsOf.set(accountId, [index]);
  }

  // 1. Lock every account, in one global order, and read its cash.
  const locked = await lockAccounts(tx, [arrayLiteral([...itemsOf.keys()])]);
  const cashOf = new Map<string, string>();
  for (const { account_id, cash } of locked) cashOf.set(account_id, cash);

  const sequential = new Set<string>();
  const single: { accountId: string; index: number; item: BatchOrder }[] = [];
  for (const [accountId, indices] of itemsOf) {
    if (!cashOf.has(accountId)) {
      for (const index of indices) results[index] = unknownAccountResult(accountId);
    } else if (indices.length > 1) {
      sequential.add(accountId);
    } else {
      const index = indices[0] ?? -1;
      const item = items[index];
      if (item) single.push({ accountId, index, item });
    }
  }

  // 2. What could set these accounts apart from fresh ones.
  const probes = await probe(tx, market, single);
  const workingAccounts: string[] = [];
  const existingIds: string[] = [];
  const holdings = new Map<string, Holding>();
  for (const { accountId, item } of single) {
    const found = probes.get(accountId);
    if (!found) continue;
    if (found.working) workingAccounts.push(accountId);
    if (found.existing !== null) existingIds.push(found.existing);
    if (found.held !== null && found.cost !== null) {
      const symbol = market.symbol(item.request.symbol)?.canonical ?? item.request.symbol;
      holdings.set(pairKey(accountId, symbol), { quantity: found.held, cost: found.cost });
    }
  }
  const workingOf = await workingOrders(tx, workingAccounts, holdings);
  const existing = new Map<string, PaperOrderRow>();
  if (existingIds.length > 0) {
    const rows = await tx
      .select()
      .from(paperOrders)
      .where(sql`${paperOrders.id} = any(${sqlArray(existingIds, 'text')})`);
    for (const row of rows) existing.set(row.id, row);
  }

  // 3. Working orders the market changes now send their account down the single path.
  for (const [accountId, orders] of workingOf) {
    const cash = new Dec(cashOf.get(accountId) ?? '0');
    // Until one changes nothing fills, so each is evaluated against the untouched books.
    const changes = orders.some(
      (order) =>
        evaluateOrder(order, market, {
          liquidityUsed: 0,
          cash,
          held: holdings.get(pairKey(accountId, order.symbol))?.quantity ?? 0,
        }).kind !== 'unchanged',
    );
    if (changes) sequential.add(accountId);
  }
  for (const accountId of sequential) {
    for (const index of itemsOf.get(accountId) ?? []) {
      const item = items[index];
      if (!item) continue;
      const book = await PaperBook.open(tx, accountId, market);
      if (!book) throw new Error(`paper account ${accountId} vanished while locked`);
      await book.evaluateWorkingOrders();
      results[index] = await placeInBook(book, item.request);
    }
  }

  // 4. Everything else, decided in memory and written by one statement per chunk: while the
  // database writes a chunk, the next one is decided.
  const fast = single.filter(({ accountId }) => !sequential.has(accountId));
  const books: FastBooks = { market, cashOf, workingOf, holdings, existing, probes };
  const answered: { index: number; row: PaperOrderRow }[] = [];
  const stamped = await writeInChunks({
    count: fast.length,
    start: () => new BatchWrites(),
    decide: (k, writes) => {
      const entry = fast[k];
      if (!entry) return;
      const outcome = decideFast(books, entry, writes);
      if ('row' in outcome) answered.push({ index: entry.index, row: outcome.row });
      else results[entry.index] = outcome;
    },
    write: (writes) => writes.flush(tx, market),
  });
  const updatedAt = stamped.reduce<Date | null>((last, at) => at ?? last, null);
  for (const { index, row } of answered) {
    // The database stamps every row it writes in the transaction with this time.
    if (updatedAt) row.updatedAt = updatedAt;
    results[index] = { ok: true, order: toBrokerOrder(row) };
  }
  return results.map((result, index) => {
    if (!result) throw new Error(`no outcome for batch item ${index}`);
    return result;
  });
}

/** What the fast path reads of the books, for accounts that get one item. */
type FastBooks = {
  market: MarketView;
  cashOf: ReadonlyMap<string, string>;
  workingOf: ReadonlyMap<string, readonly PaperOrderRow[]>;
  holdings: ReadonlyMap<string, Holding>;
  existing: ReadonlyMap<string, PaperOrderRow>;
  probes: ReadonlyMap<string, Probe>;
};

/**
 * One item of an account that gets no other, whose working orders the market leaves as they
 * are: the outcome `placeInBook` would give it, with what it writes added to `writes`. Answers
 * the result, or the row of the order it places (its result is ready once the row is written).
 */
function decideFast(
  books: FastBooks,
  { accountId, item }: { accountId: string; item: BatchOrder },
  writes: BatchWrites,
): PlaceOrderResult | { row: PaperOrderRow } {
  const { market } = books;
  const existingId = books.probes.get(accountId)?.existing;
  const already = existingId ? books.existing.get(existingId) : undefined;
  if (already) return placementResult(already);

  const screened = screenPlacement(item.request, market);
  if (screened.kind === 'rejected') {
    if (screened.record) writes.order(newRow(accountId, screened.record, market));
    return { ok: false, code: screened.code, reason: screened.reason };
  }
  const { symbol, side } = screened.order;
  const working = books.workingOf.get(accountId) ?? NO_ORDERS;
  const cash = new Dec(books.cashOf.get(accountId) ?? '0');
  const position = books.holdings.get(pairKey(accountId, symbol)) ?? null;
  const decision = coverPlacement(
    screened,
    side === 'sell'
      ? { held: position?.quantity ?? 0, committedToSell: committedToSell(working, symbol) }
      : { buyingPower: buyingPower(cash, working, market) },
  );
  if (decision.kind === 'rejected') {
    if (decision.record) writes.order(newRow(accountId, decision.record, market));
    return { ok: false, code: decision.code, reason: decision.reason };
  }

  // As placed: pending, at the clock's time (its Day deadline is ahead of any later nudge).
  const row = newRow(accountId, decision.order, market);
  const outcome = evaluateOrder(row, market, { liquidityUsed: 0, cash, held: position?.quantity ?? 0 });
  if (outcome.kind === 'lapsed') {
    row.status = 'cancelled';
    row.reason = outcome.reason;
    writes.order(row);
  } else if (outcome.kind === 'changed') {
    Object.assign(row, outcome.changes);
    const { fill } = outcome;
    if (!fill) writes.order(row);
    else if (side === 'buy') {
      writes.order(row, toCents(cashAfterFill(cash, side, fill)), fill.quantity, costOfBuy(fill));
    } else {
      const after = positionAfterSell(position, fill, symbol);
      writes.order(row, toCents(cashAfterFill(cash, side, fill)), after.quantity, after.cost);
    }
  } else {
    writes.order(row);
  }
  return { row };
}

/**
 * The row of a new order of `accountId`, as `PaperBook.insertOrder` would write it: its id is
 * assigned when written, and its times are the clock's until the database says otherwise.
 */
function newRow(accountId: string, order: NewPaperOrder, market: MarketView): PaperOrderRow {
  return {
    id: '',
    accountId,
    clientOrderId: order.clientOrderId ?? null,
    symbol: order.symbol,
    side: order.side,
    quantity: order.quantity,
    orderType: order.orderType,
    limitPrice: order.limitPrice ?? null,
    stopPrice: order.stopPrice ?? null,
    timeInForce: order.timeInForce ?? 'Day',
    status: order.status,
    filledQuantity: 0,
    averageFillPrice: null,
    triggeredAt: null,
    reason: order.reason ?? null,
    createdAt: market.now,
    updatedAt: market.now,
  };
}

/** Every placement runs these two: named statements, written once, planned once per connection. */
const lockAccounts = namedStatement<{ account_id: string; cash: string }>(
  'paper_lock_accounts',
  `select account_id, cash from paper_accounts
    where account_id = any($1::text[])
    order by account_id
      for no key update`,
);

// The LIMIT keeps the lateral position lookup a per-account index probe.
const probeAccounts = namedStatement<ProbeRow>(
  'paper_probe_accounts',
  `select * from (
     select u.account_id,
       exists (select 1 from paper_orders w
                where w.account_id = u.account_id and w.status in ${sqlSetText(WORKING_ORDER_STATUSES)}) as working,
       (select o.id from paper_orders o
         where o.account_id = u.account_id and o.client_order_id = u.client_order_id) as existing,
       p.quantity as held, p.cost
     from unnest($1::text[], $2::text[], $3::text[]) as u(account_id, client_order_id, symbol)
     left join lateral (
       select quantity, cost from paper_positions p
        where p.account_id = u.account_id and p.symbol = u.symbol limit 1
     ) p on true
   ) probed
   where working or existing is not null or held is not null`,
);

/**
 * Probes, after the locks are held (so that it sees what earlier holders committed), each
 * account of `single` for working orders, an order with its item's client order id and a
 * position in the symbol it sells. Answers only the accounts where something was found.
 */
async function probe(
  tx: Transaction,
  market: MarketView,
  single: readonly { accountId: string; item: BatchOrder }[],
): Promise<Map<string, Probe>> {
  const found = new Map<string, Probe>();
  if (single.length === 0) return found;
  const accountIds: string[] = [];
  const clientOrderIds: (string | null)[] = [];
  const sold: (string | null)[] = [];
  for (const { accountId, item } of single) {
    const { request } = item;
    accountIds.push(accountId);
    clientOrderIds.push(request.clientOrderId ? request.clientOrderId : null);
    sold.push(request.side === 'sell' ? (market.symbol(request.symbol)?.canonical ?? request.symbol) : null);
  }
  const rows = await probeAccounts(tx, [
    arrayLiteral(accountIds),
    arrayLiteral(clientOrderIds),
    arrayLiteral(sold),
  ]);
  for (const { account_id, working, existing, held, cost } of rows) {
    found.set(account_id, { working, existing, held, cost });
  }
  return found;
}

/**
 * The working orders of `accountIds` in time priority, by account, and (into `holdings`) all
 * their positions, which evaluating their sells needs.
 */
async function workingOrders(
  tx: Transaction,
  accountIds: readonly string[],
  holdings: Map<string, Holding>,
): Promise<Map<string, PaperOrderRow[]>> {
  const byAccount = new Map<string, PaperOrderRow[]>();
  if (accountIds.length === 0) return byAccount;
  const orders = await tx
    .select()
    .from(paperOrders)
    .where(
      and(
        sql`${paperOrders.accountId} = any(${sqlArray(accountIds, 'text')})`,
        // Literals (sqlSet inlines them), so that the partial index on working orders applies.
        sql`${paperOrders.status} in ${sqlSet(WORKING_ORDER_STATUSES)}`,
      ),
    )
    .orderBy(asc(paperOrders.accountId), asc(paperOrders.createdAt), asc(paperOrders.id));
  for (const order of orders) {
    const list = byAccount.get(order.accountId);
    if (list) list.push(order);
    else byAccount.set(order.accountId, [order]);
  }
  const positions = await tx
    .select({
      accountId: paperPositions.accountId,
      symbol: paperPositions.symbol,
      quantity: paperPositions.quantity,
      cost: paperPositions.cost,
    })
    .from(paperPositions)
    .where(sql`${paperPositions.accountId} = any(${sqlArray(accountIds, 'text')})`);
  for (const { accountId, symbol, quantity, cost } of positions) {
    holdings.set(pairKey(accountId, symbol), { quantity, cost });
  }
  return byAccount;
}
