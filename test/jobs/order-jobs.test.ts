/**
 * The job path end to end: placing an order that waits enqueues its account's order sync in the
 * same transaction (no sooner than 15 s); a real worker runs it, the order fills from the
 * broker, and the follow-up job notifies the user and refreshes the cached balance.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from '../../src/jobs/runner';
import { buildTasks } from '../../src/jobs/tasks';
import { createPaperAccount } from '../../src/services/accounts/create-paper-account';
import type { ServiceContext } from '../../src/services/context';
import { placeBto } from '../../src/services/trading/place-bto';
import { silentLogger, testConfig, testTrading } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { createUser } from '../helpers/factories';
import { testJobDeps } from '../helpers/jobs';

const t = useTestDatabase();
const workers: WorkerHandle[] = [];
afterAll(async () => {
  for (const w of workers) await w.stop();
});

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('order jobs', () => {
  it('a waiting order is synced by a worker, filled, notified and its balance refreshed', async () => {
    const config = testConfig();
    const now = () => new Date();
    const { quotes, trading } = testTrading(t.db, config, now);
    const symbol = 'MSFT  300118C00400000';
    quotes.set(symbol, { bid: '5.00', ask: '5.10' });
    const user = await createUser(t.db);
    const ctx: ServiceContext = {
      db: t.db,
      actor: { type: 'user', userId: user.id },
      now,
      log: silentLogger(),
    };
    const account = await createPaperAccount({ ctx, input: { startingBalance: '5000' } });

    const order = await placeBto({
      ctx,
      deps: trading,
      input: {
        side: 'BTO',
        underlying: 'MSFT',
        optionType: 'call',
        strike: '400',
        expiration: '2030-01-18',
        quantity: 2,
        orderType: 'Limit',
        limitPrice: '4.00',
      },
    });
    expect(order.status).toBe('pending');

    const { rows: jobs } = await t.sql<{ key: string; wait: number }>(
      `SELECT key, extract(epoch FROM run_at - now())::float AS wait FROM graphile_worker._private_jobs
        WHERE key = $1`,
      [`sync-account-orders:${account.id}`],
    );
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.wait).toBeGreaterThan(10);

    // The quote crosses the limit; bring the sync forward instead of waiting 15 s.
    quotes.set(symbol, { bid: '3.80', ask: '3.90' });
    await t.sql(`UPDATE graphile_worker._private_jobs SET run_at = now() WHERE key = $1`, [
      `sync-account-orders:${account.id}`,
    ]);
    workers.push(
      await startWorker({
        pool: t.pool,
        tasks: buildTasks(testJobDeps(t, { now, trading, config })),
        concurrency: 2,
        log: silentLogger(),
        pollIntervalMs: 100,
      }),
    );

    const filled = await waitFor(async () => {
      const { rows } = await t.sql<{ status: string; filled_price: string }>(
        'SELECT status, filled_price FROM trades WHERE id = $1',
        [order.id],
      );
      return rows[0]?.status === 'filled' ? rows[0] : undefined;
    });
    expect(filled.filled_price).toBe('3.9000');

    const notification = await waitFor(async () => {
      const { rows } = await t.sql<{ type: string; body: string }>(
        'SELECT type, body FROM notifications WHERE user_id = $1',
        [user.id],
      );
      return rows[0];
    });
    expect(notification.type).toBe('order_filled');
    expect(notification.body).toContain('MSFT 400 C 2030-01-18');

    const balance = await waitFor(async () => {
      const { rows } = await t.sql<{ balance: string }>('SELECT balance FROM accounts WHERE id = $1', [
        account.id,
      ]);
      return rows[0]?.balance === '4220.00' ? rows[0].balance : undefined;
    });
    expect(balance).toBe('4220.00');
  });
});
