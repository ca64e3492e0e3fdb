/**
 * My orders and closed positions as CSV: parsed back, every figure equals what the API shows, for
 * manual and copied trades alike; another user's trades never appear.
 */
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { runJobs, testJobDeps } from '../helpers/jobs';
import { expectJson, type Member, signUp, signUpTrader } from '../subscriptions/helpers';

const t = useTestDatabase();
let env: TestApp;
let ada: Member;

const SYMBOL = 'AAPL  300118C00150000';
const CONTRACT = { underlying: 'AAPL', optionType: 'call', strike: '150', expiration: '2030-01-18' };

type Json = Record<string, unknown>;

async function csv(member: Member, path: string): Promise<Array<Record<string, string>>> {
  const res = await member.client.get(path);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="alertsify-/);
  return parse(await res.text(), { columns: true }) as Array<Record<string, string>>;
}

beforeAll(async () => {
  env = buildTestApp(t);
  ada = await signUp(env.app, 'ada');
  const other = await signUp(env.app, 'other');
  for (const member of [ada, other])
    await expectJson(await member.client.post('/api/accounts/paper', {}), 201);
  env.quotes.set(SYMBOL, { bid: '2.40', ask: '2.50' });
  const bought = await expectJson(
    await ada.client.post('/api/orders', { side: 'BTO', ...CONTRACT, quantity: 10 }),
    201,
  );
  env.clock.advance(60_000);
  env.quotes.set(SYMBOL, { bid: '3.00', ask: '3.10' });
  await expectJson(
    await ada.client.post('/api/orders', { side: 'STC', positionId: bought.positionId, quantity: 5 }),
    201,
  );
  env.clock.advance(60_000);
  env.quotes.set(SYMBOL, { bid: '2.80', ask: '2.90' });
  await expectJson(
    await ada.client.post('/api/orders', { side: 'STC', positionId: bought.positionId, quantity: 5 }),
    201,
  );
  env.clock.advance(60_000);
  await expectJson(
    await ada.client.post('/api/orders', {
      side: 'BTO',
      ...CONTRACT,
      quantity: 1,
      orderType: 'Limit',
      limitPrice: '0.05',
    }),
    201,
  );
  await expectJson(await other.client.post('/api/orders', { side: 'BTO', ...CONTRACT, quantity: 3 }), 201);
});

describe('CSV exports', () => {
  it('orders: one row per order, oldest first, with the figures the API shows', async () => {
    const rows = await csv(ada, '/api/exports/orders.csv');
    const { orders } = (await expectJson(await ada.client.get('/api/orders?limit=200'), 200)) as {
      orders: Json[];
    };
    expect(rows.map((r) => r.order_id)).toEqual(orders.map((o) => o.id).reverse());
    for (const row of rows) {
      const order = orders.find((o) => o.id === row.order_id);
      if (!order) throw new Error(`no order ${row.order_id}`);
      expect(row).toEqual({
        date: String(order.filledAt ?? order.createdAt),
        occ_symbol: SYMBOL,
        underlying: 'AAPL',
        call_put: 'call',
        strike: String(order.strike),
        expiration: '2030-01-18',
        side: String(order.side),
        quantity: String(order.filledQuantity),
        price: order.filledPrice === null ? '' : String(order.filledPrice),
        fees: '0.00',
        pnl: order.pnl === null ? '' : String(order.pnl),
        manual_or_copied: 'manual',
        source_trader: '',
        status: String(order.status),
        order_type: String(order.orderType),
        ordered_quantity: String(order.quantity),
        order_id: String(order.id),
      });
    }
    expect(rows.map((r) => [r.side, r.quantity, r.price, r.pnl])).toEqual([
      ['BTO', '10', '2.5000', ''],
      ['STC', '5', '3.0000', '250.00'],
      ['STC', '5', '2.8000', '150.00'],
      ['BTO', '0', '', ''],
    ]);
  });

  it('positions: closed ones, with cost basis, proceeds and P&L as the API shows them', async () => {
    const rows = await csv(ada, '/api/exports/positions.csv');
    const { positions } = (await expectJson(await ada.client.get('/api/positions?status=closed'), 200)) as {
      positions: Json[];
    };
    expect(rows).toHaveLength(1);
    const [position] = positions;
    expect(rows[0]).toMatchObject({
      occ_symbol: SYMBOL,
      quantity: '10',
      cost_basis: '2500.00',
      proceeds: '2900.00',
      pnl: '400.00',
      status: 'closed',
      manual_or_copied: 'manual',
      position_id: String(position?.id),
      closed: String(position?.closedAt),
    });
  });

  it('a copied trade: marked copied, with its source trader, and the figures the API shows', async () => {
    const trader = await signUpTrader(env.app, 'tess');
    const follower = await signUp(env.app, 'cy');
    await expectJson(await trader.client.post('/api/accounts/paper', {}), 201);
    await expectJson(await follower.client.post('/api/accounts/paper', {}), 201);
    await expectJson(
      await follower.client.post('/api/subscriptions', {
        traderId: trader.id,
        settings: { autoExecute: true },
      }),
      201,
    );
    env.clock.advance(60_000);
    await expectJson(await trader.client.post('/api/orders', { side: 'BTO', ...CONTRACT, quantity: 2 }), 201);
    await runJobs(t, testJobDeps(t, { now: env.clock.now, trading: env.trading, config: env.config }), [
      'fan-out-copies',
    ]);

    const rows = await csv(follower, '/api/exports/orders.csv');
    const { orders } = (await expectJson(await follower.client.get('/api/orders'), 200)) as {
      orders: Json[];
    };
    expect(orders).toHaveLength(1);
    const copy = orders[0] ?? {};
    expect(copy.status).toBe('filled');
    expect(rows).toEqual([
      expect.objectContaining({
        order_id: String(copy.id),
        side: 'BTO',
        quantity: String(copy.filledQuantity),
        price: String(copy.filledPrice),
        manual_or_copied: 'copied',
        source_trader: expect.stringContaining('tess'),
      }),
    ]);
    // The trader's own order is theirs: manual, with no source trader.
    const own = await csv(trader, '/api/exports/orders.csv');
    expect(own.map((r) => [r.manual_or_copied, r.source_trader])).toEqual([['manual', '']]);
  });

  it('needs a session', async () => {
    const res = await env.app.request('/api/exports/orders.csv');
    expect(res.status).toBe(401);
  });
});
