/**
 * A BTO on a paper account is recorded, placed with the paper broker (whose books are in the same
 * database) and brought up to date with its answer in one transaction: it commits whole, or
 * leaves nothing behind.
 */
import { describe, expect, it } from 'vitest';
import type { Broker } from '../../src/broker/port';
import { createBrokerRegistry } from '../../src/broker/registry';
import { createDb } from '../../src/db/client';
import { createPaperAccount } from '../../src/services/accounts/create-paper-account';
import type { ServiceContext } from '../../src/services/context';
import type { TradingDeps } from '../../src/services/trading/deps';
import { placeBto } from '../../src/services/trading/place-bto';
import {
  buildTestApp,
  HttpClient,
  inProcess,
  silentLogger,
  TestClock,
  testConfig,
  testTrading,
} from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { createUser } from '../helpers/factories';
import { queuedJobs } from '../helpers/jobs';

const t = useTestDatabase();

const SYMBOL = 'AAPL  300118C00150000';
const ORDER = {
  side: 'BTO',
  underlying: 'AAPL',
  optionType: 'call',
  strike: '150',
  expiration: '2030-01-18',
  quantity: 2,
} as const;

async function world() {
  const clock = new TestClock(new Date('2026-11-24T15:00:00Z'));
  const { quotes, trading } = testTrading(t.db, testConfig(), clock.now);
  quotes.set(SYMBOL, { bid: '2.40', ask: '2.50' });
  const user = await createUser(t.db);
  const as = (db: ServiceContext['db']): ServiceContext => ({
    db,
    actor: { type: 'user', userId: user.id },
    now: clock.now,
    log: silentLogger(),
  });
  await createPaperAccount({ ctx: as(t.db), input: { startingBalance: '100000' } });
  return { trading, user, as };
}

/** Every statement the pool's connections send, as text. */
function countingDb() {
  const statements: string[] = [];
  const pool = t.pool;
  const original = pool.query.bind(pool);
  const counting = Object.create(pool) as typeof pool;
  // Transactions check out a client: count what it sends too.
  counting.connect = (async () => {
    const client = await pool.connect();
    const query = client.query.bind(client);
    client.query = ((config: unknown, ...rest: unknown[]) => {
      statements.push(textOf(config));
      return (query as (...args: unknown[]) => unknown)(config, ...rest);
    }) as typeof client.query;
    const release = client.release.bind(client);
    client.release = ((error?: Error | boolean) => {
      client.query = query;
      release(error);
    }) as typeof client.release;
    return client;
  }) as typeof pool.connect;
  counting.query = ((config: unknown, ...rest: unknown[]) => {
    statements.push(textOf(config));
    return (original as (...args: unknown[]) => unknown)(config, ...rest);
  }) as typeof pool.query;
  return { db: createDb(counting), statements };
}

function textOf(config: unknown): string {
  if (typeof config === 'string') return config;
  return config && typeof config === 'object' && 'text' in config ? String(config.text) : '';
}

async function rows(userId: string) {
  const { rows: found } = await t.sql<{ trades: number; paper_orders: number; positions: number }>(
    `SELECT (SELECT count(*)::int FROM trades WHERE user_id = $1) AS trades,
            (SELECT count(*)::int FROM paper_orders o JOIN accounts a ON a.id = o.account_id
              WHERE a.user_id = $1) AS paper_orders,
            (SELECT count(*)::int FROM parent_trades WHERE user_id = $1) AS positions`,
    [userId],
  );
  return found[0];
}

