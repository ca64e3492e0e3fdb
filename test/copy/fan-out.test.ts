/**
 * PRODUCT.md §3, rule by rule, with exact quantities: the fan-out of a trader's fill to every
 * active subscription, through the real services, paper broker and PostgreSQL.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { fanOutCopies } from '../../src/services/copy/fan-out-copies';
import { useTestDatabase } from '../helpers/db';
import { CONTRACT, copyWorld, decisions, subscriber, trader, traderBuys, traderSells } from './support';

const t = useTestDatabase();

describe('opening copies', () => {
  it('sizes by scaling factor (floor), caps at maxPositionSize, and skips below one contract', async () => {
    const w = copyWorld(t);
    const boss = await trader(w);
    const half = await subscriber(w, boss, { scalingFactor: 0.5 });
    const double = await subscriber(w, boss, { scalingFactor: 2.0 });
    const capped = await subscriber(w, boss, { scalingFactor: 2.0, maxPositionSize: 8 });
    const tiny = await subscriber(w, boss, { scalingFactor: 0.1 });
    const { trade, result } = await traderBuys(w, boss, 5);
    expect(result).toMatchObject({ decided: 4, executed: 3, skipped: 1, sent: 3 });
    const d = await decisions(w, trade.id);
    expect(d.get(half.userId)).toMatchObject({
      outcome: 'executed',
      computed_quantity: 2,
      copy_quantity: 2,
      copy_status: 'filled',
      copy_filled: 2,
    });
    expect(d.get(double.userId)).toMatchObject({
      outcome: 'executed',
      computed_quantity: 10,
      copy_quantity: 10,
      copy_filled: 10,
    });
    expect(d.get(capped.userId)).toMatchObject({
      outcome: 'executed',
      computed_quantity: 10,
      copy_quantity: 8,
      copy_filled: 8,
    });
    expect(d.get(tiny.userId)).toMatchObject({
      outcome: 'skipped',
      reason: 'below_minimum',
      computed_quantity: 0,
      copy_status: null,
    });

    // The copy is a copy: its position links to the trader's, its order names its source.
    const { rows } = await t.db.execute<Record<string, unknown>>(sql`
      SELECT c.source, c.source_trader_id, c.source_trade_id, c.order_type, p.source_parent_trade_id, p.bought_quantity
        FROM trades c JOIN parent_trades p ON p.id = c.parent_trade_id
       WHERE c.user_id = ${half.userId}`);
    expect(rows[0]).toEqual({
      source: 'copy',
      source_trader_id: boss,
      source_trade_id: trade.id,
      order_type: 'Market',
      source_parent_trade_id: trade.parentTradeId,
      bought_quantity: 2,
    });
  });

  it('leaves paused, cancelled and deleted subscribers untouched, and skips those with no account', async () => {
    const w = copyWorld(t);
    const boss = await trader(w);
    const active = await subscriber(w, boss);
    const paused = await subscriber(w, boss, {}, { status: 'paused' });
    const cancelled = await subscriber(w, boss, {}, { status: 'cancelled' });
    const deleted = await subscriber(w, boss);
    await t.db.execute(sql`UPDATE users SET deleted_at = now() WHERE id = ${deleted.userId}`);
    const accountless = await subscriber(w, boss, {}, { account: false });
    const { trade } = await traderBuys(w, boss, 3);
    const d = await decisions(w, trade.id);
    expect([...d.keys()].sort()).toEqual([active.userId, accountless.userId].sort());
    expect(d.get(active.userId)).toMatchObject({ outcome: 'executed', copy_filled: 3 });
    expect(d.get(accountless.userId)).toMatchObject({ outcome: 'skipped', reason: 'no_account' });
    for (const untouched of [paused, cancelled, deleted]) {
      const { rows } = await t.db.execute(sql`SELECT 1 FROM trades WHERE user_id = ${untouched.userId}`);
      expect(rows).toHaveLength(0);
    }
  });

  it('counts openings per subscription per US/Eastern day, across the Eastern midnight', async () => {
    // 23:50 in New York on Tuesday 24 November (04:50 UTC on the 25th).
    const w = copyWorld(t, new Date('2026-11-25T04:50:00Z'));
    const boss = await trader(w);
    const limited = await subscriber(w, boss, { maxDailyTrades: 2 });
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { trade } = await traderBuys(w, boss, 1);
      outcomes.push(`${(await decisions(w, trade.id)).get(limited.userId)?.reason ?? 'executed'}`);
      w.clock.advance(60_000);
    }
    expect(outcomes).toEqual(['executed', 'executed', 'daily_limit']);
    // 00:05 in New York: a new trading day, a new allowance.
    w.clock.current = new Date('2026-11-25T05:05:00Z');
    const { trade } = await traderBuys(w, boss, 1);
    expect((await decisions(w, trade.id)).get(limited.userId)).toMatchObject({ outcome: 'executed' });
  });

  it('skips a duplicate copied from another trader within 5 minutes, not after', async () => {
    const w = copyWorld(t);
    const first = await trader(w);
    const second = await trader(w);
    const user = await subscriber(w, first);
    await t.db.execute(sql`
      INSERT INTO subscriptions (subscriber_id, trader_id, settings)
      VALUES (${user.userId}, ${second}, '{"autoExecute": true, "maxPositionSize": 10, "maxDailyTrades": 5, "scalingFactor": 1}'::jsonb)`);
    await traderBuys(w, first, 2);
    w.clock.advance(4 * 60_000);
    const within = await traderBuys(w, second, 2);
    expect((await decisions(w, within.trade.id)).get(user.userId)).toMatchObject({
      outcome: 'skipped',
      reason: 'duplicate',
    });
    w.clock.advance(2 * 60_000);
    const after = await traderBuys(w, second, 2, { ...CONTRACT });
    expect((await decisions(w, after.trade.id)).get(user.userId)).toMatchObject({
      outcome: 'executed',
      copy_filled: 2,
    });
  });
});

describe('closing copies', () => {
  it('sells the same fraction half up (10 held, 5 of 10 → 3 of 5), then everything when the trader closes', async () => {
    const w = copyWorld(t);
    const boss = await trader(w);
    const sub = await subscriber(w, boss, { scalingFactor: 0.5 });
    const bought = await traderBuys(w, boss, 10);
    expect((await decisions(w, bought.trade.id)).get(sub.userId)).toMatchObject({ copy_filled: 5 });

    w.quotes.set('AAPL  300118C00150000', { bid: '3.00', ask: '3.10' });
    const half = await traderSells(w, boss, bought.trade.parentTradeId, 5);
    expect((await decisions(w, half.trade.id)).get(sub.userId)).toMatchObject({
      outcome: 'executed',
      copy_quantity: 3,
      copy_filled: 3,
    });
    const rest = await traderSells(w, boss, bought.trade.parentTradeId, 5);
    expect((await decisions(w, rest.trade.id)).get(sub.userId)).toMatchObject({
      outcome: 'executed',
      copy_quantity: 2,
    });
    const { rows } = await t.db.execute<{ status: string; total_pnl: string }>(sql`
      SELECT status, total_pnl FROM parent_trades WHERE user_id = ${sub.userId}`);
    expect(rows).toEqual([{ status: 'closed', total_pnl: '250.00' }]);
  });

  it('is never blocked by the daily limit', async () => {
    const w = copyWorld(t);
    const boss = await trader(w);
    const sub = await subscriber(w, boss, { maxDailyTrades: 1 });
    const bought = await traderBuys(w, boss, 4);
    w.quotes.set('AAPL  300118C00160000', { bid: '1.40', ask: '1.50' });
    const blocked = await traderBuys(w, boss, 1, { ...CONTRACT, strike: '160' });
    expect((await decisions(w, blocked.trade.id)).get(sub.userId)).toMatchObject({ reason: 'daily_limit' });
    const sold = await traderSells(w, boss, bought.trade.parentTradeId, 4);
    expect((await decisions(w, sold.trade.id)).get(sub.userId)).toMatchObject({
      outcome: 'executed',
      copy_filled: 4,
    });
  });
});

describe('idempotency', () => {
  it('a fan-out run again decides and copies nothing twice', async () => {
    const w = copyWorld(t);
    const boss = await trader(w);
    const subs = await Promise.all([1, 2, 3].map(() => subscriber(w, boss)));
    const { trade, result } = await traderBuys(w, boss, 2);
    expect(result.executed).toBe(3);
    const again = await fanOutCopies({ ctx: w.system, deps: w.trading, input: { tradeId: trade.id } });
    expect(again).toMatchObject({ decided: 0, executed: 0, sent: 0 });
    const { rows } = await t.db.execute<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM trades WHERE source_trade_id = ${trade.id}`,
    );
    expect(rows[0]?.n).toBe(subs.length);
  });

  it('two fan-outs of the same fill at once create each copy exactly once', async () => {
    const w = copyWorld(t);
    const boss = await trader(w);
    await Promise.all(Array.from({ length: 6 }, () => subscriber(w, boss)));
    const { placeBto } = await import('../../src/services/trading/place-bto');
    const trade = await placeBto({
      ctx: w.as(boss),
      deps: w.trading,
      input: { side: 'BTO', ...CONTRACT, quantity: 1 },
    });
    const runs = await Promise.allSettled([
      fanOutCopies({ ctx: w.system, deps: w.trading, input: { tradeId: trade.id } }),
      fanOutCopies({ ctx: w.system, deps: w.trading, input: { tradeId: trade.id } }),
    ]);
    const decided = runs.map((r) => (r.status === 'fulfilled' ? r.value.decided : 0));
    expect(decided.reduce((a, b) => a + b, 0)).toBe(6);
    // A run that found copies in the other's hands failed on purpose (its job is retried); once
    // both are done every copy is sent exactly once.
    await fanOutCopies({ ctx: w.system, deps: w.trading, input: { tradeId: trade.id } });
    const { rows } = await t.db.execute<{ n: number; filled: number }>(sql`
      SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'filled')::int AS filled
        FROM trades WHERE source_trade_id = ${trade.id}`);
    expect(rows[0]).toEqual({ n: 6, filled: 6 });
    const { rows: orders } = await t.db.execute<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM paper_orders o JOIN trades c ON c.id = o.client_order_id
       WHERE c.source_trade_id = ${trade.id}`);
    expect(orders[0]?.n).toBe(6);
  });
});
