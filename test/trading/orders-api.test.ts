/**
 * Issue 3's scenario through the HTTP API against real PostgreSQL and the paper broker: a user
 * signs up, opens a paper account, opens, adds to, partly and fully closes a position with
 * Market and Limit orders, and every figure matches PRODUCT.md.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { syncBalances } from '../../src/services/accounts/sync-balances';
import { expirePositions } from '../../src/services/trading/expire-positions';
import { buildTestApp, HttpClient, inProcess, silentLogger, type TestApp, TestClock } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';

const t = useTestDatabase();
// Tuesday 2026-11-24, 10:00 in New York.
const clock = new TestClock(new Date('2026-11-24T15:00:00Z'));
let env: TestApp;

const CONTRACT = { underlying: 'AAPL', optionType: 'call', strike: '150', expiration: '2030-01-18' } as const;
const SYMBOL = 'AAPL  300118C00150000';

type Json = Record<string, unknown>;

async function signUp(name: string): Promise<HttpClient> {
  const client = new HttpClient(inProcess(env.app, `198.51.100.${Math.floor(Math.random() * 200) + 1}`));
  const res = await client.post('/api/auth/sign-up/email', {
    email: `${name}-${Math.random().toString(36).slice(2, 8)}@example.test`,
    password: 'correct horse battery',
    name,
  });
  expect(res.status).toBe(200);
  return client;
}

async function json(res: Response, status: number): Promise<Json> {
  const body = (await res.json()) as Json;
  if (res.status !== status)
    throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

/** Place an order a minute after the last one (orders are limited to 10 a minute). */
async function place(client: HttpClient, order: Json, status = 201): Promise<Json> {
  clock.advance(61_000);
  return json(await client.post('/api/orders', order), status);
}

async function openPaperAccount(client: HttpClient, startingBalance = '10000'): Promise<Json> {
  return json(await client.post('/api/accounts/paper', { startingBalance }), 201);
}

beforeAll(() => {
  env = buildTestApp(t, { clock });
});

