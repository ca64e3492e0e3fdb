/**
 * `npm run seed:demo` writes its history through the real services: a short run leaves
 * positions the fill trigger folded from orders the trading services recorded, copies the copy
 * engine decided, and analytics that add up to them.
 */
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createQuoteModel } from '../../src/broker/paper/quotes';
import { DemoClock, demoEmail, seedDemoHistory } from '../../src/cli/demo-history';
import { buildTradingDeps } from '../../src/runtime';
import { listTraders } from '../../src/services/traders/list-traders';
import { buildTestApp, silentLogger } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';

const t = useTestDatabase();
let counts: Record<string, number>;

beforeAll(async () => {
  const { auth, config } = buildTestApp(t);
  const quotes = createQuoteModel({ seed: 'demo-test' });
  const clock = new DemoClock(new Date());
  const trading = buildTradingDeps({ db: t.db, config, now: clock.now, quotes });
  counts = await seedDemoHistory(
    { db: t.db, auth, trading, quotes, clock, log: silentLogger() },
    { traders: 2, subscribers: 3, months: 0.5, seed: 3 },
  );
}, 120_000);

describe('seed:demo', () => {
  it('trades and copies through the services, on a clock moved through the past', async () => {
    expect(counts.traderOrders).toBeGreaterThan(0);
    expect(counts.fanOuts).toBeGreaterThan(0);
    const { rows } = await t.db.execute<{
      orders: number;
      without_log: number;
      copies: number;
      decisions: number;
    }>(sql`
      SELECT (SELECT count(*)::integer FROM trades) AS orders,
             (SELECT count(*)::integer FROM trades t
               WHERE NOT EXISTS (SELECT 1 FROM order_events e WHERE e.trade_id = t.id)) AS without_log,
             (SELECT count(*)::integer FROM trades WHERE source = 'copy') AS copies,
             (SELECT count(*)::integer FROM subscription_trades) AS decisions`);
    const row = rows[0];
    expect(row?.orders).toBeGreaterThan(0);
    // Every order went through a service that logs it.
    expect(row?.without_log).toBe(0);
    expect(row?.copies).toBeGreaterThan(0);
    expect(row?.decisions).toBeGreaterThan(0);
    // Closes spread over the past: the first more than five days ago, none in the future.
    const { rows: closes } = await t.db.execute<{
      first_days_ago: number;
      last_days_ago: number;
      closed: number;
    }>(sql`
      SELECT extract(epoch FROM now() AT TIME ZONE 'UTC' - min(closed_at))::float / 86400 AS first_days_ago,
             extract(epoch FROM now() AT TIME ZONE 'UTC' - max(closed_at))::float / 86400 AS last_days_ago,
             count(*)::integer AS closed
        FROM parent_trades WHERE status IN ('closed', 'expired')`);
    expect(closes[0]?.closed).toBeGreaterThan(0);
    expect(closes[0]?.last_days_ago).toBeGreaterThan(0);
    expect(closes[0]?.first_days_ago).toBeGreaterThan(5);
  });

  it('leaves the analytics refreshed, with every demo trader on the leaderboard', async () => {
    const board = await listTraders({
      ctx: { db: t.db, actor: { type: 'anonymous' }, now: () => new Date(), log: silentLogger() },
      input: {},
    });
    expect(board.asOf).not.toBeNull();
    expect(board.traders.map((row) => row.username).sort()).toEqual(['gamma_scalper', 'theta_queen']);
    const { rows } = await t.db.execute<{ n: number }>(sql`
      SELECT count(*)::integer AS n FROM users WHERE email = ${demoEmail('follower', 3)}`);
    expect(rows[0]?.n).toBe(1);
  });
});
