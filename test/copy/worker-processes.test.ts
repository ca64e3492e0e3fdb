/**
 * Fan-out across real worker processes (`npm run worker`): a worker killed right after writing
 * the decisions loses nothing (on restart every copy is completed exactly once), and two
 * workers racing on the same fan-out create each copy exactly once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { addJob as enqueue } from '../../src/jobs/queue';
import { placeBto } from '../../src/services/trading/place-bto';
import { placeStc } from '../../src/services/trading/place-stc';
import { useTestDatabase } from '../helpers/db';
import { CONTRACT, copyWorld, subscriber, trader } from './support';

const t = useTestDatabase();
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function startWorker(extraEnv: Record<string, string> = {}): {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<string>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: t.url,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'alertsify-worker-')),
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      WORKER_CONCURRENCY: '2',
      COPY_CLAIM_TIMEOUT_SECONDS: '2',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Alertsify worker running')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', () => reject(new Error(`worker exited before it was ready:\n${output}`)));
  });
  // A worker made to die may die before it says it is ready; only callers who wait for
  // readiness care, and they still see the rejection.
  ready.catch(() => undefined);
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? `code ${code}`)),
  );
  return { child, ready, exited };
}

async function copiesOf(tradeId: string) {
  const { rows } = await t.db.execute<{
    copies: number;
    filled: number;
    orders: number;
    decisions: number;
    max_per_user: number;
  }>(sql`
    SELECT (SELECT count(*) FROM trades WHERE source_trade_id = ${tradeId})::int AS copies,
           (SELECT count(*) FROM trades WHERE source_trade_id = ${tradeId} AND status = 'filled')::int AS filled,
           (SELECT count(*) FROM paper_orders o JOIN trades c ON c.id = o.client_order_id
             WHERE c.source_trade_id = ${tradeId})::int AS orders,
           (SELECT count(*) FROM subscription_trades WHERE source_trade_id = ${tradeId})::int AS decisions,
           (SELECT COALESCE(max(n), 0) FROM (SELECT count(*) AS n FROM trades WHERE source_trade_id = ${tradeId}
                                             GROUP BY user_id) per_user)::int AS max_per_user`);
  const row = rows[0];
  if (!row) throw new Error('no row');
  return row;
}

async function until<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() - started > timeoutMs) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('fan-out across worker processes', () => {
  it('a worker killed after the decisions loses nothing: the next worker completes every copy exactly once', async () => {
    const w = copyWorld(t, new Date());
    const boss = await trader(w);
    const N = 25;
    for (let i = 0; i < N; i++) await subscriber(w, boss);
    // The trader's fill enqueues the fan-out in its own transaction.
    const trade = await placeBto({
      ctx: w.as(boss),
      deps: w.trading,
      input: { side: 'BTO', ...CONTRACT, quantity: 2 },
    });
    expect(trade.status).toBe('filled');

    const doomed = startWorker({ TEST_FAULT: 'kill-after-copy-decisions' });
    expect(await doomed.exited).toBe('SIGKILL');
    const afterCrash = await copiesOf(trade.id);
    expect(afterCrash).toMatchObject({ decisions: N, copies: N, filled: 0, orders: 0 });

    // Past the recovery grace, a fresh worker finds the unsent copies at start.
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    const survivor = startWorker();
    await survivor.ready;
    const finished = await until(
      () => copiesOf(trade.id),
      (c) => c.filled === N,
    );
    expect(finished).toEqual({ copies: N, filled: N, orders: N, decisions: N, max_per_user: 1 });
    survivor.child.kill('SIGTERM');
    expect(await survivor.exited).toBe('code 0');
  }, 90_000);

  it('two workers racing on the same fan-out create each copy exactly once', async () => {
    const w = copyWorld(t, new Date());
    const boss = await trader(w);
    const N = 40;
    for (let i = 0; i < N; i++) await subscriber(w, boss);
    const a = startWorker();
    const b = startWorker();
    await Promise.all([a.ready, b.ready]);
    // The trader's order is placed after both workers listen; the same fan-out is queued twice more
    // without a key, so several jobs run it at once.
    const trade = await placeBto({
      ctx: w.as(boss),
      deps: w.trading,
      input: { side: 'BTO', ...CONTRACT, quantity: 1 },
    });
    await t.db.transaction(async (tx) => {
      await enqueue(tx, 'fan-out-copies', { tradeId: trade.id });
      await enqueue(tx, 'fan-out-copies', { tradeId: trade.id });
    });
    const finished = await until(
      () => copiesOf(trade.id),
      (c) => c.filled === N,
    );
    expect(finished).toEqual({ copies: N, filled: N, orders: N, decisions: N, max_per_user: 1 });
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect(await a.exited).toBe('code 0');
    expect(await b.exited).toBe('code 0');
  }, 90_000);

  it('four sales of 1 from 4 fanned out by two workers: holders of 4, 3, 2, 1 sell 1,1,1,1 / 1,1,0,1 / 1,0,1,0 / 0,1,0,0', async () => {
    const w = copyWorld(t, new Date());
    const boss = await trader(w);
    const subs = [];
    for (const scalingFactor of [1, 0.75, 0.5, 0.25]) subs.push(await subscriber(w, boss, { scalingFactor }));
    const a = startWorker();
    const b = startWorker();
    await Promise.all([a.ready, b.ready]);
    const bought = await placeBto({
      ctx: w.as(boss),
      deps: w.trading,
      input: { side: 'BTO', ...CONTRACT, quantity: 4 },
    });
    const copiedIn = await until(
      () => copiesOf(bought.id),
      (c) => c.filled === 4,
    );
    expect(copiedIn.filled).toBe(4);
    // Four sales at once; each fill enqueues its fan-out in the position's queue.
    const sales = await Promise.all(
      [0, 1, 2, 3].map(() =>
        placeStc({
          ctx: w.as(boss),
          deps: w.trading,
          input: { side: 'STC', positionId: bought.parentTradeId, quantity: 1 },
        }),
      ),
    );
    const saleIds = sales.map((s) => s.id);
    const done = await until(
      async () => {
        const { rows } = await t.db.execute<{ n: number }>(sql`
          SELECT count(*)::int AS n FROM subscription_trades d LEFT JOIN trades c ON c.id = d.copy_trade_id
           WHERE d.source_trade_id = ANY(${sql.param(saleIds)}::text[]) AND (c.id IS NULL OR c.status = 'filled')`);
        return rows[0]?.n ?? 0;
      },
      (n) => n === 16,
    );
    expect(done).toBe(16);
    const { rows } = await t.db.execute<{ subscriber_id: string; sold: number[] }>(sql`
      SELECT d.subscriber_id, array_agg(COALESCE(c.filled_quantity, 0) ORDER BY s.fill_seq) AS sold
        FROM subscription_trades d JOIN trades s ON s.id = d.source_trade_id LEFT JOIN trades c ON c.id = d.copy_trade_id
       WHERE d.source_trade_id = ANY(${sql.param(saleIds)}::text[])
       GROUP BY d.subscriber_id`);
    const bySubscriber = new Map(rows.map((r) => [r.subscriber_id, r.sold]));
    expect(subs.map((s) => bySubscriber.get(s.userId))).toEqual([
      [1, 1, 1, 1],
      [1, 1, 0, 1],
      [1, 0, 1, 0],
      [0, 1, 0, 0],
    ]);
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect(await a.exited).toBe('code 0');
    expect(await b.exited).toBe('code 0');
  }, 90_000);
});
