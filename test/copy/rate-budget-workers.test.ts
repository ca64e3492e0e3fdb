/**
 * PRODUCT.md §1a, one rate budget for all processes: two real worker processes fan out a burst
 * of 600 copy placements to SnapTrade accounts (the simulator). The limits are set high enough
 * for a short test yet well below the burst, so the budget has to hold placements back: the
 * simulator, enforcing the same per-minute limit, never answers 429, no second of traffic
 * exceeds the bucket, waiting copies were marked queued, and every copy is placed exactly once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { perMinuteBucket } from '../../src/broker/rate-budget';
import { createSnapTradeSimulator } from '../../src/broker/snaptrade/simulator';
import { encryptSecret } from '../../src/crypto/secret-box';
import { SIMULATOR_CREDENTIALS } from '../../src/runtime';
import { placeBto } from '../../src/services/trading/place-bto';
import { expectExchangesMatchSpec } from '../broker/snaptrade/support';
import { useTestDatabase } from '../helpers/db';
import { freePort } from '../helpers/ports';
import { CONTRACT, copyWorld, SYMBOL, trader } from './support';

const t = useTestDatabase();
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

const PER_MINUTE = 3000;
const FOLLOWERS_PER_TRADER = 300;

function startWorker(env: Record<string, string>): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: t.url,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'alertsify-worker-')),
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      WORKER_CONCURRENCY: '2',
      ...env,
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
    child.once('exit', () => reject(new Error(`worker exited:\n${output}`)));
  });
  return { child, ready };
}

describe('the shared rate budget across worker processes', () => {
  it('two workers and a burst of 600 placements stay within the budget, nothing lost or sent twice', async () => {
    const port = await freePort();
    const seen: Array<{ at: number; status: number; operationId: string | null }> = [];
    const sim = await createSnapTradeSimulator({
      ...SIMULATOR_CREDENTIALS,
      port,
      seed: 5,
      record: true,
      rateLimitPerMinute: PER_MINUTE,
      onExchange: (exchange) =>
        seen.push({ at: Date.now(), status: exchange.status, operationId: exchange.operationId }),
    });
    try {
      sim.controls.setQuote(SYMBOL, { bid: '2.40', ask: '2.50' });
      const encryptionKey = randomBytes(32).toString('hex');
      const w = copyWorld(t, new Date());
      const traders = [await trader(w), await trader(w)];
      for (const traderId of traders) {
        const ids = Array.from({ length: FOLLOWERS_PER_TRADER }, () => `f-${randomBytes(6).toString('hex')}`);
        const secrets = ids.map((id) =>
          encryptSecret(sim.controls.registerUser(id).userSecret, encryptionKey),
        );
        const accounts = ids.map((id) => sim.controls.connectAccount({ userId: id }));
        await t.db.execute(sql`
          INSERT INTO users (id, email, name, username, snaptrade_user_id, snaptrade_user_secret)
          SELECT id, id || '@example.test', id, id, id, secret
            FROM unnest(${sql.param(ids)}::text[], ${sql.param(secrets)}::text[]) AS x(id, secret)`);
        await t.db.execute(sql`
          INSERT INTO accounts (user_id, provider, broker_name, broker_slug, account_number,
                                snaptrade_account_id, snaptrade_authorization_id, is_selected)
          SELECT id, 'snaptrade', 'Alpaca', 'ALPACA', account_id, account_id, authorization_id, TRUE
            FROM unnest(${sql.param(ids)}::text[], ${sql.param(accounts.map((a) => a.accountId))}::text[],
                        ${sql.param(accounts.map((a) => a.authorizationId))}::text[]) AS x(id, account_id, authorization_id)`);
        await t.db.execute(sql`
          INSERT INTO subscriptions (subscriber_id, trader_id, settings, status)
          SELECT id, ${traderId}, '{"autoExecute":true,"maxPositionSize":10,"maxDailyTrades":5,"scalingFactor":1}'::jsonb, 'active'
            FROM unnest(${sql.param(ids)}::text[]) AS id`);
      }

      const env = {
        BROKER: 'snaptrade-sim',
        SNAPTRADE_SIM_PORT: String(port),
        ENCRYPTION_KEY: encryptionKey,
        SNAPTRADE_REQUESTS_PER_MINUTE: String(PER_MINUTE),
        SNAPTRADE_TRADES_PER_SECOND_PER_ACCOUNT: '50',
      };
      const workers = [startWorker(env), startWorker(env)];
      await Promise.all(workers.map((worker) => worker.ready));
      // Both traders buy: two fan-outs of 300 copies, one for each worker.
      for (const traderId of traders) {
        const trade = await placeBto({
          ctx: w.as(traderId),
          deps: w.trading,
          input: { side: 'BTO', ...CONTRACT, quantity: 1 },
        });
        expect(trade.status).toBe('filled');
      }

      const started = Date.now();
      let copies = { filled: 0, total: 0, queued: 0 };
      while (copies.filled < 2 * FOLLOWERS_PER_TRADER && Date.now() - started < 120_000) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const { rows } = await t.db.execute<{ filled: number; total: number; queued: number }>(sql`
          SELECT count(*) FILTER (WHERE status = 'filled')::int AS filled, count(*)::int AS total,
                 count(*) FILTER (WHERE queued_at IS NOT NULL)::int AS queued
            FROM trades WHERE source = 'copy'`);
        copies = rows[0] ?? copies;
      }
      expect(copies).toMatchObject({ filled: 600, total: 600 });
      // The burst was bigger than the bucket: some copies had to wait, and said so.
      expect(copies.queued).toBeGreaterThan(0);

      const placements = seen.filter((e) => e.operationId === 'Trading_placeMlegOrder');
      expect(placements).toHaveLength(600);
      expect(seen.filter((e) => e.status === 429)).toEqual([]);
      const perAccount = new Map<string, number>();
      for (const exchange of sim.exchanges.filter((e) => e.operationId === 'Trading_placeMlegOrder')) {
        const account = exchange.pathParams.accountId ?? '';
        perAccount.set(account, (perAccount.get(account) ?? 0) + 1);
      }
      expect(perAccount.size).toBe(600);
      expect(Math.max(...perAccount.values())).toBe(1);
      // No second of traffic holds more than the bucket gives: its burst plus a second's refill
      // (and a little for requests drawn just before a second and seen just after).
      const { capacity, perSecond } = perMinuteBucket(PER_MINUTE);
      const times = seen.map((e) => e.at).sort((a, b) => a - b);
      let busiest = 0;
      for (let i = 0, j = 0; i < times.length; i++) {
        while ((times[j] ?? 0) < (times[i] ?? 0) - 1000) j++;
        busiest = Math.max(busiest, i - j + 1);
      }
      expect(busiest).toBeLessThanOrEqual(capacity + perSecond + 16);
      expectExchangesMatchSpec(sim.exchanges);
      for (const worker of workers) worker.child.kill('SIGTERM');
    } finally {
      await sim.close();
    }
  }, 180_000);
});
