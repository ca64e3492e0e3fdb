import type pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openPaperAccount, PaperBroker } from '../../../src/broker/paper/paper-broker';
import { createFixedQuotes, type FixedQuotes } from '../../../src/broker/paper/quotes';
import type { BrokerAccountRef, PlaceOrderRequest } from '../../../src/broker/port';
import { createDb, createPool } from '../../../src/db/client';
import { useTestDatabase } from '../../helpers/db';
import { createAccount, createUser } from '../../helpers/factories';

const t = useTestDatabase();

const NOW = new Date('2026-03-02T15:00:00Z');
const CALL = 'AAPL  260618C00150000';

// Two brokers on two connection pools, as two processes of the app would be.
let secondPool: pg.Pool;
let brokers: PaperBroker[];
let quotes: FixedQuotes;
let account: BrokerAccountRef;

beforeAll(() => {
  secondPool = createPool(t.url, 10);
});

afterAll(async () => {
  await secondPool.end();
});

beforeEach(async () => {
  quotes = createFixedQuotes({ [CALL]: { bid: '1.20', ask: '1.25' } });
  brokers = [
    new PaperBroker({ db: t.db, quotes, now: () => NOW }),
    new PaperBroker({ db: createDb(secondPool), quotes, now: () => NOW }),
  ];
  const user = await createUser(t.db);
  const row = await createAccount(t.db, user.id);
  await openPaperAccount(t.db, row.id, '1000.00');
  account = { accountId: row.id, provider: 'paper', brokerAccountId: row.snaptradeAccountId };
});

function brokerFor(i: number): PaperBroker {
  const broker = brokers[i % brokers.length];
  if (!broker) throw new Error('no broker');
  return broker;
}

function marketOrder(i: number, overrides: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest {
  return {
    clientOrderId: `concurrent-${i}`,
    symbol: CALL,
    side: 'buy',
    quantity: 2,
    orderType: 'Market',
    timeInForce: 'GTC',
    ...overrides,
  };
}

async function paperCash(): Promise<string> {
  const { rows } = await t.sql<{ cash: string }>('SELECT cash FROM paper_accounts WHERE account_id = $1', [
    account.accountId,
  ]);
  return rows[0]?.cash ?? 'missing';
}

describe('concurrent operations on one account', () => {
  it('ten Market buys that together exceed the cash: exactly the affordable ones fill', async () => {
    // 250.00 each against 1000.00 of cash: four fit.
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => brokerFor(i).placeOrder(account, marketOrder(i))),
    );
    const filled = results.filter((r) => r.ok && r.order.status === 'filled');
    const refused = results.filter((r) => !r.ok && r.code === 'insufficient_buying_power');
    expect(filled).toHaveLength(4);
    expect(refused).toHaveLength(6);
    expect(await paperCash()).toBe('0.00');
    expect(await brokerFor(0).getPositions(account)).toEqual([
      { symbol: CALL, quantity: 8, averagePrice: '1.2500' },
    ]);
  });

  it('ten Market sells of one contract against five held: five fill, none oversold', async () => {
    await brokerFor(0).placeOrder(account, marketOrder(100, { quantity: 5 }));
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        brokerFor(i).placeOrder(account, marketOrder(i, { side: 'sell', quantity: 1 })),
      ),
    );
    expect(results.filter((r) => r.ok && r.order.status === 'filled')).toHaveLength(5);
    expect(results.filter((r) => !r.ok && r.code === 'insufficient_position')).toHaveLength(5);
    expect(await brokerFor(1).getPositions(account)).toEqual([]);
    // 1000 − 5 × 125 + 5 × 120
    expect(await paperCash()).toBe('975.00');
  });

  it('the same client order id placed ten times at once makes one order', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => brokerFor(i).placeOrder(account, marketOrder(7))),
    );
    const ids = new Set(results.map((r) => (r.ok ? r.order.brokerOrderId : r.code)));
    expect(ids.size).toBe(1);
    expect(await paperCash()).toBe('750.00');
    const { rows } = await t.sql('SELECT id FROM paper_orders WHERE account_id = $1', [account.accountId]);
    expect(rows).toHaveLength(1);
  });

  it('many readers evaluating one working order apply each fill once', async () => {
    quotes.set(CALL, { bid: '1.20', ask: '1.25', size: 0 });
    const placed = await brokerFor(0).placeOrder(account, marketOrder(1, { quantity: 6 }));
    if (!placed.ok) throw new Error(placed.reason);
    // One contract fills per evaluation; twenty concurrent reads evaluate twenty times.
    quotes.set(CALL, { bid: '1.20', ask: '1.25', size: 1 });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? brokerFor(i).getOrder(account, placed.order.brokerOrderId)
          : brokerFor(i).getBalances(account),
      ),
    );
    const order = await brokerFor(0).getOrder(account, placed.order.brokerOrderId);
    expect(order).toMatchObject({ status: 'filled', filledQuantity: 6, averageFillPrice: '1.2500' });
    expect(await paperCash()).toBe('250.00');
  });
});
