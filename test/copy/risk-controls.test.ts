/**
 * PRODUCT.md §3 risk controls per subscription, with exact quantities on a frozen clock: the
 * sizing modes at a known ask, the drift guard's Limit and its cancellation after the limit
 * time, and the settings' validation (400 naming the field) with defaults that keep today's
 * behaviour.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { subscribe } from '../../src/services/subscriptions/subscribe';
import { useTestDatabase } from '../helpers/db';
import { queuedJobs, runJobs, testJobDeps } from '../helpers/jobs';
import { copyWorld, decisions, SYMBOL, subscriber, trader, traderBuys } from './support';

const t = useTestDatabase();

describe('sizing modes', () => {
  it('multiplier, fixed, premium and equity at an ask of 2.50, capped by maxPositionSize', async () => {
    const w = copyWorld(t);
    const boss = await trader(w);
    const multiplier = await subscriber(w, boss, {});
    const fixed = await subscriber(w, boss, { sizing: { mode: 'fixed', contracts: 4 } });
    // floor(1000 ÷ (2.50 × 100)) = 4; floor(990 ÷ 250) = 3
    const premium = await subscriber(w, boss, { sizing: { mode: 'premium', dollars: 1000 } });
    const premiumLess = await subscriber(w, boss, { sizing: { mode: 'premium', dollars: 990 } });
    // 1.5 % of 100,000.00 buying power = 1,500 → floor(1500 ÷ 250) = 6; 5 % → 20, capped at 10
    const equity = await subscriber(w, boss, { sizing: { mode: 'equity', percent: 1.5 } });
    const equityCapped = await subscriber(w, boss, { sizing: { mode: 'equity', percent: 5 } });
    const tooPoor = await subscriber(w, boss, { sizing: { mode: 'premium', dollars: 200 } });
    const { trade } = await traderBuys(w, boss, 3);
    const d = await decisions(w, trade.id);
    const copied = (s: { userId: string }) => d.get(s.userId)?.copy_filled;
    expect([multiplier, fixed, premium, premiumLess, equity, equityCapped].map(copied)).toEqual([
      3, 4, 4, 3, 6, 10,
    ]);
    expect(d.get(equityCapped.userId)).toMatchObject({ computed_quantity: 20, copy_quantity: 10 });
    expect(d.get(tooPoor.userId)).toMatchObject({
      outcome: 'skipped',
      reason: 'below_minimum',
      computed_quantity: 0,
    });
  });
});

describe('drift guard', () => {
  it('sends a Limit at the trader’s fill × (1 + drift) when the ask moved more, and cancels it after the limit time (price_drift)', async () => {
    const w = copyWorld(t);
    const boss = await trader(w);
    const guarded = await subscriber(w, boss, { maxPriceDriftPercent: 10, driftLimitSeconds: 45 });
    const late = await subscriber(w, boss, { maxPriceDriftPercent: 10, driftLimitSeconds: 45 });
    const loose = await subscriber(w, boss, { maxPriceDriftPercent: 20 });
    const unguarded = await subscriber(w, boss, {});
    const { placeBto } = await import('../../src/services/trading/place-bto');
    const { fanOutCopies } = await import('../../src/services/copy/fan-out-copies');
    const { CONTRACT } = await import('./support');
    const order = await placeBto({
      ctx: w.as(boss),
      deps: w.trading,
      input: { side: 'BTO', ...CONTRACT, quantity: 2 },
    });
    expect(order.filledPrice).toBe('2.5000');
    // By the time the fan-out runs the ask is 2.90: 16 % above the trader's 2.50.
    w.quotes.set(SYMBOL, { bid: '2.80', ask: '2.90' });
    await fanOutCopies({ ctx: w.system, deps: w.trading, input: { tradeId: order.id } });

    const { rows } = await t.db.execute<{
      user_id: string;
      order_type: string;
      limit_price: string | null;
      status: string;
    }>(sql`
      SELECT user_id, order_type, limit_price, status FROM trades WHERE source_trade_id = ${order.id}`);
    const copies = new Map(rows.map((r) => [r.user_id, r]));
    // 10 %: a Limit at 2.75, below the ask, so it works unfilled.
    expect(copies.get(guarded.userId)).toMatchObject({
      order_type: 'Limit',
      limit_price: '2.7500',
      status: 'pending',
    });
    // 20 % allows up to 3.00: at market. No guard: at market.
    expect(copies.get(loose.userId)).toMatchObject({ order_type: 'Market', status: 'filled' });
    expect(copies.get(unguarded.userId)).toMatchObject({ order_type: 'Market', status: 'filled' });

    const [job] = await queuedJobs(t, 'cancel-drift-copies');
    expect(job?.runAt.getTime()).toBe(w.clock.now().getTime() + 45_000);
    w.clock.advance(45_000);
    await runJobs(t, testJobDeps(t, { now: w.clock.now, trading: w.trading }), ['cancel-drift-copies']);
    expect((await decisions(w, order.id)).get(guarded.userId)).toMatchObject({
      outcome: 'skipped',
      reason: 'price_drift',
      copy_status: 'cancelled',
      copy_filled: 0,
    });

    // Retried from the copy log within 15 minutes: a new order at market on the same decision.
    const { retryCopy } = await import('../../src/services/copy/decide-approval');
    const decisionOf = async (userId: string) => {
      const { rows: ids } = await t.db.execute<{ id: string }>(sql`
        SELECT id FROM subscription_trades WHERE source_trade_id = ${order.id} AND subscriber_id = ${userId}`);
      expect(ids).toHaveLength(1);
      return ids[0]?.id ?? '';
    };
    w.clock.advance(5 * 60_000);
    await retryCopy({
      ctx: w.as(guarded.userId),
      deps: w.trading,
      input: { decisionId: await decisionOf(guarded.userId) },
    });
    expect((await decisions(w, order.id)).get(guarded.userId)).toMatchObject({
      outcome: 'executed',
      reason: null,
      copy_status: 'filled',
      copy_filled: 2,
    });
    await decisionOf(guarded.userId);
    const { rows: orders } = await t.db.execute<{ status: string }>(sql`
      SELECT status FROM trades WHERE user_id = ${guarded.userId} ORDER BY created_at`);
    expect(orders.map((o) => o.status)).toEqual(['cancelled', 'filled']);
    // Once copied there is nothing to retry; and past 15 minutes a drifted copy stays as it is.
    await expect(
      retryCopy({
        ctx: w.as(guarded.userId),
        deps: w.trading,
        input: { decisionId: await decisionOf(guarded.userId) },
      }),
    ).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
    w.clock.advance(10 * 60_000 + 1);
    await expect(
      retryCopy({
        ctx: w.as(late.userId),
        deps: w.trading,
        input: { decisionId: await decisionOf(late.userId) },
      }),
    ).rejects.toMatchObject({ code: 'PRECONDITION_FAILED', message: 'A copy can be retried for 15 minutes' });
  });
});

describe('settings', () => {
  it.each([
    [{ sizing: { mode: 'fixed' } }, 'settings.sizing.contracts'],
    [{ sizing: { mode: 'fixed', contracts: 0 } }, 'settings.sizing.contracts'],
    [{ sizing: { mode: 'lots' } }, 'settings.sizing.mode'],
    [{ sizing: { mode: 'premium', dollars: -5 } }, 'settings.sizing.dollars'],
    [{ sizing: { mode: 'equity', percent: 101 } }, 'settings.sizing.percent'],
    [{ maxPriceDriftPercent: 0.4 }, 'settings.maxPriceDriftPercent'],
    [{ maxPriceDriftPercent: 101 }, 'settings.maxPriceDriftPercent'],
    [{ driftLimitSeconds: 0 }, 'settings.driftLimitSeconds'],
    [{ maxDailyLoss: 0 }, 'settings.maxDailyLoss'],
    [{ maxDailyLoss: 10.001 }, 'settings.maxDailyLoss'],
    [{ copyOpenPositions: 'yes' }, 'settings.copyOpenPositions'],
  ])('%j is refused naming %s, nothing written', async (settings, field) => {
    const w = copyWorld(t);
    const boss = await trader(w);
    const { createUser } = await import('../helpers/factories');
    const user = await createUser(t.db);
    await expect(
      subscribe({ ctx: w.as(user.id), input: { traderId: boss, settings } }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      field,
    });
    const { rows } = await t.db.execute(sql`SELECT 1 FROM subscriptions WHERE subscriber_id = ${user.id}`);
    expect(rows).toHaveLength(0);
  });

  it('defaults keep today’s behaviour', async () => {
    const w = copyWorld(t);
    const boss = await trader(w);
    const { createUser } = await import('../helpers/factories');
    const user = await createUser(t.db);
    await subscribe({ ctx: w.as(user.id), input: { traderId: boss } });
    const { rows } = await t.db.execute<{ settings: Record<string, unknown> }>(sql`
      SELECT settings FROM subscriptions WHERE subscriber_id = ${user.id}`);
    expect(rows[0]?.settings).toEqual({
      autoExecute: false,
      maxPositionSize: 10,
      maxDailyTrades: 5,
      scalingFactor: 1,
      sizing: { mode: 'multiplier' },
      maxPriceDriftPercent: null,
      driftLimitSeconds: 30,
      maxDailyLoss: null,
      copyOpenPositions: false,
    });
  });
});
