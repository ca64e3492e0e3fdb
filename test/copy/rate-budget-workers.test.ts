/**
 * PRODUCT.md §1a, one rate budget for all processes: two real worker processes fan out a burst
 * of 600 copy placements to SnapTrade accounts (the simulator). The limits are set high enough
 * for a short test yet well below the burst, so the budget has to hold placements back: the
 * simulator, enforcing the same per-minute limit, never answers 429, no second of traffic
 * exceeds the bucket, waiting copies were marked queued, and every copy is placed exactly once.
 * While the openings wait for budget, a third trader sells: the closing copies it fans out
 * reach the simulator before the openings queued ahead of them have all been sent.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { perMinuteBucket } from '../../src/broker/rate-budget';
import { createSnapTradeSimulator } from '../../src/broker/snaptrade/simulator';
import { encryptSecret } from '../../src/crypto/secret-box';
import { SIMULATOR_CREDENTIALS } from '../../src/runtime';
import { placeBto } from '../../src/services/trading/place-bto';
import { placeStc } from '../../src/services/trading/place-stc';
import { expectExchangesMatchSpec } from '../broker/snaptrade/support';
import { useTestDatabase } from '../helpers/db';
import { freePort } from '../helpers/ports';
import { startWorkerProcess } from '../helpers/worker-processes';
import { CONTRACT, copyWorld, SYMBOL, trader } from './support';

const t = useTestDatabase();

// Low enough that the budget binds even on a loaded machine (at 3,000 a slow run once placed
// every opening without waiting), high enough for a short test.
const PER_MINUTE = 1500;
const FOLLOWERS_PER_TRADER = 300;
/** Followers of the third trader, holding the position it sells during the burst. */
const CLOSERS = 20;

