/**
 * PRODUCT.md §3: a trader's working order is copied as it fills, each fill as it happens: an
 * opening sized on the trader's cumulative fill less what was already copied, a closing by the
 * target rule; one decision row per subscription and trader order, which follows the fills.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { fanOutCopies } from '../../src/services/copy/fan-out-copies';
import { applyOrderUpdates } from '../../src/services/trading/apply-order-update';
import { placeBto } from '../../src/services/trading/place-bto';
import { placeStc } from '../../src/services/trading/place-stc';
import { useTestDatabase } from '../helpers/db';
import { queuedJobs } from '../helpers/jobs';
import { CONTRACT, type CopyWorld, copyWorld, decisions, subscriber, trader } from './support';

const t = useTestDatabase();

/** The broker reports the trader's working order filled this far (cumulative), as order sync would. */
async function brokerFills(w: CopyWorld, tradeId: string, filledQuantity: number, quantity: number) {
  await applyOrderUpdates({
    ctx: w.system,
    input: {
      updates: [
        {
          tradeId,
          source: 'sync',
          report: {
            status: filledQuantity < quantity ? 'partial' : 'filled',
            filledQuantity,
            averageFillPrice: '2.00',
          },
        },
      ],
    },
  });
  return fanOutCopies({ ctx: w.system, deps: w.trading, input: { tradeId } });
}

async function held(w: CopyWorld, userId: string) {
  const { rows } = await w.t.db.execute<{ held: number }>(sql`
    SELECT COALESCE(sum(bought_quantity - sold_quantity), 0)::int AS held FROM parent_trades WHERE user_id = ${userId}`);
  return rows[0]?.held ?? 0;
}

async function decisionRows(w: CopyWorld, tradeId: string) {
  const { rows } = await w.t.db.execute<{ n: number }>(sql`
    SELECT count(*)::int AS n FROM subscription_trades WHERE source_trade_id = ${tradeId}`);
  return rows[0]?.n;
}

describe('partial fills', () => {
  it('a Limit buy filling 5 then 10 of 10 is copied 2 then 3 more at ×0.5, and 1 then 3 more at ×0.3', async () => {
    const w = copyWorld(t);
    const boss = await trader(w);
    const half = await subscriber(w, boss, { scalingFactor: 0.5 });
    const small = await subscriber(w, boss, { scalingFactor: 0.3 });
    const order = await placeBto({
      ctx: w.as(boss),
      deps: w.trading,
      input: { side: 'BTO', ...CONTRACT, quantity: 10, orderType: 'Limit', limitPrice: '2.00' },
    });
    expect(order.status).toBe('pending');

    await brokerFills(w, order.id, 5, 10);
    // Each fill enqueues the fan-out in the position's queue.
    expect((await queuedJobs(t, 'fan-out-copies')).map((j) => j.payload)).toContainEqual({
      tradeId: order.id,
      positionId: order.parentTradeId,
    });
    expect((await decisions(w, order.id)).get(half.userId)).toMatchObject({
      outcome: 'executed',
      copy_quantity: 2,
    });
    expect((await decisions(w, order.id)).get(small.userId)).toMatchObject({
      outcome: 'executed',
      copy_quantity: 1,
    });
    expect([await held(w, half.userId), await held(w, small.userId)]).toEqual([2, 1]);

    await brokerFills(w, order.id, 10, 10);
    expect((await decisions(w, order.id)).get(half.userId)).toMatchObject({
      outcome: 'executed',
      copy_quantity: 5,
      copy_filled: 3,
    });
    expect([await held(w, half.userId), await held(w, small.userId)]).toEqual([5, 3]);
    expect(await decisionRows(w, order.id)).toBe(2);
    const { rows } = await t.db.execute<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM trades WHERE source_trade_id = ${order.id}`);
    expect(rows[0]?.n).toBe(4);

    // Run again: nothing more.
    expect(
      await fanOutCopies({ ctx: w.system, deps: w.trading, input: { tradeId: order.id } }),
    ).toMatchObject({
      decided: 0,
      executed: 0,
    });
  });

  it('a below-minimum opening is decided again as the order fills further', async () => {
    const w = copyWorld(t);
    const boss = await trader(w);
    const tenth = await subscriber(w, boss, { scalingFactor: 0.2 });
    const order = await placeBto({
      ctx: w.as(boss),
      deps: w.trading,
      input: { side: 'BTO', ...CONTRACT, quantity: 10, orderType: 'Limit', limitPrice: '2.00' },
    });
    await brokerFills(w, order.id, 4, 10);
    expect((await decisions(w, order.id)).get(tenth.userId)).toMatchObject({
      outcome: 'skipped',
      reason: 'below_minimum',
    });
    await brokerFills(w, order.id, 10, 10);
    expect((await decisions(w, order.id)).get(tenth.userId)).toMatchObject({
      outcome: 'executed',
      reason: null,
      copy_quantity: 2,
      copy_filled: 2,
    });
  });

  it('a Limit sell filling 4 then 10 of 10 closes by the target: 2 of 5, then the other 3', async () => {
    const w = copyWorld(t);
    const boss = await trader(w);
    const half = await subscriber(w, boss, { scalingFactor: 0.5 });
    const bought = await placeBto({
      ctx: w.as(boss),
      deps: w.trading,
      input: { side: 'BTO', ...CONTRACT, quantity: 10 },
    });
    await fanOutCopies({ ctx: w.system, deps: w.trading, input: { tradeId: bought.id } });
    expect(await held(w, half.userId)).toBe(5);

    const sell = await placeStc({
      ctx: w.as(boss),
      deps: w.trading,
      input: {
        side: 'STC',
        positionId: bought.parentTradeId,
        quantity: 10,
        orderType: 'Limit',
        limitPrice: '9.00',
      },
    });
    expect(sell.status).toBe('pending');
    // R_T = 6: target round_half_down(5 × 6 / 10) = 3.
    await brokerFills(w, sell.id, 4, 10);
    expect((await decisions(w, sell.id)).get(half.userId)).toMatchObject({
      outcome: 'executed',
      copy_quantity: 2,
    });
    expect(await held(w, half.userId)).toBe(3);
    await brokerFills(w, sell.id, 10, 10);
    expect((await decisions(w, sell.id)).get(half.userId)).toMatchObject({
      outcome: 'executed',
      copy_quantity: 5,
    });
    expect(await held(w, half.userId)).toBe(0);
    expect(await decisionRows(w, sell.id)).toBe(1);
  });
});
