import type pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openPaperAccount, PaperBroker } from '../../../src/broker/paper/paper-broker';
import { createFixedQuotes, type FixedQuotes } from '../../../src/broker/paper/quotes';
import type {
  BatchOrder,
  BrokerAccountRef,
  PlaceOrderRequest,
  PlaceOrderResult,
} from '../../../src/broker/port';
import { createDb, createPool } from '../../../src/db/client';
import { useTestDatabase } from '../../helpers/db';
import { createAccount, createUser } from '../../helpers/factories';

const t = useTestDatabase();

/** Monday 2 March 2026, 10:00 in New York. */
const START = new Date('2026-03-02T15:00:00Z');
/** The Friday before, 10:00 in New York. */
const FRIDAY = new Date('2026-02-27T15:00:00Z');
const CALL = 'AAPL  260618C00150000';
const PUT = 'TSLA  260618P00200000';
/** Expired on Friday 20 February 2026. */
const EXPIRED = 'AAPL  260220C00150000';
const UNQUOTED = 'MSFT  260618C00400000';

let clock: Date;
let quotes: FixedQuotes;
let broker: PaperBroker;

beforeEach(() => {
  clock = START;
  quotes = createFixedQuotes({
    [CALL]: { bid: '1.20', ask: '1.25' },
    [PUT]: { bid: '3.00', ask: '3.10' },
    [EXPIRED]: { bid: '0.01', ask: '0.02' },
  });
  broker = new PaperBroker({ db: t.db, quotes, now: () => clock });
});

async function newPaperAccount(cash: string): Promise<BrokerAccountRef> {
  const user = await createUser(t.db);
  const row = await createAccount(t.db, user.id);
  await openPaperAccount(t.db, row.id, cash);
  return { accountId: row.id, provider: 'paper', brokerAccountId: row.snaptradeAccountId };
}