describe('the shared rate budget across worker processes', () => {
  it('two workers and a burst of 600 placements stay within the budget, closings overtake queued openings, nothing lost or sent twice', async () => {
    const port = await freePort();
    const seen: Array<{ at: number; status: number; operationId: string | null; accountId: string }> = [];
    const sim = await createSnapTradeSimulator({
      ...SIMULATOR_CREDENTIALS,
      port,
      seed: 5,
      record: true,
      rateLimitPerMinute: PER_MINUTE,
      onExchange: (exchange) =>
        seen.push({
          at: Date.now(),
          status: exchange.status,
          operationId: exchange.operationId,
          accountId: exchange.pathParams.accountId ?? '',
        }),
    });
    try {
      sim.controls.setQuote(SYMBOL, { bid: '2.40', ask: '2.50' });
      const encryptionKey = randomBytes(32).toString('hex');
      const w = copyWorld(t, new Date());
      /** `count` followers of `traderId`, each with a selected SnapTrade account; their account ids. */
      const follow = async (traderId: string, count: number): Promise<Set<string>> => {
        const ids = Array.from({ length: count }, () => `f-${randomBytes(6).toString('hex')}`);
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
        return new Set(accounts.map((a) => a.accountId));
      };
      const traders = [await trader(w), await trader(w)];
      const openers = new Set<string>();
      for (const traderId of traders)
        for (const id of await follow(traderId, FOLLOWERS_PER_TRADER)) openers.add(id);
      const seller = await trader(w);
      const closers = await follow(seller, CLOSERS);

      const env = {
        BROKER: 'snaptrade-sim',
        SNAPTRADE_SIM_PORT: String(port),
        ENCRYPTION_KEY: encryptionKey,
        SNAPTRADE_REQUESTS_PER_MINUTE: String(PER_MINUTE),
        SNAPTRADE_TRADES_PER_SECOND_PER_ACCOUNT: '50',
      };
      const workers = [startWorkerProcess(t.url, env), startWorkerProcess(t.url, env)];
      await Promise.all(workers.map((worker) => worker.ready));
      const copyCounts = async () => {
        const { rows } = await t.db.execute<{
          filled: number;
          total: number;
          queued: number;
          unsent: number;
        }>(sql`
          SELECT count(*) FILTER (WHERE status = 'filled')::int AS filled, count(*)::int AS total,
                 count(*) FILTER (WHERE queued_at IS NOT NULL)::int AS queued,
                 count(*) FILTER (WHERE broker_order_id IS NULL AND status = 'pending')::int AS unsent
            FROM trades WHERE source = 'copy'`);
        return rows[0] ?? { filled: 0, total: 0, queued: 0, unsent: 0 };
      };
      const until = async (
        what: string,
        done: (counts: Awaited<ReturnType<typeof copyCounts>>) => boolean,
      ) => {
        const started = Date.now();
        for (;;) {
          const counts = await copyCounts();
          if (done(counts)) return counts;
          if (Date.now() - started > 120_000) throw new Error(`${what}: ${JSON.stringify(counts)}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
      const buy = async (traderId: string) => {
        const trade = await placeBto({
          ctx: w.as(traderId),
          deps: w.trading,
          input: { side: 'BTO', ...CONTRACT, quantity: 1 },
        });
        expect(trade.status).toBe('filled');
        return trade;
      };

      // The third trader's followers hold a copied position before the burst.
      const held = await buy(seller);
      await until('the closers hold their copies', (c) => c.filled === CLOSERS);

      // Both traders buy: two fan-outs of 300 copies, one for each worker.
      for (const traderId of traders) await buy(traderId);
      // Openings are waiting for budget: now the third trader sells, and its followers close.
      await until('openings wait for budget', (c) => c.queued > 0 && c.unsent > 0);
      const saleIndex = seen.length;
      const sale = await placeStc({
        ctx: w.as(seller),
        deps: w.trading,
        input: { side: 'STC', positionId: held.parentTradeId, quantity: 1 },
      });
      expect(sale.status).toBe('filled');

      const copies = await until(
        'every copy filled',
        (c) => c.filled === 2 * FOLLOWERS_PER_TRADER + 2 * CLOSERS,
      );
      expect(copies).toMatchObject({ filled: 600 + 2 * CLOSERS, total: 600 + 2 * CLOSERS });
      // The burst was bigger than the bucket: some copies had to wait, and said so.
      expect(copies.queued).toBeGreaterThan(0);

      // Closing orders overtake queued openings (PRODUCT.md §1a): in the simulator's log every
      // closing copy came before the last of the openings that were still waiting at the sale.
      const placed = seen
        .map((exchange, index) => ({ ...exchange, index }))
        .filter((e) => e.operationId === 'Trading_placeMlegOrder' && e.status < 400);
      const openings = placed.filter((e) => openers.has(e.accountId));
      const closings = placed.filter((e) => closers.has(e.accountId) && e.index >= saleIndex);
      expect(closings).toHaveLength(CLOSERS);
      const openingsWaitingAtSale = openings.filter((e) => e.index >= saleIndex);
      expect(openingsWaitingAtSale.length).toBeGreaterThan(0);
      const lastClosing = Math.max(...closings.map((e) => e.index));
      const openingsAfterClosings = openingsWaitingAtSale.filter((e) => e.index > lastClosing);
      expect(openingsAfterClosings.length).toBeGreaterThan(0);
      // And not by luck of the draw: while openings waited for budget, no closing had to wait
      // (a closing may take the tokens an opening leaves in reserve).
      const { rows: closingWaits } = await t.db.execute<{ sells: number; queued: number }>(sql`
        SELECT count(*)::int AS sells, count(*) FILTER (WHERE queued_at IS NOT NULL)::int AS queued
          FROM trades WHERE source = 'copy' AND action = 'sell'`);
      expect(closingWaits[0]).toEqual({ sells: CLOSERS, queued: 0 });

      const placements = seen.filter((e) => e.operationId === 'Trading_placeMlegOrder');
      expect(placements).toHaveLength(600 + 2 * CLOSERS);
      expect(seen.filter((e) => e.status === 429)).toEqual([]);
      const perAccount = new Map<string, number>();
      for (const exchange of sim.exchanges.filter((e) => e.operationId === 'Trading_placeMlegOrder')) {
        const account = exchange.pathParams.accountId ?? '';
        perAccount.set(account, (perAccount.get(account) ?? 0) + 1);
      }
      // Each opener's account one order, each closer's a buy and its sale.
      expect(perAccount.size).toBe(600 + CLOSERS);
      expect([...perAccount].filter(([account, n]) => n !== (closers.has(account) ? 2 : 1))).toEqual([]);
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
