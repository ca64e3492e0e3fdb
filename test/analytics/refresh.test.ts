/**
 * The materialized views are refreshed by a job that closing positions and copy decisions ask
 * for: one waiting at a time (debounced), due within a minute of the close; the worker runs it
 * and the leaderboard changes. Refreshes never run beside each other.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANALYTICS_REFRESH, CRON, JOB_CATALOGUE } from '../../src/jobs/catalogue';
import { startWorker, type WorkerHandle } from '../../src/jobs/runner';
import { buildTasks } from '../../src/jobs/tasks';
import { buildTestApp, HttpClient, inProcess, silentLogger, type TestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { createAccount, createTrade, createUser } from '../helpers/factories';
import { testJobDeps } from '../helpers/jobs';
import { expectJson, type Json } from '../subscriptions/helpers';
import { refresh, tradedPosition } from './support';

const t = useTestDatabase();
let env: TestApp;
const workers: WorkerHandle[] = [];

type Job = { key: string | null; queue_name: string | null; wait: number; payload: unknown };

async function refreshJobs(): Promise<Job[]> {
  const { rows } = await t.sql<Job>(
    `SELECT j.key, q.queue_name, extract(epoch FROM j.run_at - now())::float AS wait, j.payload
       FROM graphile_worker._private_jobs j
       JOIN graphile_worker._private_tasks t ON t.id = j.task_id
       LEFT JOIN graphile_worker._private_job_queues q ON q.id = j.job_queue_id
      WHERE t.identifier = 'refresh-analytics' ORDER BY j.id`,
  );
  return rows;
}

async function clearJobs(): Promise<void> {
  await t.sql(`DELETE FROM graphile_worker._private_jobs`);
}

async function owner() {
  const user = await createUser(t.db, { isTrader: true });
  return { userId: user.id, accountId: (await createAccount(t.db, user.id)).id };
}

/** An open position of one contract bought an hour ago; the sale closes it. */
async function openPosition(who: { userId: string; accountId: string }, strike: string) {
  const at = new Date(Date.now() - 3_600_000).toISOString();
  const { positionId } = await tradedPosition(t, who, {
    contract: { underlying: 'QQQ', optionType: 'call', strike, expiration: '2030-03-15' },
    openedAt: at,
    buys: [{ quantity: 1, price: '1.00', at }],
  });
  return { id: positionId, userId: who.userId };
}

const sell = (position: { id: string; userId: string }, accountId: string, price = '2.00') =>
  createTrade(t.db, position, accountId, { action: 'sell', quantity: 1, price });

beforeAll(() => {
  env = buildTestApp(t);
});

afterAll(async () => {
  for (const worker of workers) await worker.stop();
});