function order(clientOrderId: string, overrides: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest {
  return {
    clientOrderId,
    symbol: CALL,
    side: 'buy',
    quantity: 1,
    orderType: 'Market',
    timeInForce: 'GTC',
    ...overrides,
  };
}

// ---- Books, read back without what differs between twin accounts (ids, database clock) ------

async function books(accountIds: readonly string[]) {
  const index = new Map(accountIds.map((id, i) => [id, i]));
  const orders = await t.sql<Record<string, unknown> & { account_id: string }>(
    `SELECT account_id, client_order_id, symbol, side, quantity, order_type, limit_price, stop_price,
            time_in_force, status, filled_quantity, average_fill_price, reason,
            to_char(triggered_at, 'YYYY-MM-DD"T"HH24:MI:SS.US') AS triggered_at,
            to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS.US') AS created_at
       FROM paper_orders WHERE account_id = ANY($1) ORDER BY account_id, created_at`,
    [accountIds],
  );
  const cash = await t.sql<{ account_id: string; cash: string }>(
    'SELECT account_id, cash FROM paper_accounts WHERE account_id = ANY($1)',
    [accountIds],
  );
  const positions = await t.sql<{ account_id: string; symbol: string; quantity: number; cost: string }>(
    'SELECT account_id, symbol, quantity, cost FROM paper_positions WHERE account_id = ANY($1)',
    [accountIds],
  );
  const byAccount = <R extends { account_id: string }>(rows: R[]) =>
    rows
      .map(({ account_id, ...rest }) => ({ account: index.get(account_id), ...rest }))
      .sort((a, b) => (a.account ?? 0) - (b.account ?? 0));
  return { orders: byAccount(orders.rows), cash: byAccount(cash.rows), positions: byAccount(positions.rows) };
}

/** Results with order ids replaced by `account index/client order id`, and no database time. */
async function comparable(results: PlaceOrderResult[], accountIds: readonly string[]) {
  const { rows } = await t.sql<{ id: string; account_id: string; client_order_id: string }>(
    'SELECT id, account_id, client_order_id FROM paper_orders WHERE account_id = ANY($1)',
    [accountIds],
  );
  const names = new Map(
    rows.map((row) => [row.id, `${accountIds.indexOf(row.account_id)}/${row.client_order_id}`]),
  );
  return results.map((result) => {
    if (!result.ok) return result;
    const { brokerOrderId, updatedAt, ...rest } = result.order;
    expect(updatedAt).toBeInstanceOf(Date);
    return { ok: true, order: { ...rest, brokerOrderId: names.get(brokerOrderId) ?? 'unknown' } };
  });
}

function summary(result: PlaceOrderResult): string {
  return result.ok ? `${result.order.status} ${result.order.filledQuantity}` : result.code;
}

// ---- The same batch, placed at once and one by one --------------------------------------------

type Scenario = {
  cash: string | null;
  /** Placed one by one before the batch (the same for both twins). */
  setup?: (account: BrokerAccountRef) => Promise<void>;
};

async function setupPlace(account: BrokerAccountRef, request: PlaceOrderRequest, at = START) {
  clock = at;
  await broker.placeOrder(account, request);
  clock = START;
}

const SCENARIOS: Scenario[] = [
  /* 0 */ { cash: '10000.00' },
  /* 1 */ { cash: '100.00' },
  /* 2 */ { cash: '10000.00' },
  /* 3 */ { cash: '10000.00' },
  /* 4 */ { cash: '10000.00' },
  /* 5 */ { cash: '10000.00', setup: (a) => setupPlace(a, order('s-buy', { quantity: 5 })) },
  /* 6 */ {
    cash: '10000.00',
    setup: async (a) => {
      await setupPlace(a, order('s-buy', { quantity: 5 }));
      await setupPlace(
        a,
        order('s-sell', { side: 'sell', orderType: 'Limit', limitPrice: '2.00', quantity: 3 }),
      );
    },
  },
  /* 7 */ {
    cash: '10000.00',
    setup: (a) => setupPlace(a, order('s-limit', { orderType: 'Limit', limitPrice: '1.00', quantity: 70 })),
  },
  /* 8 */ { cash: '10000.00' },
  /* 9 */ { cash: '10000.00' },
  /* 10 */ { cash: '10000.00', setup: (a) => setupPlace(a, order('dup', { quantity: 2 })) },
  /* 11 */ { cash: '10000.00', setup: (a) => setupPlace(a, order('rej', { side: 'sell' })) },
  /* 12 */ { cash: '1000.00' },
  /* 13 */ { cash: '10000.00' },
  /* 14 */ { cash: '10000.00' },
  /* 15 */ { cash: '10000.00' },
  /* 16 */ { cash: '10000.00' },
  /* 17 */ { cash: '10000.00' },
  // A Market buy left pending by a quote without size: the batch's quote fills it.
  /* 18 */ {
    cash: '10000.00',
    setup: (a) => setupPlace(a, order('s-pending', { symbol: PUT, quantity: 2 })),
  },
  // A Day order from last Friday: it lapses when the batch evaluates the account.
  /* 19 */ {
    cash: '10000.00',
    setup: (a) =>
      setupPlace(
        a,
        order('s-day', { orderType: 'Limit', limitPrice: '1.00', timeInForce: 'Day', quantity: 1 }),
        FRIDAY,
      ),
  },
  /* 20 */ { cash: '1000.00' },
  /* 21 */ { cash: '10000.00', setup: (a) => setupPlace(a, order('s-buy', { quantity: 2 })) },
  /* 22 */ { cash: '10000.00' },
  /* 23 */ { cash: null },
  /* 24 */ { cash: '10000.00' },
  /* 25 */ { cash: '10000.00' },
];

const BATCH: [number, PlaceOrderRequest][] = [
  [12, order('a', { quantity: 4 })],
  [0, order('b', { quantity: 3 })],
  [1, order('b', { quantity: 5 })],
  [2, order('b', { symbol: EXPIRED })],
  [12, order('b', { quantity: 4 })],
  [3, order('b', { symbol: UNQUOTED })],
  [4, order('b', { side: 'sell', quantity: 2 })],
  [5, order('b', { side: 'sell', quantity: 3 })],
  [6, order('b', { side: 'sell', quantity: 3 })],
  [17, order('a', { symbol: PUT, quantity: 5 })],
  [7, order('b', { quantity: 25 })],
  [8, order('b', { orderType: 'Limit' })],
  [9, order('b', { quantity: 0 })],
  [10, order('dup', { quantity: 2 })],
  [11, order('rej', { side: 'sell' })],
  [13, order('b', { orderType: 'Limit', limitPrice: '1.00', quantity: 2 })],
  [14, order('b', { orderType: 'Limit', limitPrice: '1.30', quantity: 2 })],
  [15, order('b', { symbol: PUT, quantity: 5 })],
  [16, order('b', { symbol: PUT, quantity: 2 })],
  [17, order('b', { symbol: PUT, quantity: 1 })],
  [18, order('b', { quantity: 1 })],
  [19, order('b', { quantity: 1 })],
  [20, order('b', { orderType: 'Stop', stopPrice: '1.00', quantity: 10 })],
  [21, order('b', { side: 'sell', orderType: 'Limit', limitPrice: '5.00', quantity: 2 })],
  [22, order('b', { orderType: 'StopLimit', stopPrice: '1.50', limitPrice: '1.55' })],
  [23, order('b')],
  [24, order('b', { timeInForce: 'Day' })],
  [25, order('b', { symbol: 'AAPL260618C00150000', quantity: 2 })],
  [12, order('c', { quantity: 1 })],
  [12, order('a', { quantity: 4 })],
];

const EXPECTED = [
  'filled 4',
  'filled 3',
  'insufficient_buying_power',
  'expired_contract',
  'filled 4',
  'expired_contract',
  'insufficient_position',
  'filled 3',
  'insufficient_position',
  'partial 3',
  'insufficient_buying_power',
  'rejected',
  'rejected',
  'filled 2',
  'insufficient_position',
  'pending 0',
  'filled 2',
  'partial 3',
  'filled 2',
  'filled 1',
  'filled 1',
  'filled 1',
  'cancelled 8',
  'pending 0',
  'pending 0',
  'rejected',
  'filled 1',
  'filled 2',
  'insufficient_buying_power',
  'filled 4',
];

async function twinAccounts(): Promise<{ batch: BrokerAccountRef[]; sequential: BrokerAccountRef[] }> {
  const batch: BrokerAccountRef[] = [];
  const sequential: BrokerAccountRef[] = [];
  // The quote without size first, so that scenario 18's order stays pending.
  quotes.set(PUT, { bid: '3.00', ask: '3.10', size: 0 });
  for (const scenario of SCENARIOS) {
    for (const twins of [batch, sequential]) {
      if (scenario.cash === null) {
        twins.push({ accountId: 'no-such-account', provider: 'paper', brokerAccountId: 'none' });
        continue;
      }
      const account = await newPaperAccount(scenario.cash);
      await scenario.setup?.(account);
      twins.push(account);
    }
  }
  quotes.set(PUT, { bid: '3.00', ask: '3.10', size: 3 });
  return { batch, sequential };
}

function itemsFor(accounts: BrokerAccountRef[]): BatchOrder[] {
  return BATCH.map(([scenario, request]) => {
    const account = accounts[scenario];
    if (!account) throw new Error(`no account for scenario ${scenario}`);
    return { account, request };
  });
}

describe('placeOrders', () => {
  it('gives every item the outcome of placing the items one by one, and the same books', async () => {
    const twins = await twinAccounts();
    const inBatch = await broker.placeOrders(itemsFor(twins.batch));
    const oneByOne: PlaceOrderResult[] = [];
    for (const item of itemsFor(twins.sequential)) {
      oneByOne.push(await broker.placeOrder(item.account, item.request));
    }

    expect(inBatch.map(summary)).toEqual(EXPECTED);
    expect(oneByOne.map(summary)).toEqual(EXPECTED);
    const batchIds = twins.batch.map((a) => a.accountId);
    const sequentialIds = twins.sequential.map((a) => a.accountId);
    expect(await comparable(inBatch, batchIds)).toEqual(await comparable(oneByOne, sequentialIds));
    expect(await books(batchIds)).toEqual(await books(sequentialIds));

    // The duplicate client order id answers the first order of the batch.
    const first = inBatch[0];
    const again = inBatch[BATCH.length - 1];
    if (!first?.ok || !again?.ok) throw new Error('expected both accepted');
    expect(again.order.brokerOrderId).toBe(first.order.brokerOrderId);
    // The expired contract's rejection names its last trading instant, as the single path does.
    expect(inBatch[3]).toMatchObject({
      reason: expect.stringMatching(/stopped trading at 2026-02-20T21:00/),
    });
  });

  it('keeps client order ids and reasons as given, whatever characters they hold', async () => {
    const accounts = [await newPaperAccount('1000.00'), await newPaperAccount('1000.00')];
    const odd = ['quote " backslash \\ comma , brace { } NULL', 'NULL'];
    const items = accounts.map((account, i) => ({
      account,
      request: order(odd[i] ?? '', { symbol: i === 0 ? CALL : 'NOT A SYMBOL' }),
    }));
    const first = await broker.placeOrders(items);
    expect(first[0]).toMatchObject({ ok: true, order: { clientOrderId: odd[0], status: 'filled' } });
    expect(first[1]).toMatchObject({ ok: false, code: 'rejected' });
    const { rows } = await t.sql<{ client_order_id: string; symbol: string }>(
      'SELECT client_order_id, symbol FROM paper_orders WHERE account_id = ANY($1) ORDER BY symbol',
      [accounts.map((a) => a.accountId)],
    );
    expect(rows).toEqual([
      { client_order_id: odd[0], symbol: CALL },
      { client_order_id: 'NULL', symbol: 'NOT A SYMBOL' },
    ]);
    expect(await broker.placeOrders(items)).toEqual(first);
  });

  it('answers an empty batch with no results', async () => {
    expect(await broker.placeOrders([])).toEqual([]);
  });

  it('places again a batch already placed without placing anything twice', async () => {
    const accounts = [await newPaperAccount('1000.00'), await newPaperAccount('1000.00')];
    const items = accounts.map((account) => ({ account, request: order('signal-1', { quantity: 2 }) }));
    const first = await broker.placeOrders(items);
    const again = await broker.placeOrders(items);
    expect(again).toEqual(first);
    const { rows } = await t.sql('SELECT cash FROM paper_accounts WHERE account_id = ANY($1)', [
      accounts.map((a) => a.accountId),
    ]);
    expect(rows).toEqual([{ cash: '750.00' }, { cash: '750.00' }]);
  });
});

// ---- A fan-out to ten thousand subscribers ----------------------------------------------------

/** Users, accounts and paper accounts in three statements. */
async function manyPaperAccounts(count: number, cash: string): Promise<BrokerAccountRef[]> {
  const tag = Math.random().toString(36).slice(2, 10);
  const { rows } = await t.sql<{ id: string; snaptrade_account_id: string }>(
    `WITH new_users AS (
       INSERT INTO users (email, name, username)
       SELECT 'sub-' || $1 || '-' || g || '@example.test', 'Subscriber ' || g, 'sub_' || $1 || '_' || g
         FROM generate_series(1, $2::int) AS g
       RETURNING id
     ), new_accounts AS (
       INSERT INTO accounts (user_id, broker_name, broker_slug, account_number, snaptrade_account_id,
                             snaptrade_authorization_id, provider)
       SELECT id, 'Paper', 'paper', 'PAPER-' || id, 'paper-' || id, 'paper-' || id, 'paper' FROM new_users
       RETURNING id, snaptrade_account_id
     ), books AS (
       INSERT INTO paper_accounts (account_id, cash) SELECT id, $3::numeric FROM new_accounts
     )
     SELECT id, snaptrade_account_id FROM new_accounts`,
    [tag, count, cash],
  );
  return rows.map((row) => ({
    accountId: row.id,
    provider: 'paper',
    brokerAccountId: row.snaptrade_account_id,
  }));
}

describe('a fan-out to 10,000 accounts', () => {
  it('fills every order and debits every account exactly', { timeout: 60_000 }, async () => {
    const accounts = await manyPaperAccounts(10_000, '2000.00');
    const items: BatchOrder[] = accounts.map((account, i) => ({
      account,
      request: order('signal-10k', { quantity: 1 + (i % 10) }),
    }));

    const started = performance.now();
    const results = await broker.placeOrders(items);
    const elapsed = performance.now() - started;
    console.log(`placeOrders: 10,000 Market buys in ${elapsed.toFixed(0)} ms`);

    expect(results).toHaveLength(10_000);
    results.forEach((result, i) => {
      if (!result.ok) throw new Error(`item ${i}: ${result.code}: ${result.reason}`);
      expect(result.order.status).toBe('filled');
      expect(result.order.filledQuantity).toBe(1 + (i % 10));
      expect(result.order.averageFillPrice).toBe('1.2500');
    });

    const ids = accounts.map((a) => a.accountId);
    const { rows } = await t.sql<{ orders: number; filled: number; debited: number; held: number }>(
      `SELECT count(*)::int AS orders,
              count(*) FILTER (WHERE o.status = 'filled' AND o.filled_quantity = o.quantity
                                 AND o.average_fill_price = 1.25)::int AS filled,
              count(*) FILTER (WHERE a.cash = 2000 - o.quantity * 125)::int AS debited,
              count(*) FILTER (WHERE p.quantity = o.quantity AND p.cost = o.quantity * 1.25)::int AS held
         FROM paper_orders o
         JOIN paper_accounts a ON a.account_id = o.account_id
         LEFT JOIN paper_positions p ON p.account_id = o.account_id AND p.symbol = o.symbol
        WHERE o.account_id = ANY($1)`,
      [ids],
    );
    expect(rows[0]).toEqual({ orders: 10_000, filled: 10_000, debited: 10_000, held: 10_000 });

    // The same signal again: every item answers its existing order.
    const replayStarted = performance.now();
    const replay = await broker.placeOrders(items);
    console.log(`placeOrders: 10,000 replays in ${(performance.now() - replayStarted).toFixed(0)} ms`);
    expect(replay).toEqual(results);

    // And a second signal on accounts that now have books: sell what was bought.
    const sells: BatchOrder[] = accounts.map((account, i) => ({
      account,
      request: order('signal-10k-close', { side: 'sell', quantity: 1 + (i % 10) }),
    }));
    const sellStarted = performance.now();
    const sold = await broker.placeOrders(sells);
    console.log(`placeOrders: 10,000 Market sells in ${(performance.now() - sellStarted).toFixed(0)} ms`);
    expect(sold.every((r) => r.ok && r.order.status === 'filled')).toBe(true);
    const after = await t.sql<{ cash: number; held: number }>(
      `SELECT count(*) FILTER (WHERE cash = 2000 - (SELECT sum(quantity) FROM paper_orders o
                                 WHERE o.account_id = a.account_id AND o.side = 'buy') * 5)::int AS cash,
              (SELECT count(*) FROM paper_positions p
                WHERE p.account_id = ANY($1) AND p.quantity = 0 AND p.cost = 0)::int AS held
         FROM paper_accounts a WHERE a.account_id = ANY($1)`,
      [ids],
    );
    // Bought at 1.25, sold at 1.20: 5.00 lost per contract.
    expect(after.rows[0]).toEqual({ cash: 10_000, held: 10_000 });

    // A third signal that half the accounts cannot afford: 15 contracts fit, 16 do not.
    const mixed = await broker.placeOrders(
      accounts.map((account, i) => ({
        account,
        request: order('signal-10k-mixed', { quantity: 15 + (i % 2) }),
      })),
    );
    mixed.forEach((result, i) => {
      const cashBefore = 2000 - 5 * (1 + (i % 10));
      if (i % 2 === 0) {
        if (!result.ok) throw new Error(`item ${i}: ${result.reason}`);
        expect(result.order).toMatchObject({ status: 'filled', filledQuantity: 15 });
      } else {
        expect(result).toEqual({
          ok: false,
          code: 'insufficient_buying_power',
          reason: `Insufficient buying power: the order needs 2000.00, buying power is ${cashBefore.toFixed(2)}`,
        });
      }
    });
    const third = await t.sql<{ filled: number; rejected: number; cash: number }>(
      `SELECT count(*) FILTER (WHERE o.status = 'filled')::int AS filled,
              count(*) FILTER (WHERE o.status = 'rejected' AND o.reason LIKE 'Insufficient buying power:%')::int
                AS rejected,
              count(*) FILTER (WHERE a.cash = 2000 - 5 * b.quantity
                                 - CASE WHEN o.status = 'filled' THEN 1875 ELSE 0 END)::int AS cash
         FROM paper_orders o
         JOIN paper_orders b ON b.account_id = o.account_id AND b.client_order_id = 'signal-10k'
         JOIN paper_accounts a ON a.account_id = o.account_id
        WHERE o.account_id = ANY($1) AND o.client_order_id = 'signal-10k-mixed'`,
      [ids],
    );
    expect(third.rows[0]).toEqual({ filled: 5_000, rejected: 5_000, cash: 10_000 });
  });
});

// ---- Concurrency ------------------------------------------------------------------------------

describe('concurrent batches', () => {
  let secondPool: pg.Pool;

  beforeAll(() => {
    secondPool = createPool(t.url, 10);
  });

  afterAll(async () => {
    await secondPool.end();
  });

  it('over overlapping accounts never overspend, whatever the order of their items', async () => {
    const other = new PaperBroker({ db: createDb(secondPool), quotes, now: () => clock });
    for (let round = 0; round < 3; round++) {
      const accounts = await manyPaperAccounts(40, '1000.00');
      const slice = (from: number, to: number) => accounts.slice(from, to);
      // 500.00, 625.00 and 375.00 a contract set: any two but the first two fit in 1000.00.
      const x = slice(0, 30).map((account) => ({ account, request: order('x', { quantity: 4 }) }));
      const y = slice(10, 40)
        .reverse()
        .map((account) => ({ account, request: order('y', { quantity: 5 }) }));
      const z = slice(5, 35);
      const [xs, ys, zs] = await Promise.all([
        broker.placeOrders(x),
        other.placeOrders(y),
        Promise.all(z.map((account) => broker.placeOrder(account, order('z', { quantity: 3 })))),
      ]);

      const spent = new Map<string, number>(accounts.map((a) => [a.accountId, 0]));
      const contracts = new Map<string, number>(accounts.map((a) => [a.accountId, 0]));
      const count = (accountsOf: BrokerAccountRef[], results: PlaceOrderResult[]) => {
        results.forEach((result, i) => {
          const id = accountsOf[i]?.accountId ?? '';
          if (result.ok) {
            expect(result.order.status).toBe('filled');
            spent.set(id, (spent.get(id) ?? 0) + result.order.filledQuantity * 125);
            contracts.set(id, (contracts.get(id) ?? 0) + result.order.filledQuantity);
          } else {
            expect(result.code).toBe('insufficient_buying_power');
          }
        });
      };
      count(
        x.map((item) => item.account),
        xs,
      );
      count(
        y.map((item) => item.account),
        ys,
      );
      count(z, zs);

      const { rows } = await t.sql<{ account_id: string; cash: string; quantity: number | null }>(
        `SELECT a.account_id, a.cash, p.quantity FROM paper_accounts a
           LEFT JOIN paper_positions p ON p.account_id = a.account_id
          WHERE a.account_id = ANY($1)`,
        [accounts.map((a) => a.accountId)],
      );
      expect(rows).toHaveLength(40);
      for (const row of rows) {
        const used = spent.get(row.account_id) ?? 0;
        expect(used).toBeLessThanOrEqual(1000);
        expect(Number(row.cash)).toBe(1000 - used);
        expect(row.quantity ?? 0).toBe(contracts.get(row.account_id));
      }
      // Where the first two batches meet, exactly one of them filled.
      for (let i = 10; i < 30; i++) {
        const account = accounts[i];
        const xi = xs[i];
        const yi = ys[39 - i];
        if (!account || !xi || !yi) throw new Error('missing result');
        expect([xi.ok, yi.ok].filter(Boolean)).toHaveLength(1);
      }
    }
  });
});
