/**
 * The option chain and quotes through the HTTP API, served by the paper market: the listed
 * expirations, the strikes around the simulated price, prices a paper order really fills at.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTradingDeps } from '../../src/runtime';
import { buildTestApp, HttpClient, inProcess, type TestApp, TestClock, testConfig } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { expectError, expectJson, type Member, signUp } from '../subscriptions/helpers';

const t = useTestDatabase();
// Tuesday 24 November 2026, 10:00 in New York.
const clock = new TestClock(new Date('2026-11-24T15:00:00.000Z'));
let env: TestApp;
let ada: Member;

type Contract = {
  symbol: string;
  bid: string;
  ask: string;
  last: string;
  optionType: string;
  impliedVolatility: number | null;
};
type Chain = {
  underlying: string;
  expiration: { date: string; expiresAt: string };
  underlyingPrice: string;
  asOf: string;
  strikes: { strike: string; call: Contract | null; put: Contract | null }[];
};

beforeAll(async () => {
  // The seeded model behind both the chain and the paper broker, as `npm start` runs it.
  const trading = buildTradingDeps({ db: t.db, config: testConfig(), now: clock.now });
  env = buildTestApp(t, { clock, trading });
  ada = await signUp(env.app, 'ada');
});

async function chainOf(underlying: string, expiration: string): Promise<Chain> {
  const query = new URLSearchParams({ underlying, expiration });
  return (await expectJson(await ada.client.get(`/api/quotes/chain?${query}`), 200)) as unknown as Chain;
}

describe('expirations', () => {
  it('lists the standard expirations still trading, nearest first, with the Eastern close', async () => {
    const body = await expectJson(await ada.client.get('/api/quotes/expirations?underlying=aapl'), 200);
    expect(body.underlying).toBe('AAPL');
    const expirations = body.expirations as { date: string; expiresAt: string }[];
    expect(expirations.slice(0, 3)).toEqual([
      // The day after Thanksgiving closes early, at 13:00 New York time.
      { date: '2026-11-27', expiresAt: '2026-11-27T18:00:00.000Z' },
      { date: '2026-12-04', expiresAt: '2026-12-04T21:00:00.000Z' },
      { date: '2026-12-11', expiresAt: '2026-12-11T21:00:00.000Z' },
    ]);
    expect(expirations.map((e) => e.date)).toContain('2027-01-15');
  });

  it('drops the day’s own expiration once the market has closed', async () => {
    const friday = new TestClock(new Date('2026-12-04T21:00:00.000Z'));
    const late = buildTestApp(t, {
      clock: friday,
      trading: buildTradingDeps({ db: t.db, config: testConfig(), now: friday.now }),
    });
    const bob = await signUp(late.app, 'bob');
    const body = await expectJson(await bob.client.get('/api/quotes/expirations?underlying=AAPL'), 200);
    expect((body.expirations as { date: string }[])[0]?.date).toBe('2026-12-11');
  });

  it('refuses an underlying that is not 1 to 6 letters, naming the field', async () => {
    const error = await expectError(
      await ada.client.get('/api/quotes/expirations?underlying=AB1'),
      400,
      'VALIDATION',
    );
    expect(error.field).toBe('underlying');
    await expectError(await ada.client.get('/api/quotes/expirations'), 400, 'VALIDATION');
  });
});

describe('the chain', () => {
  it('lists 21 strikes around the price with a call and a put each, bid below ask, and their IV', async () => {
    const chain = await chainOf('AAPL', '2026-12-18');
    expect(chain.underlying).toBe('AAPL');
    expect(chain.expiration).toEqual({ date: '2026-12-18', expiresAt: '2026-12-18T21:00:00.000Z' });
    expect(chain.asOf).toBe(clock.now().toISOString());
    expect(chain.strikes).toHaveLength(21);
    const strikes = chain.strikes.map((row) => Number(row.strike));
    expect(strikes).toEqual([...strikes].sort((a, b) => a - b));
    const price = Number(chain.underlyingPrice);
    expect(strikes[0]).toBeLessThan(price);
    expect(strikes.at(-1)).toBeGreaterThan(price);
    for (const row of chain.strikes) {
      for (const contract of [row.call, row.put]) {
        if (!contract) throw new Error(`no quote at ${row.strike}`);
        expect(Number(contract.bid)).toBeLessThan(Number(contract.ask));
        expect(contract.symbol).toMatch(/^AAPL {2}261218[CP]\d{8}$/);
      }
      expect(row.call?.optionType).toBe('call');
      expect(row.put?.optionType).toBe('put');
    }
    // Near the money the implied volatility is the model's own, within the rounding of prices.
    const atTheMoney = chain.strikes[10]?.call?.impliedVolatility;
    expect(atTheMoney).toBeGreaterThan(0.2);
    expect(atTheMoney).toBeLessThan(0.5);
  });

  it('shows the price a paper Market order fills at', async () => {
    await expectJson(await ada.client.post('/api/accounts/paper', {}), 201);
    const chain = await chainOf('MSFT', '2027-01-15');
    const row = chain.strikes[10];
    if (!row?.call) throw new Error('no at-the-money call');
    const order = await expectJson(
      await ada.client.post('/api/orders', {
        side: 'BTO',
        underlying: 'MSFT',
        optionType: 'call',
        strike: row.strike,
        expiration: '2027-01-15',
        quantity: 2,
      }),
      201,
    );
    expect(order.symbol).toBe(row.call.symbol);
    expect(order.status).toBe('filled');
    expect(Number(order.filledPrice)).toBe(Number(row.call.ask));
  });

  it('refuses an expiration that is not listed, naming the field', async () => {
    const query = new URLSearchParams({ underlying: 'AAPL', expiration: '2026-12-16' });
    const error = await expectError(await ada.client.get(`/api/quotes/chain?${query}`), 400, 'VALIDATION');
    expect(error.field).toBe('expiration');
    expect(error.message).toContain('AAPL has no options expiring on 2026-12-16');
    const malformed = new URLSearchParams({ underlying: 'AAPL', expiration: '2026-02-30' });
    expect(
      (await expectError(await ada.client.get(`/api/quotes/chain?${malformed}`), 400, 'VALIDATION')).field,
    ).toBe('expiration');
  });
});

describe('quotes of several contracts', () => {
  it('answers each known contract as the chain prices it, leaving out unknown and expired ones', async () => {
    const chain = await chainOf('AAPL', '2026-12-04');
    const call = chain.strikes[5]?.call;
    const put = chain.strikes[15]?.put;
    if (!call || !put) throw new Error('missing contracts');
    const symbols = [call.symbol, put.symbol, 'AAPL  251219C00150000', 'not-a-symbol'].join(',');
    const body = await expectJson(
      await ada.client.get(`/api/quotes?symbols=${encodeURIComponent(symbols)}`),
      200,
    );
    const pick = ({ symbol, bid, ask, last }: Contract) => ({ symbol, bid, ask, last });
    expect(body.quotes).toEqual([pick(call), pick(put)]);
  });

  it('refuses an empty list, naming the field', async () => {
    expect((await expectError(await ada.client.get('/api/quotes?symbols=,'), 400, 'VALIDATION')).field).toBe(
      'symbols',
    );
  });
});

describe('security', () => {
  it('needs a session for every market-data route', async () => {
    const anonymous = new HttpClient(inProcess(env.app));
    for (const path of [
      '/api/quotes/expirations?underlying=AAPL',
      '/api/quotes/chain?underlying=AAPL&expiration=2026-12-18',
      '/api/quotes?symbols=AAPL%20%20261218C00150000',
    ]) {
      await expectError(await anonymous.get(path), 401, 'UNAUTHENTICATED');
    }
  });
});
