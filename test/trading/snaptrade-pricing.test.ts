/**
 * PRODUCT.md §2 "use a price estimate, never zero" on a real broker whose quote endpoint is gone:
 * a Market BTO on a SnapTrade account is priced by the broker's option impact; a brokerage
 * without it falls back to a configured market-data provider, and without one the order goes
 * to the broker unpriced, saying so. Every exchange honours SnapTrade's spec.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MarketData } from '../../src/market-data/port';
import { placeBto } from '../../src/services/trading/place-bto';
import { expectExchangesMatchSpec } from '../broker/snaptrade/support';
import { useTestDatabase } from '../helpers/db';
import { type SnapTradeEnv, snapTradeUser, startSnapTradeEnv } from './snaptrade-support';

const t = useTestDatabase();
const SYMBOL = 'AAPL  300118C00150000';
const CONTRACT = { underlying: 'AAPL', optionType: 'call', strike: '150', expiration: '2030-01-18' } as const;

let env: SnapTradeEnv;
let vendorAsks: string[];
const vendor: MarketData = {
  expirations: async () => [],
  chain: async () => null,
  async quote(symbol) {
    const ask = vendorAsks.shift();
    return ask ? { symbol, bid: '0.01', ask, last: ask } : null;
  },
};

beforeAll(async () => {
  env = await startSnapTradeEnv(t);
});
afterAll(async () => {
  await env?.close();
});

async function eventDetail(tradeId: string): Promise<unknown> {
  const { rows } = await t.sql<{ detail: unknown }>(
    `SELECT detail FROM order_events WHERE trade_id = $1 AND type = 'created'`,
    [tradeId],
  );
  return rows[0]?.detail;
}

describe('a Market BTO on a SnapTrade account', () => {
  it('is priced by option impact, and refused before sending when it costs more than the buying power', async () => {
    const buyer = await snapTradeUser(t, env, { cash: '1000.00' });
    env.sim.controls.setQuote(SYMBOL, { bid: '2.40', ask: '2.50' });
    const trade = await placeBto({
      ctx: env.ctx(buyer.user.id),
      deps: env.trading,
      input: { side: 'BTO', ...CONTRACT, quantity: 2 },
    });
    expect(trade).toMatchObject({ status: 'filled', filledQuantity: 2, statusReason: null });
    // 2 × 2.50 × 100 + 2 × 0.65 fees.
    expect(await eventDetail(trade.id)).toMatchObject({ estimate: '501.30', estimatedBy: 'option impact' });

    const placements = () =>
      env.sim.exchanges.filter((e) => e.operationId === 'Trading_placeMlegOrder').length;
    const before = placements();
    await expect(
      placeBto({
        ctx: env.ctx(buyer.user.id),
        deps: env.trading,
        input: { side: 'BTO', ...CONTRACT, quantity: 4 },
      }),
    ).rejects.toMatchObject({ code: 'PRECONDITION_FAILED', message: expect.stringContaining('1002.60') });
    expect(placements()).toBe(before);
    expectExchangesMatchSpec(env.sim.exchanges);
  });

  it('without option impact and without a market-data provider, is sent unpriced and says so', async () => {
    const buyer = await snapTradeUser(t, env, { brokerSlug: 'WEBULL', optionImpact: false });
    env.sim.controls.setQuote(SYMBOL, { bid: '2.40', ask: '2.50' });
    const trade = await placeBto({
      ctx: env.ctx(buyer.user.id),
      deps: env.trading,
      input: { side: 'BTO', ...CONTRACT, quantity: 1 },
    });
    expect(trade.status).toBe('filled');
    expect(trade.statusReason).toMatch(/No price estimate.*the broker decides/);
    expect(await eventDetail(trade.id)).toMatchObject({ estimate: null });
    const impacts = env.sim.exchanges.filter((e) => e.operationId === 'Trading_getOptionImpact');
    expect(impacts.at(-1)?.status).toBe(400);
    expectExchangesMatchSpec(env.sim.exchanges);
  });

  it('without option impact, uses the configured market-data provider', async () => {
    const withVendor = { ...env, trading: { ...env.trading, brokerMarketData: vendor } };
    const buyer = await snapTradeUser(t, env, { brokerSlug: 'WEBULL', optionImpact: false, cash: '1000.00' });
    vendorAsks = ['6.00'];
    await expect(
      placeBto({
        ctx: withVendor.ctx(buyer.user.id),
        deps: withVendor.trading,
        input: { side: 'BTO', ...CONTRACT, quantity: 2 },
      }),
    ).rejects.toMatchObject({ code: 'PRECONDITION_FAILED', message: expect.stringContaining('1200.00') });
    vendorAsks = ['2.50'];
    const trade = await placeBto({
      ctx: withVendor.ctx(buyer.user.id),
      deps: withVendor.trading,
      input: { side: 'BTO', ...CONTRACT, quantity: 2 },
    });
    expect(trade.status).toBe('filled');
    expect(await eventDetail(trade.id)).toMatchObject({ estimate: '500.00', estimatedBy: 'market data' });
  });
});