describe('trading through the API', () => {
  it('opens, adds to, partly and fully closes a position; every figure as PRODUCT.md says', async () => {
    const alice = await signUp('alice');
    const account = await openPaperAccount(alice);
    expect(account).toMatchObject({
      provider: 'paper',
      isSelected: true,
      balance: '10000.00',
      buyingPower: '10000.00',
    });

    env.quotes.set(SYMBOL, { bid: '2.40', ask: '2.50' });
    const open = await place(alice, { side: 'BTO', ...CONTRACT, quantity: 10 });
    expect(open).toMatchObject({
      side: 'BTO',
      status: 'filled',
      filledQuantity: 10,
      filledPrice: '2.5000',
      symbol: SYMBOL,
    });
    const positionId = open.positionId as string;

    // Add with a Limit order below the ask: it waits, then fills when the quote crosses.
    const add = await place(alice, {
      side: 'BTO',
      ...CONTRACT,
      quantity: 5,
      orderType: 'Limit',
      limitPrice: '2.00',
    });
    expect(add).toMatchObject({ status: 'pending', positionId, limitPrice: '2.0000' });
    env.quotes.set(SYMBOL, { bid: '1.90', ask: '1.95' });
    const added = await json(await alice.post(`/api/orders/${add.id}/refresh`), 200);
    expect(added).toMatchObject({ status: 'filled', filledQuantity: 5, filledPrice: '1.9500' });

    let position = await json(await alice.get(`/api/positions/${positionId}`), 200);
    expect(position).toMatchObject({
      status: 'open',
      boughtQuantity: 15,
      openQuantity: 15,
      averageEntryPrice: '2.316667',
      totalCostBasis: '3475.00',
      realizedPnl: '0.00',
    });

    // Partial close at market.
    env.quotes.set(SYMBOL, { bid: '3.00', ask: '3.10' });
    const firstSell = await place(alice, { side: 'STC', positionId, quantity: 5 });
    expect(firstSell).toMatchObject({
      side: 'STC',
      status: 'filled',
      filledPrice: '3.0000',
      pnl: '341.67',
      pnlPercent: '29.4964',
    });

    // Close the rest with a Limit order that fills when the bid reaches it.
    const lastSell = await place(alice, {
      side: 'STC',
      positionId,
      quantity: 10,
      orderType: 'Limit',
      limitPrice: '3.50',
    });
    expect(lastSell.status).toBe('pending');
    await json(await alice.post('/api/orders', { side: 'STC', positionId, quantity: 1 }), 400).then((body) =>
      expect(body).toMatchObject({ error: { code: 'VALIDATION', field: 'quantity' } }),
    );
    env.quotes.set(SYMBOL, { bid: '3.50', ask: '3.60' });
    const closed = await json(await alice.post(`/api/orders/${lastSell.id}/refresh`), 200);
    expect(closed).toMatchObject({ status: 'filled', pnl: '1183.33' });

    position = await json(await alice.get(`/api/positions/${positionId}`), 200);
    expect(position).toMatchObject({
      status: 'closed',
      boughtQuantity: 15,
      soldQuantity: 15,
      openQuantity: 0,
      totalCostBasis: '3475.00',
      totalProceeds: '5000.00',
      realizedPnl: '1525.00',
    });
    expect((position.orders as Json[]).map((o) => [o.side, o.status, o.filledQuantity])).toEqual([
      ['BTO', 'filled', 10],
      ['BTO', 'filled', 5],
      ['STC', 'filled', 5],
      ['STC', 'filled', 10],
    ]);
    const closedList = await json(await alice.get('/api/positions?status=closed'), 200);
    expect((closedList.positions as Json[]).map((p) => p.id)).toEqual([positionId]);
    const openList = await json(await alice.get('/api/positions'), 200);
    expect(openList.positions).toEqual([]);

    // The broker's cash moved with every fill: 10000 − 2500 − 975 + 1500 + 3500.
    const ctx = {
      db: t.db,
      actor: { type: 'system', job: 'test' } as const,
      now: clock.now,
      log: silentLogger(),
    };
    const synced = await syncBalances({ ctx, deps: env.trading, input: { accountId: account.id as string } });
    expect(synced.balance).toBe('11525.00');

    // Every change is in the order event log.
    const { rows } = await t.sql<{ type: string }>(
      'SELECT type FROM order_events WHERE trade_id = $1 ORDER BY id',
      [add.id],
    );
    expect(rows.map((r) => r.type)).toEqual(['created', 'submitted', 'filled']);
  });

  it('a broker rejection marks the order rejected with its reason and cancels the empty position', async () => {
    const bob = await signUp('bob');
    await openPaperAccount(bob);
    // No quote for this contract: the paper broker refuses it as a real broker refuses an unknown one.
    const rejected = await place(bob, {
      side: 'BTO',
      underlying: 'ZZZZ',
      optionType: 'put',
      strike: 10,
      expiration: '2030-01-18',
      quantity: 1,
      orderType: 'Limit',
      limitPrice: '1.00',
    });
    expect(rejected).toMatchObject({ status: 'rejected', filledQuantity: 0 });
    expect(String(rejected.statusReason)).toMatch(/quote|expired/i);
    const position = await json(await bob.get(`/api/positions/${rejected.positionId}`), 200);
    expect(position.status).toBe('cancelled');
  });

  it('a cancelled order ends cancelled; a filled one cannot be cancelled', async () => {
    const carol = await signUp('carol');
    await openPaperAccount(carol);
    env.quotes.set(SYMBOL, { bid: '2.40', ask: '2.50' });
    const working = await place(carol, {
      side: 'BTO',
      ...CONTRACT,
      quantity: 2,
      orderType: 'Limit',
      limitPrice: '1.00',
    });
    expect(working.status).toBe('pending');
    const cancelled = await json(await carol.post(`/api/orders/${working.id}/cancel`), 200);
    expect(cancelled).toMatchObject({ status: 'cancelled', filledQuantity: 0 });
    expect((await json(await carol.get(`/api/positions/${working.positionId}`), 200)).status).toBe(
      'cancelled',
    );
    const again = await json(await carol.post(`/api/orders/${working.id}/cancel`), 422);
    expect(again).toMatchObject({ error: { code: 'PRECONDITION_FAILED' } });

    const filled = await place(carol, { side: 'BTO', ...CONTRACT, quantity: 1 });
    await json(await carol.post(`/api/orders/${filled.id}/cancel`), 422);
  });

  it('an expired position cancels its working orders and closes at 0 through a system sell', async () => {
    const dave = await signUp('dave');
    await openPaperAccount(dave);
    const today = { underlying: 'SPY', optionType: 'put', strike: '400', expiration: '2026-11-24' } as const;
    const symbol = 'SPY   261124P00400000';
    env.quotes.set(symbol, { bid: '0.95', ask: '1.00' });
    const bought = await place(dave, { side: 'BTO', ...today, quantity: 3 });
    expect(bought.status).toBe('filled');
    const working = await place(dave, {
      side: 'STC',
      positionId: bought.positionId,
      quantity: 2,
      orderType: 'Limit',
      limitPrice: '5.00',
    });
    expect(working.status).toBe('pending');

    // 16:30 New York time: after the close of the expiration day.
    clock.current = new Date('2026-11-24T21:30:00Z');
    const ctx = {
      db: t.db,
      actor: { type: 'system', job: 'expire-positions' } as const,
      now: clock.now,
      log: silentLogger(),
    };
    const { expired } = await expirePositions({ ctx, deps: env.trading });
    expect(expired).toContain(bought.positionId);

    const position = await json(await dave.get(`/api/positions/${bought.positionId}`), 200);
    expect(position).toMatchObject({
      status: 'expired',
      soldQuantity: 3,
      totalCostBasis: '300.00',
      totalProceeds: '0.00',
      realizedPnl: '-300.00',
    });
    const orders = position.orders as Json[];
    expect(orders.find((o) => o.id === working.id)).toMatchObject({ status: 'cancelled' });
    expect(orders.find((o) => o.source === 'auto')).toMatchObject({
      side: 'STC',
      status: 'filled',
      filledQuantity: 3,
      filledPrice: '0.0000',
      pnl: '-300.00',
      pnlPercent: '-100.0000',
    });
    // Running it again changes nothing.
    expect((await expirePositions({ ctx, deps: env.trading })).expired).toEqual([]);
    clock.current = new Date('2026-11-24T15:00:00Z');
  });

  it('two concurrent closes of the last contracts never oversell', async () => {
    const erin = await signUp('erin');
    await openPaperAccount(erin);
    env.quotes.set(SYMBOL, { bid: '2.40', ask: '2.50' });
    const bought = await place(erin, { side: 'BTO', ...CONTRACT, quantity: 10 });
    // Limit sells that wait, so both would be working at once if both were accepted.
    const sell = {
      side: 'STC',
      positionId: bought.positionId,
      quantity: 10,
      orderType: 'Limit',
      limitPrice: '9.00',
    };
    clock.advance(61_000);
    const [a, b] = await Promise.all([erin.post('/api/orders', sell), erin.post('/api/orders', sell)]);
    expect([a.status, b.status].sort()).toEqual([201, 400]);
    const { rows } = await t.sql<{ committed: number }>(
      `SELECT sum(quantity)::int AS committed FROM trades WHERE parent_trade_id = $1 AND action = 'sell'`,
      [bought.positionId],
    );
    expect(rows[0]?.committed).toBe(10);
  });

  it('refuses bad input with the field at fault and writes nothing', async () => {
    const frank = await signUp('frank');
    await openPaperAccount(frank);
    const before = await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM trades');
    const cases: [Json, string][] = [
      [{ side: 'BTO', ...CONTRACT, underlying: 'TOOLONGX', quantity: 1 }, 'underlying'],
      [{ side: 'BTO', ...CONTRACT, strike: '-5', quantity: 1 }, 'strike'],
      [{ side: 'BTO', ...CONTRACT, expiration: '2026-02-30', quantity: 1 }, 'expiration'],
      [{ side: 'BTO', ...CONTRACT, expiration: '2026-11-23', quantity: 1 }, 'expiration'],
      [{ side: 'BTO', ...CONTRACT, quantity: 0 }, 'quantity'],
      [{ side: 'BTO', ...CONTRACT, quantity: 1001 }, 'quantity'],
      [{ side: 'BTO', ...CONTRACT, quantity: 2.5 }, 'quantity'],
      [{ side: 'BTO', ...CONTRACT, quantity: 1, orderType: 'Limit' }, 'limitPrice'],
      [{ side: 'BTO', ...CONTRACT, quantity: 1, orderType: 'Stop' }, 'stopPrice'],
      [{ side: 'BTO', ...CONTRACT, quantity: 1, orderType: 'StopLimit', stopPrice: '2' }, 'limitPrice'],
      [{ side: 'SELL', quantity: 1 }, 'side'],
      [{ side: 'STC', quantity: 1 }, 'positionId'],
    ];
    for (const [order, field] of cases) {
      const body = await place(frank, order, 400);
      expect(body, JSON.stringify(order)).toMatchObject({ error: { code: 'VALIDATION', field } });
    }
    const after = await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM trades');
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
  });

  it('refuses an order without a selected account, or beyond buying power, writing nothing', async () => {
    const gina = await signUp('gina');
    const noAccount = await place(gina, { side: 'BTO', ...CONTRACT, quantity: 1 }, 422);
    expect(noAccount).toMatchObject({ error: { code: 'PRECONDITION_FAILED' } });
    await openPaperAccount(gina, '100');
    env.quotes.set(SYMBOL, { bid: '2.40', ask: '2.50' });
    const tooBig = await place(gina, { side: 'BTO', ...CONTRACT, quantity: 1 }, 422);
    expect(tooBig).toMatchObject({ error: { code: 'PRECONDITION_FAILED', field: 'quantity' } });
    const orders = await json(await gina.get('/api/orders'), 200);
    expect(orders.orders).toEqual([]);
  });

  it('answers 404 for another user’s account, order and position', async () => {
    const owner = await signUp('owner');
    const account = await openPaperAccount(owner);
    env.quotes.set(SYMBOL, { bid: '2.40', ask: '2.50' });
    const order = await place(owner, { side: 'BTO', ...CONTRACT, quantity: 1 });
    const intruder = await signUp('intruder');
    await openPaperAccount(intruder);
    const attempts: [string, string, Json | undefined][] = [
      ['GET', `/api/positions/${order.positionId}`, undefined],
      ['GET', `/api/orders/${order.id}`, undefined],
      ['POST', `/api/orders/${order.id}/cancel`, undefined],
      ['POST', `/api/orders/${order.id}/refresh`, undefined],
      ['POST', `/api/accounts/${account.id}/select`, undefined],
      ['POST', `/api/accounts/${account.id}/sync`, undefined],
      ['POST', `/api/accounts/${account.id}/disconnect`, undefined],
      ['POST', '/api/orders', { side: 'STC', positionId: order.positionId, quantity: 1 }],
    ];
    for (const [method, path, body] of attempts) {
      clock.advance(61_000);
      const res = await intruder.request(method, path, { json: body });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect((await json(await owner.get(`/api/positions/${order.positionId}`), 200)).openQuantity).toBe(1);
    const anonymous = new HttpClient(inProcess(env.app));
    expect((await anonymous.get('/api/orders')).status).toBe(401);
  });

  it('pages orders with a cursor and filters them by status', async () => {
    const hank = await signUp('hank');
    await openPaperAccount(hank, '100000');
    env.quotes.set(SYMBOL, { bid: '2.40', ask: '2.50' });
    const placed: string[] = [];
    for (let i = 0; i < 3; i++)
      placed.push((await place(hank, { side: 'BTO', ...CONTRACT, quantity: 1 })).id as string);
    placed.push(
      (await place(hank, { side: 'BTO', ...CONTRACT, quantity: 1, orderType: 'Limit', limitPrice: '1.00' }))
        .id as string,
    );
    const first = await json(await hank.get('/api/orders?limit=3'), 200);
    const second = await json(await hank.get(`/api/orders?limit=3&cursor=${first.nextCursor}`), 200);
    expect(second.nextCursor).toBeNull();
    const seen = [...(first.orders as Json[]), ...(second.orders as Json[])].map((o) => o.id);
    expect(seen).toEqual([...placed].reverse());
    const pending = await json(await hank.get('/api/orders?status=pending'), 200);
    expect((pending.orders as Json[]).map((o) => o.id)).toEqual([placed[3]]);
    await json(await hank.get('/api/orders?status=open'), 400);
    await json(await hank.get('/api/orders?cursor=garbage'), 400);
  });

  it('limits order placement to 10 a minute per user', async () => {
    const ivy = await signUp('ivy');
    await openPaperAccount(ivy, '100000');
    env.quotes.set(SYMBOL, { bid: '2.40', ask: '2.50' });
    clock.advance(61_000);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      statuses.push((await ivy.post('/api/orders', { side: 'BTO', ...CONTRACT, quantity: 1 })).status);
    }
    expect(statuses).toEqual(Array(10).fill(201));
    const refused = await ivy.post('/api/orders', { side: 'BTO', ...CONTRACT, quantity: 1 });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('X-RateLimit-Limit')).toBe('10');
  });
});
