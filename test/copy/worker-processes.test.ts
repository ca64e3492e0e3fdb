/**
 * Fan-out across real worker processes (`npm run worker`): a worker killed right after writing
 * the decisions loses nothing (on restart every copy is completed exactly once), two workers
 * racing on the same fan-out create each copy exactly once, and a worker killed between sending
 * a SnapTrade copy and recording the answer never makes the next one send it twice.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { SnapTradeConnections } from '../../src/broker/snaptrade/connections';
import { createSnapTradeSimulator } from '../../src/broker/snaptrade/simulator';
import { encryptSecret } from '../../src/crypto/secret-box';
import { addJob as enqueue } from '../../src/jobs/queue';
import { SIMULATOR_CREDENTIALS } from '../../src/runtime';
import { placeBto } from '../../src/services/trading/place-bto';
import { placeStc } from '../../src/services/trading/place-stc';
import { expectExchangesMatchSpec } from '../broker/snaptrade/support';
import { useTestDatabase } from '../helpers/db';
import { createAccount, createUser } from '../helpers/factories';
import { freePort } from '../helpers/ports';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-processes';
import { CONTRACT, copyWorld, subscriber, trader } from './support';

const t = useTestDatabase();
/** A worker process on this file's database; a claim expires after 2 s here. */
function startWorker(extraEnv: Record<string, string> = {}): WorkerProcess {
  return startWorkerProcess(t.url, { COPY_CLAIM_TIMEOUT_SECONDS: '2', ...extraEnv });
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

  it('a worker killed after sending a SnapTrade copy and before recording it: the next worker adopts the executed order, and the simulator holds exactly one', async () => {
    const port = await freePort();
    const sim = await createSnapTradeSimulator({ ...SIMULATOR_CREDENTIALS, port, seed: 3, record: true });
    try {
      const encryptionKey = randomBytes(32).toString('hex');
      const w = copyWorld(t, new Date());
      const boss = await trader(w);
      const follower = await createUser(t.db);
      const connections = new SnapTradeConnections({ ...SIMULATOR_CREDENTIALS, basePath: sim.url });
      const { userSecret } = await connections.registerUser(follower.id);
      const { accountId, authorizationId } = sim.controls.connectAccount({ userId: follower.id });
      sim.controls.setQuote('AAPL  300118C00150000', { bid: '2.40', ask: '2.50' });
      await t.db.execute(sql`UPDATE users SET snaptrade_user_id = ${follower.id},
        snaptrade_user_secret = ${encryptSecret(userSecret, encryptionKey)} WHERE id = ${follower.id}`);
      await createAccount(t.db, follower.id, {
        provider: 'snaptrade',
        brokerName: 'Alpaca',
        brokerSlug: 'ALPACA',
        snaptradeAccountId: accountId,
        snaptradeAuthorizationId: authorizationId,
        isSelected: true,
      });
      await t.db.execute(sql`
        INSERT INTO subscriptions (subscriber_id, trader_id, settings, status)
        VALUES (${follower.id}, ${boss}, ${JSON.stringify({ autoExecute: true, maxPositionSize: 10, maxDailyTrades: 5, scalingFactor: 1 })}::jsonb, 'active')`);
      const trade = await placeBto({
        ctx: w.as(boss),
        deps: w.trading,
        input: { side: 'BTO', ...CONTRACT, quantity: 2 },
      });
      const snaptradeEnv = {
        BROKER: 'snaptrade-sim',
        SNAPTRADE_SIM_PORT: String(port),
        ENCRYPTION_KEY: encryptionKey,
      };
      const placements = () => sim.exchanges.filter((e) => e.operationId === 'Trading_placeMlegOrder');

      const doomed = startWorker({ ...snaptradeEnv, TEST_FAULT: 'kill-after-copy-sent' });
      expect(await doomed.exited).toBe('SIGKILL');
      expect(placements()).toHaveLength(1);
      expect(await copiesOf(trade.id)).toMatchObject({ copies: 1, filled: 0 });

      // Past the claim timeout and the recovery grace, a fresh worker takes the copy over.
      await new Promise((resolve) => setTimeout(resolve, 5_500));
      const survivor = startWorker(snaptradeEnv);
      await survivor.ready;
      const finished = await until(
        () => copiesOf(trade.id),
        (c) => c.filled === 1,
      );
      expect(finished).toMatchObject({ copies: 1, filled: 1, decisions: 1 });
      expect(placements()).toHaveLength(1);
      const placed = (placements()[0]?.responseBody as { brokerage_order_id?: string } | undefined)
        ?.brokerage_order_id;
      const { rows } = await t.db.execute<{ broker_order_id: string }>(
        sql`SELECT broker_order_id FROM trades WHERE source_trade_id = ${trade.id}`,
      );
      expect(rows).toEqual([{ broker_order_id: placed }]);
      expectExchangesMatchSpec(sim.exchanges);
      survivor.child.kill('SIGTERM');
      expect(await survivor.exited).toBe('code 0');
    } finally {
      await sim.close();
    }
  }, 90_000);
});