describe('a paper BTO', () => {
  it('is recorded, placed and filled in one transaction', async () => {
    const { trading, as } = await world();
    const { db, statements } = countingDb();
    const trade = await placeBto({ ctx: as(db), deps: trading, input: ORDER });
    expect(trade).toMatchObject({ status: 'filled', filledQuantity: 2, filledPrice: '2.5000' });
    expect(statements.filter((text) => /^begin\b/i.test(text.trim()))).toHaveLength(1);
    expect(statements.filter((text) => /^commit\b/i.test(text.trim()))).toHaveLength(1);
    const { rows: events } = await t.sql<{ type: string }>(
      'SELECT type FROM order_events WHERE trade_id = $1 ORDER BY id',
      [trade.id],
    );
    expect(events.map((e) => e.type)).toEqual(['created', 'submitted', 'filled']);
    // The audit trail names who acted, for the insert and the fill alike.
    const { rows: audit } = await t.sql<{ operation: string; actor_id: string | null }>(
      `SELECT operation, actor_id FROM audit_log WHERE table_name = 'trades' AND row_id = $1 ORDER BY id`,
      [trade.id],
    );
    expect(audit).toEqual([
      { operation: 'INSERT', actor_id: trade.userId },
      { operation: 'UPDATE', actor_id: trade.userId },
    ]);
  });

  it('leaves nothing behind, in the books either, when the placement fails after writing them', async () => {
    const { trading, user, as } = await world();
    const paper = trading.brokers.forAccount({
      id: 'any',
      provider: 'paper',
      snaptradeAccountId: 'any',
      owner: { snaptradeUserId: null, snaptradeUserSecret: null },
    }).broker;
    const failing: Broker = Object.create(paper);
    failing.placeOrderInTransaction = async (tx, account, request) => {
      await paper.placeOrderInTransaction?.(tx, account, request);
      throw new Error('the connection dropped after the books were written');
    };
    const deps: TradingDeps = {
      ...trading,
      brokers: createBrokerRegistry({ paper: failing, encryptionKey: trading.encryptionKey }),
    };
    await expect(placeBto({ ctx: as(t.db), deps, input: ORDER })).rejects.toThrow('connection dropped');
    expect(await rows(user.id)).toEqual({ trades: 0, paper_orders: 0, positions: 0 });

    const trade = await placeBto({ ctx: as(t.db), deps: trading, input: ORDER });
    expect(trade.status).toBe('filled');
    expect(await rows(user.id)).toEqual({ trades: 1, paper_orders: 1, positions: 1 });
  });

  it('orders that move an account while its balance refresh waits share that refresh', async () => {
    const { trading, user, as } = await world();
    const [account] = (await t.sql<{ id: string }>('SELECT id FROM accounts WHERE user_id = $1', [user.id]))
      .rows;
    if (!account) throw new Error('no account');
    for (let i = 0; i < 3; i++) await placeBto({ ctx: as(t.db), deps: trading, input: ORDER });
    const waiting = (await queuedJobs(t, 'sync-account-balances')).filter(
      (job) => JSON.stringify(job.payload.accountIds) === JSON.stringify([account.id]),
    );
    expect(waiting).toHaveLength(1);
  });
});

describe('placing a paper BTO through the API', () => {
  it('answers the order exactly as reading it back does', async () => {
    const clock = new TestClock(new Date('2026-11-24T15:00:00Z'));
    const env = buildTestApp(t, { clock });
    env.quotes.set(SYMBOL, { bid: '2.40', ask: '2.50' });
    const client = new HttpClient(inProcess(env.app, '198.51.100.7'));
    expect(
      (
        await client.post('/api/auth/sign-up/email', {
          email: 'answer@example.test',
          password: 'correct horse battery',
          name: 'Answer',
        })
      ).status,
    ).toBe(200);
    expect((await client.post('/api/accounts/paper', { startingBalance: '10000' })).status).toBe(201);
    // A new position, then one added to; a Limit that waits, one rejected beyond the cash.
    const statuses: string[] = [];
    for (const order of [
      ORDER,
      { ...ORDER, quantity: 1 },
      { ...ORDER, orderType: 'Limit', limitPrice: '2.1' },
      { ...ORDER, orderType: 'Limit', limitPrice: '2.55', quantity: 39 },
    ]) {
      clock.advance(1_000);
      const placed = await client.post('/api/orders', order);
      expect(placed.status).toBe(201);
      const answered = (await placed.json()) as { id: string; status: string };
      const read = await client.get(`/api/orders/${answered.id}`);
      expect(answered).toEqual(await read.json());
      statuses.push(answered.status);
    }
    expect(statuses).toEqual(['filled', 'filled', 'pending', 'rejected']);
  });
});

describe('the session and the order rate limit', () => {
  it('are one round trip, counting each order once, with the limit’s headers', async () => {
    const clock = new TestClock(new Date('2026-11-24T15:00:00Z'));
    const counting = countingDb();
    const env = buildTestApp({ ...t, db: counting.db }, { clock });
    env.quotes.set(SYMBOL, { bid: '2.40', ask: '2.50' });
    const client = new HttpClient(inProcess(env.app, '198.51.100.8'));
    const signedUp = await client.post('/api/auth/sign-up/email', {
      email: 'limits@example.test',
      password: 'correct horse battery',
      name: 'Limits',
    });
    expect(signedUp.status).toBe(200);
    expect((await client.post('/api/accounts/paper', { startingBalance: '10000' })).status).toBe(201);
    for (const remaining of ['9', '8']) {
      counting.statements.length = 0;
      const placed = await client.post('/api/orders', { ...ORDER, quantity: 1 });
      expect(placed.status).toBe(201);
      expect(placed.headers.get('X-RateLimit-Remaining')).toBe(remaining);
      expect(counting.statements.filter((text) => /\b(sessions|rate_limits)\b/.test(text))).toHaveLength(1);
    }
    const { rows } = await t.sql<{ count: number }>(
      `SELECT r.count FROM rate_limits r JOIN users u ON r.key = 'orders:user:' || u.id
        WHERE u.email = 'limits@example.test'`,
    );
    expect(rows).toEqual([{ count: 2 }]);
  });
});
