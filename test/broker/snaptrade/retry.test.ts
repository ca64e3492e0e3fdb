/**
 * Rate limits and outages: the adapter retries what may be retried, honours what SnapTrade says
 * about waiting, never repeats an order placement that might have gone through, and ends in
 * BrokerUnavailableError. The sleep is injected: the waits are recorded, not spent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BrokerUnavailableError } from '../../../src/broker/port';
import { SnapTradeBroker } from '../../../src/broker/snaptrade/adapter';
import { createSnapTradeSimulator } from '../../../src/broker/snaptrade/simulator';
import { connectedAccount, expectExchangesMatchSpec, type Harness, OCC_CALL, startHarness } from './support';

const harnesses: Harness[] = [];
async function harness(...args: Parameters<typeof startHarness>): Promise<Harness> {
  const started = await startHarness(...args);
  harnesses.push(started);
  return started;
}

afterEach(async () => {
  for (const started of harnesses.splice(0)) {
    expectExchangesMatchSpec(started.sim.exchanges);
    await started.sim.close();
  }
});

const calls = (h: Harness, operationId: string) =>
  h.sim.exchanges.filter((exchange) => exchange.operationId === operationId).length;

describe('retries', () => {
  it('waits as long as Retry-After says after a 429, then succeeds', async () => {
    const h = await harness();
    const { ref } = await connectedAccount(h, 'user-429');
    h.sim.controls.failNext({
      status: 429,
      retryAfterSeconds: 2,
      operationId: 'AccountInformation_getUserAccountBalance',
    });

    expect(await h.broker.getBalances(ref)).toMatchObject({ cash: '10000.00' });
    expect(h.sleeps).toEqual([2000]);
    expect(calls(h, 'AccountInformation_getUserAccountBalance')).toBe(2);
  });

  it('reads the wait from the body or the rate-limit reset when there is no Retry-After', async () => {
    const h = await harness();
    const { ref } = await connectedAccount(h, 'user-reset');
    h.sim.controls.failNext({
      status: 429,
      rateLimitResetSeconds: 3,
      operationId: 'AccountInformation_getUserAccountOrders',
    });
    expect(await h.broker.listOrders(ref)).toEqual([]);
    expect(h.sleeps).toEqual([3000]);
  });

  it('retries a 429 on an order placement: the throttled request was not carried out', async () => {
    const h = await harness();
    const { ref, accountId } = await connectedAccount(h, 'user-place-429');
    h.sim.controls.setQuote(OCC_CALL, { bid: '1.00', ask: '1.10' });
    h.sim.controls.failNext({ status: 429, retryAfterSeconds: 1, operationId: 'Trading_placeMlegOrder' });

    const result = await h.broker.placeOrder(ref, {
      clientOrderId: 't-1',
      symbol: OCC_CALL,
      side: 'buy',
      quantity: 1,
      orderType: 'Market',
      timeInForce: 'Day',
    });
    expect(result.ok).toBe(true);
    expect(calls(h, 'Trading_placeMlegOrder')).toBe(2);
    expect(h.sim.controls.account(accountId)?.positions).toEqual([
      { symbol: OCC_CALL, units: 1, averagePrice: '1.1' },
    ]);
  });

  it('gives up on persistent 5xx after a bounded number of attempts, backing off', async () => {
    const h = await harness({}, { retry: { maxAttempts: 3, baseDelayMs: 100 } });
    const { ref } = await connectedAccount(h, 'user-503');
    h.sim.controls.failNext({
      status: 503,
      count: 10,
      operationId: 'AccountInformation_getAllAccountPositions',
    });

    await expect(h.broker.getPositions(ref)).rejects.toBeInstanceOf(BrokerUnavailableError);
    expect(calls(h, 'AccountInformation_getAllAccountPositions')).toBe(3);
    // random() is 0 in the harness: half of 100 × 2^(n−1).
    expect(h.sleeps).toEqual([50, 100]);
  });

  it('does not repeat an order placement after a 5xx: it might have gone through', async () => {
    const h = await harness();
    const { ref } = await connectedAccount(h, 'user-place-500');
    h.sim.controls.setQuote(OCC_CALL, { bid: '1.00', ask: '1.10' });
    h.sim.controls.failNext({ status: 500, count: 5, operationId: 'Trading_placeMlegOrder' });

    const placing = h.broker.placeOrder(ref, {
      clientOrderId: 't-2',
      symbol: OCC_CALL,
      side: 'buy',
      quantity: 1,
      orderType: 'Market',
      timeInForce: 'Day',
    });
    await expect(placing).rejects.toBeInstanceOf(BrokerUnavailableError);
    expect(calls(h, 'Trading_placeMlegOrder')).toBe(1);
    expect(h.sleeps).toEqual([]);
  });

  it('gives up at once, saying when to come back, when asked to wait longer than it would', async () => {
    const h = await harness({}, { retry: { maxDelayMs: 5_000 } });
    const { ref } = await connectedAccount(h, 'user-long-wait');
    h.sim.controls.failNext({
      status: 429,
      retryAfterSeconds: 60,
      operationId: 'AccountInformation_getUserAccountBalance',
    });

    const error = await h.broker.getBalances(ref).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(BrokerUnavailableError);
    expect((error as BrokerUnavailableError).retryAfterMs).toBe(60_000);
    expect(h.sleeps).toEqual([]);
  });

  it('registers a user only once even if SnapTrade fails after receiving it', async () => {
    const h = await harness();
    h.sim.controls.failNext({ status: 502, operationId: 'Authentication_registerSnapTradeUser' });
    await expect(h.connections.registerUser('user-502')).rejects.toBeInstanceOf(BrokerUnavailableError);
    expect(calls(h, 'Authentication_registerSnapTradeUser')).toBe(1);
  });

  it('slows down when the rate-limit window is used up', async () => {
    let offsetMs = 0;
    const h = await harness(
      { rateLimitPerMinute: 3, wallClock: () => Date.now() + offsetMs },
      { retry: { maxDelayMs: 60_000 } },
    );
    h.sleeps.length = 0;
    const advance = async (ms: number) => {
      h.sleeps.push(ms);
      offsetMs += ms;
    };
    const broker = new SnapTradeBroker({
      clientId: h.sim.clientId,
      consumerKey: h.sim.consumerKey,
      basePath: h.sim.url,
      sleep: advance,
      now: () => new Date(Date.now() + offsetMs),
      retry: { maxDelayMs: 60_000 },
    });
    const { ref } = await connectedAccount(h, 'user-window'); // request 1 of 3
    await broker.getBalances(ref); // 2 of 3
    await broker.getBalances(ref); // 3 of 3: X-RateLimit-Remaining 0
    expect(h.sleeps).toEqual([]);
    await broker.getBalances(ref); // waits for the window first, so is not throttled
    expect(h.sleeps).toHaveLength(1);
    expect(h.sleeps[0]).toBeGreaterThanOrEqual(59_000);
    expect(h.sim.exchanges.every((exchange) => exchange.status !== 429)).toBe(true);
  });

  it('turns a broker that cannot be reached into BrokerUnavailableError after retrying', async () => {
    const gone = await createSnapTradeSimulator();
    const url = gone.url;
    await gone.close();
    const sleeps: number[] = [];
    const broker = new SnapTradeBroker({
      clientId: 'x',
      consumerKey: 'y',
      basePath: url,
      retry: { maxAttempts: 3, baseDelayMs: 10 },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    const ref = {
      accountId: 'a',
      provider: 'snaptrade' as const,
      brokerAccountId: '917c8734-8470-4a3e-a18f-57c3f2ee6631',
      snaptrade: { userId: 'u', userSecret: 's' },
    };
    await expect(broker.getBalances(ref)).rejects.toThrow(/ECONNREFUSED/);
    await expect(broker.getBalances(ref)).rejects.toBeInstanceOf(BrokerUnavailableError);
    expect(sleeps).toHaveLength(4);
  });
});
