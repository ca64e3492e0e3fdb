/**
 * PRODUCT.md §1a: a placement whose outcome is unknown is reconciled against the account's
 * recent orders, never sent twice. Against the simulator, which can carry out an order and drop
 * its answer: a user's own order and a copy whose worker died between sending and recording
 * both end as the one order the broker holds.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaperAccount } from '../../src/services/accounts/create-paper-account';
import { fanOutCopies } from '../../src/services/copy/fan-out-copies';
import { placeBto } from '../../src/services/trading/place-bto';
import { expectExchangesMatchSpec } from '../broker/snaptrade/support';
import { useTestDatabase } from '../helpers/db';
import { createUser } from '../helpers/factories';
import { type SnapTradeEnv, snapTradeUser, startSnapTradeEnv } from './snaptrade-support';

const t = useTestDatabase();
const SYMBOL = 'AAPL  300118C00150000';
const CONTRACT = { underlying: 'AAPL', optionType: 'call', strike: '150', expiration: '2030-01-18' } as const;

let env: SnapTradeEnv;
beforeAll(async () => {
  env = await startSnapTradeEnv(t, { copy: { claimTimeoutMs: 60_000 } });
  env.sim.controls.setQuote(SYMBOL, { bid: '2.40', ask: '2.50' });
});
afterAll(async () => {
  await env?.close();
});

function placementsAt(brokerAccountId: string) {
  return env.sim.exchanges.filter(
    (e) => e.operationId === 'Trading_placeMlegOrder' && e.pathParams.accountId === brokerAccountId,
  );
}

describe('a lost placement answer', () => {
  it('is reconciled to the order the broker executed, not called rejected nor sent again', async () => {
    const buyer = await snapTradeUser(t, env);
    env.sim.controls.dropNextResponse({ operationId: 'Trading_placeMlegOrder' });
    const trade = await placeBto({
      ctx: env.ctx(buyer.user.id),
      deps: env.trading,
      input: { side: 'BTO', ...CONTRACT, quantity: 3 },
    });
    const sent = placementsAt(buyer.brokerAccountId);
    expect(sent.map((e) => e.dropped ?? false)).toEqual([true]);
    // The one order the simulator holds for the account is the one adopted.
    expect(trade).toMatchObject({ status: 'filled', filledQuantity: 3, brokerOrderId: expect.any(String) });
    expect(env.sim.controls.order(trade.brokerOrderId ?? '')).toMatchObject({
      accountId: buyer.brokerAccountId,
      quantity: 3,
      status: 'EXECUTED',
    });
    expectExchangesMatchSpec(env.sim.exchanges);
  });

  it('with nothing at the broker (the request never arrived), is rejected saying so', async () => {
    const buyer = await snapTradeUser(t, env);
    env.sim.controls.failNext({ status: 504, operationId: 'Trading_placeMlegOrder' });
    const trade = await placeBto({
      ctx: env.ctx(buyer.user.id),
      deps: env.trading,
      input: { side: 'BTO', ...CONTRACT, quantity: 1 },
    });
    expect(trade.status).toBe('rejected');
    expect(trade.statusReason).toMatch(/no such order found at the broker/);
    expect(placementsAt(buyer.brokerAccountId)).toHaveLength(1);
  });
});

describe('a copy claimed by a worker that died before recording the answer', () => {
  it('is adopted by the next run from the broker order, and the broker holds exactly one', async () => {
    const follower = await snapTradeUser(t, env);
    const trader = await createUser(t.db, { isTrader: true });
    await createPaperAccount({ ctx: env.ctx(trader.id), input: { startingBalance: '1000000' } });
    await t.db.execute(sql`
      INSERT INTO subscriptions (subscriber_id, trader_id, settings, status)
      VALUES (${follower.user.id}, ${trader.id}, ${JSON.stringify({ autoExecute: true, maxPositionSize: 10, maxDailyTrades: 5, scalingFactor: 1 })}::jsonb, 'active')`);
    const source = await placeBto({
      ctx: env.ctx(trader.id),
      deps: env.trading,
      input: { side: 'BTO', ...CONTRACT, quantity: 2 },
    });

    // The worker sends the copy, the broker executes it, and the worker dies before recording it.
    const dying = {
      ...env.trading,
      faults: {
        afterCopySent: () => {
          throw new Error('worker died');
        },
      },
    };
    await expect(
      fanOutCopies({ ctx: env.ctx(), deps: dying, input: { tradeId: source.id } }),
    ).rejects.toThrow('worker died');
    expect(placementsAt(follower.brokerAccountId)).toHaveLength(1);
    const { rows: unrecorded } = await t.sql<{ status: string; broker_order_id: string | null }>(
      'SELECT status, broker_order_id FROM trades WHERE source_trade_id = $1',
      [source.id],
    );
    expect(unrecorded).toEqual([{ status: 'pending', broker_order_id: null }]);

    // Past the claim timeout, the recovery runs the fan-out again.
    env.clock.advance(61_000);
    await fanOutCopies({ ctx: env.ctx(), deps: env.trading, input: { tradeId: source.id } });
    const { rows } = await t.sql<{ status: string; broker_order_id: string | null; filled_quantity: number }>(
      'SELECT status, broker_order_id, filled_quantity FROM trades WHERE source_trade_id = $1',
      [source.id],
    );
    const placed = placementsAt(follower.brokerAccountId);
    expect(placed).toHaveLength(1);
    const brokerOrderId = (placed[0]?.responseBody as { brokerage_order_id?: string } | undefined)
      ?.brokerage_order_id;
    expect(rows).toEqual([{ status: 'filled', broker_order_id: brokerOrderId, filled_quantity: 2 }]);
    expectExchangesMatchSpec(env.sim.exchanges);
  });
});
