/**
 * PRODUCT.md §1a: an order a trader places directly at the broker (here, straight into the
 * simulator's account) is imported once by the sync a TRADE_DETECTION starts, as the trader's
 * own order with the broker's id, folded into a position, and copied like any other.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaperAccount } from '../../src/services/accounts/create-paper-account';
import { fanOutCopies } from '../../src/services/copy/fan-out-copies';
import { syncAccountOrders } from '../../src/services/trading/sync-account-orders';
import { expectExchangesMatchSpec } from '../broker/snaptrade/support';
import { useTestDatabase } from '../helpers/db';
import { createUser } from '../helpers/factories';
import { type SnapTradeEnv, snapTradeUser, startSnapTradeEnv } from './snaptrade-support';

const t = useTestDatabase();
const SYMBOL = 'AAPL  300118C00150000';

let env: SnapTradeEnv;
beforeAll(async () => {
  env = await startSnapTradeEnv(t);
  env.sim.controls.setQuote(SYMBOL, { bid: '2.40', ask: '2.50' });
});
afterAll(async () => {
  await env?.close();
});

describe('an order placed outside Alertsify', () => {
  it('is imported once as the trader’s own, folded into a position, and copied', async () => {
    const trader = await snapTradeUser(t, env, { isTrader: true });
    const follower = await createUser(t.db);
    await createPaperAccount({ ctx: env.ctx(follower.id), input: { startingBalance: '100000' } });
    await t.db.execute(sql`
      INSERT INTO subscriptions (subscriber_id, trader_id, settings, status)
      VALUES (${follower.id}, ${trader.user.id}, ${JSON.stringify({ autoExecute: true, maxPositionSize: 10, maxDailyTrades: 5, scalingFactor: 1 })}::jsonb, 'active')`);

    // The trader buys at their broker's own app: the order exists only at SnapTrade.
    const { broker, ref } = env.trading.brokers.forAccount({ ...trader.account, owner: trader.user });
    const outside = await broker.placeOrder(ref, {
      clientOrderId: 'not-ours',
      symbol: SYMBOL,
      side: 'buy',
      quantity: 3,
      orderType: 'Market',
      timeInForce: 'Day',
    });
    if (!outside.ok) throw new Error(outside.reason);

    const sync = () =>
      syncAccountOrders({ ctx: env.ctx(), deps: env.trading, input: { accountId: trader.account.id } });
    await sync();
    await sync(); // a second sync (or a repeated TRADE_DETECTION) imports nothing more
    const { rows: imported } = await t.sql<{
      id: string;
      source: string;
      status: string;
      filled_quantity: number;
      filled_price: string;
      broker_order_id: string;
      position_status: string;
      bought: number;
    }>(
      `SELECT t.id, t.source, t.status, t.filled_quantity, t.filled_price::text, t.broker_order_id,
              p.status AS position_status, p.bought_quantity AS bought
         FROM trades t JOIN parent_trades p ON p.id = t.parent_trade_id WHERE t.user_id = $1`,
      [trader.user.id],
    );
    expect(imported).toEqual([
      {
        id: expect.any(String),
        source: 'manual',
        status: 'filled',
        filled_quantity: 3,
        filled_price: '2.5000',
        broker_order_id: outside.order.brokerOrderId,
        position_status: 'open',
        bought: 3,
      },
    ]);

    // Its fill enqueued the fan-out like any trader fill; run it as the job would.
    const importedId = imported[0]?.id ?? '';
    const { rows: queued } = await t.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM graphile_worker._private_jobs WHERE key = $1`,
      [`fan-out:${importedId}`],
    );
    expect(queued[0]?.n).toBe(1);
    await fanOutCopies({ ctx: env.ctx(), deps: env.trading, input: { tradeId: importedId } });
    const { rows: copies } = await t.sql<{ status: string; filled_quantity: number }>(
      `SELECT status, filled_quantity FROM trades WHERE source_trade_id = $1`,
      [importedId],
    );
    expect(copies).toEqual([{ status: 'filled', filled_quantity: 3 }]);
    expectExchangesMatchSpec(env.sim.exchanges);
  });
});