describe('asking for a refresh', () => {
  it("adds the catalogue's job once, due shortly, whatever the number of closes", async () => {
    const who = await owner();
    const [a, b, c] = [
      await openPosition(who, '100'),
      await openPosition(who, '101'),
      await openPosition(who, '102'),
    ];
    await clearJobs();

    await sell(a, who.accountId);
    const [first, ...others] = await refreshJobs();
    expect(others).toEqual([]);
    expect(first).toMatchObject({
      key: ANALYTICS_REFRESH.key,
      queue_name: ANALYTICS_REFRESH.queue,
      payload: {},
    });
    // Due after the catalogue's delay (10 s), counted from the close.
    expect(first?.wait).toBeGreaterThan(ANALYTICS_REFRESH.delayMs / 1000 - 5);
    expect(first?.wait).toBeLessThanOrEqual(ANALYTICS_REFRESH.delayMs / 1000);

    // Two closes in one statement, then another transaction: still the one job, still as due.
    await t.db.execute(sql`
      INSERT INTO trades (parent_trade_id, user_id, account_id, action, quantity, filled_quantity, order_type,
                          filled_price, status, filled_at)
      VALUES (${b.id}, ${who.userId}, ${who.accountId}, 'sell', 1, 1, 'Market', 2, 'filled', now()),
             (${c.id}, ${who.userId}, ${who.accountId}, 'sell', 1, 1, 'Market', 2, 'filled', now())`);
    const after = await refreshJobs();
    expect(after).toHaveLength(1);
    expect(after[0]?.wait).toBeLessThanOrEqual(first?.wait ?? 0);
  });

  it('is the job of the catalogue, and CRON runs it every minute too', () => {
    const definition = JOB_CATALOGUE['refresh-analytics'];
    expect(definition).toMatchObject({
      keyMode: 'preserve_run_at',
      delayMs: ANALYTICS_REFRESH.delayMs,
      queue: ANALYTICS_REFRESH.queue,
    });
    expect(definition.key?.({})).toBe(ANALYTICS_REFRESH.key);
    expect(CRON).toContainEqual({ task: 'refresh-analytics', pattern: '* * * * *' });
  });

  it('is not asked for by changes that move no figure, and is by copy decisions', async () => {
    const who = await owner();
    const open = await openPosition(who, '110');
    await clearJobs();
    // A buy on an open position, a touch of its row: nothing closed.
    await createTrade(t.db, open, who.accountId, { action: 'buy', quantity: 1, price: '1.10' });
    await t.db.execute(sql`UPDATE parent_trades SET updated_at = now() WHERE id = ${open.id}`);
    expect(await refreshJobs()).toEqual([]);

    const subscriber = await createUser(t.db);
    const { rows } = await t.db.execute<{ id: string }>(sql`
      INSERT INTO subscriptions (subscriber_id, trader_id) VALUES (${subscriber.id}, ${who.userId}) RETURNING id`);
    const { rows: buys } = await t.db.execute<{ id: string }>(sql`
      SELECT id FROM trades WHERE parent_trade_id = ${open.id} LIMIT 1`);
    await t.db.execute(sql`
      INSERT INTO subscription_trades (subscription_id, source_trade_id, subscriber_id, trader_id, action, outcome,
                                       reason, source_quantity)
      VALUES (${rows[0]?.id}, ${buys[0]?.id}, ${subscriber.id}, ${who.userId}, 'buy', 'skipped', 'no_account', 1)`);
    expect(await refreshJobs()).toHaveLength(1);
  });

  it('never refreshes two at once: concurrent refreshes take turns and all succeed', async () => {
    const results = await Promise.all(
      [1, 2, 3].map(() => t.sql<{ at: Date }>('SELECT refresh_analytics() AS at')),
    );
    const times = results.map((r) => r.rows[0]?.at.getTime() ?? 0).sort((x, y) => x - y);
    expect(new Set(times).size).toBe(3);
  });
});

describe('the refresh job', () => {
  it('updates the leaderboard within a minute of a close, run by a worker', async () => {
    const who = await owner();
    await t.db.execute(sql`UPDATE users SET username = 'refresh_watch' WHERE id = ${who.userId}`);
    const position = await openPosition(who, '120');
    await refresh(t);
    const client = new HttpClient(inProcess(env.app));
    const mine = async () => {
      const body = await expectJson(await client.get('/api/traders?q=refresh_watch'), 200);
      return (body.traders as Json[])[0];
    };
    expect(await mine()).toMatchObject({ closedPositions: 0, pnl: '0.00' });

    workers.push(
      await startWorker({
        pool: t.pool,
        tasks: buildTasks(
          testJobDeps(t, { now: () => new Date(), trading: env.trading, config: env.config }),
        ),
        concurrency: 1,
        log: silentLogger(),
        pollIntervalMs: 500,
      }),
    );
    await sell(position, who.accountId, '3.50');
    // Bought at 1.00, sold at 3.50: +250.00, on the board once the job has run.
    const deadline = Date.now() + 60_000;
    let row = await mine();
    while (row?.pnl !== '250.00' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      row = await mine();
    }
    expect(row).toMatchObject({ closedPositions: 1, pnl: '250.00', pnl24h: '250.00', winRate: '1.0000' });
  }, 70_000);
});
