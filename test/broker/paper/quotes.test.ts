import { describe, expect, it } from 'vitest';
import { dayOrderDeadline } from '../../../src/broker/paper/fill-rules';
import {
  blackScholes,
  createFixedQuotes,
  createQuoteModel,
  normalCdf,
  quoteAroundMid,
} from '../../../src/broker/paper/quotes';
import { Dec } from '../../../src/domain/money';
import { buildOccSymbol } from '../../../src/domain/occ';

// Monday 2 March 2026, 10:00 in New York.
const AT = new Date('2026-03-02T15:00:00Z');
const CALL = 'AAPL  260618C00150000';

const base = { rate: 0.04, volatility: 0.35 };

describe('Black–Scholes', () => {
  it('matches a textbook value', () => {
    // S = K = 100, T = 1, r = 5 %, σ = 20 %: call 10.4506, put 5.5735.
    const input = { spot: 100, strike: 100, years: 1, rate: 0.05, volatility: 0.2 };
    expect(blackScholes({ ...input, optionType: 'call' })).toBeCloseTo(10.4506, 3);
    expect(blackScholes({ ...input, optionType: 'put' })).toBeCloseTo(5.5735, 3);
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.96)).toBeCloseTo(0.975, 4);
  });

  it('values a call higher as the underlying rises, a put lower', () => {
    const at = (spot: number, optionType: 'call' | 'put') =>
      blackScholes({ ...base, optionType, spot, strike: 100, years: 0.25 });
    const spots = [80, 90, 100, 110, 120];
    const calls = spots.map((spot) => at(spot, 'call'));
    const puts = spots.map((spot) => at(spot, 'put'));
    for (let i = 1; i < spots.length; i++) {
      expect(calls[i]).toBeGreaterThan(calls[i - 1] ?? Number.POSITIVE_INFINITY);
      expect(puts[i]).toBeLessThan(puts[i - 1] ?? Number.NEGATIVE_INFINITY);
    }
  });

  it('prices a deep in-the-money option at about its intrinsic value', () => {
    const call = blackScholes({ ...base, optionType: 'call', spot: 300, strike: 100, years: 0.1 });
    // Intrinsic 200, plus the interest on the strike: 100 × (1 − e^(−0.004)) ≈ 0.40.
    expect(call).toBeGreaterThanOrEqual(200);
    expect(call).toBeLessThan(200.5);
    const put = blackScholes({ ...base, optionType: 'put', spot: 50, strike: 150, years: 0.01 });
    expect(Math.abs(put - 100)).toBeLessThan(0.1);
  });

  it('loses time value toward expiry and ends at intrinsic', () => {
    const years = [1, 0.5, 0.25, 0.1, 0.01, 0.001];
    const values = years.map((t) =>
      blackScholes({ ...base, optionType: 'call', spot: 100, strike: 105, years: t }),
    );
    for (let i = 1; i < values.length; i++) {
      expect(values[i]).toBeLessThan(values[i - 1] ?? 0);
    }
    expect(blackScholes({ ...base, optionType: 'call', spot: 100, strike: 105, years: 0 })).toBe(0);
    expect(blackScholes({ ...base, optionType: 'put', spot: 100, strike: 105, years: 0 })).toBe(5);
  });
});

describe('bid and ask around a mid', () => {
  it('keeps a penny spread at least, in pennies below 3.00', () => {
    expect(quoteAroundMid('X', new Dec('0.01'))).toMatchObject({ bid: '0.01', ask: '0.02' });
    expect(quoteAroundMid('X', new Dec('1.00'))).toMatchObject({ bid: '0.99', ask: '1.01', last: '1.00' });
    expect(quoteAroundMid('X', new Dec('2.50'))).toMatchObject({ bid: '2.47', ask: '2.53' });
  });

  it('quotes in nickels from 3.00 up, 2 % wide', () => {
    expect(quoteAroundMid('X', new Dec('10.00'))).toMatchObject({ bid: '9.90', ask: '10.10' });
    expect(quoteAroundMid('X', new Dec('10.03'))).toMatchObject({ bid: '9.90', ask: '10.15' });
  });
});

describe('the quote model', () => {
  it('gives the same quote for the same seed and time', () => {
    const first = createQuoteModel({ seed: 'alpha' });
    const second = createQuoteModel({ seed: 'alpha' });
    expect(first.quote(CALL, AT)).toEqual(second.quote(CALL, AT));
    expect(first.underlyingPrice('AAPL', AT)).toBe(second.underlyingPrice('AAPL', AT));
    // Constant within a minute: the walk steps once a minute.
    expect(first.quote(CALL, new Date(AT.getTime() + 59_000))).toEqual(first.quote(CALL, AT));
  });

  it('gives a different market under another seed', () => {
    const a = createQuoteModel({ seed: 'alpha' });
    const b = createQuoteModel({ seed: 'beta' });
    expect(a.underlyingPrice('AAPL', AT)).not.toBe(b.underlyingPrice('AAPL', AT));
    expect(a.quote(CALL, AT)).not.toEqual(b.quote(CALL, AT));
  });

  it('starts each ticker between 20 and 500 and walks a realistic distance', () => {
    const model = createQuoteModel({ seed: 7 });
    for (const ticker of ['AAPL', 'MSFT', 'TSLA', 'SPY', 'QQQ', 'F', 'AMD', 'NVDA']) {
      const price = model.underlyingPrice(ticker, AT);
      expect(price).toBeGreaterThan(20 * 0.25);
      expect(price).toBeLessThan(500 * 4);
      const minuteLater = model.underlyingPrice(ticker, new Date(AT.getTime() + 60_000));
      expect(minuteLater).not.toBe(price);
      // A minute's move of a ≤ 45 % volatility stock stays well under 1 %.
      expect(Math.abs(Math.log(minuteLater / price))).toBeLessThan(0.01);
      const vol = model.volatility(ticker);
      expect(vol).toBeGreaterThanOrEqual(0.25);
      expect(vol).toBeLessThanOrEqual(0.45);
    }
  });

  it('prices calls lower as the strike rises and higher with more time', () => {
    const model = createQuoteModel({ seed: 'alpha' });
    const spot = model.underlyingPrice('AAPL', AT);
    const symbol = (strike: number, expiration: string, optionType: 'call' | 'put' = 'call') =>
      buildOccSymbol({ underlying: 'AAPL', optionType, strike: String(Math.round(strike)), expiration });
    const mid = (s: string) => {
      const quote = model.quote(s, AT);
      if (!quote) throw new Error(`no quote for ${s}`);
      return new Dec(quote.bid).plus(quote.ask).dividedBy(2).toNumber();
    };
    const strikes = [0.8, 0.9, 1, 1.1, 1.2].map((share) => spot * share);
    const calls = strikes.map((strike) => mid(symbol(strike, '2026-06-18')));
    for (let i = 1; i < calls.length; i++) expect(calls[i]).toBeLessThanOrEqual(calls[i - 1] ?? 0);
    const expirations = ['2026-03-20', '2026-06-18', '2026-12-18', '2027-06-17'];
    const atTheMoney = expirations.map((expiration) => mid(symbol(spot, expiration)));
    for (let i = 1; i < atTheMoney.length; i++) {
      expect(atTheMoney[i]).toBeGreaterThan(atTheMoney[i - 1] ?? Number.POSITIVE_INFINITY);
    }
    // Deep in the money, four days out: intrinsic plus four days' interest on the strike.
    const deep = Math.floor(spot / 2);
    const last = Number(model.quote(symbol(deep, '2026-03-06'), AT)?.last);
    const interest = deep * (1 - Math.exp((-0.04 * 4.25) / 365));
    expect(Math.abs(last - (spot - deep + interest))).toBeLessThan(0.02);
  });

  it('quotes two decimals, bid below ask, never below 0.01', () => {
    const model = createQuoteModel({ seed: 'alpha' });
    const spot = model.underlyingPrice('AAPL', AT);
    for (const share of [0.3, 0.7, 1, 1.5, 3]) {
      for (const optionType of ['call', 'put'] as const) {
        const s = buildOccSymbol({
          underlying: 'AAPL',
          optionType,
          strike: String(Math.max(1, Math.round(spot * share))),
          expiration: '2026-03-20',
        });
        const quote = model.quote(s, AT);
        expect(quote).not.toBeNull();
        if (!quote) continue;
        expect(quote.bid).toMatch(/^\d+\.\d{2}$/);
        expect(quote.ask).toMatch(/^\d+\.\d{2}$/);
        expect(new Dec(quote.bid).gte('0.01')).toBe(true);
        expect(new Dec(quote.ask).gt(quote.bid)).toBe(true);
        if (new Dec(quote.ask).gte(3)) expect(new Dec(quote.ask).mod('0.05').isZero()).toBe(true);
      }
    }
  });

  it('has no quote for an expired contract or a symbol it cannot read', () => {
    const model = createQuoteModel({ seed: 'alpha' });
    const symbol = 'AAPL  260302C00150000'; // expires today, Monday 2 March 2026, at 16:00 New York
    expect(model.quote(symbol, new Date('2026-03-02T20:59:00Z'))).not.toBeNull();
    expect(model.quote(symbol, new Date('2026-03-02T21:00:00Z'))).toBeNull();
    expect(model.quote('NOT A SYMBOL', AT)).toBeNull();
  });

  it('accepts compact symbols and answers with the padded form', () => {
    const model = createQuoteModel({ seed: 'alpha' });
    expect(model.quote('AAPL260618C00150000', AT)).toEqual(model.quote(CALL, AT));
    expect(model.quote('AAPL260618C00150000', AT)?.symbol).toBe(CALL);
  });
});

describe('fixed quotes', () => {
  it('answers what was set, until changed or removed', () => {
    const fixed = createFixedQuotes({ [CALL]: { bid: '1.20', ask: '1.25' } });
    expect(fixed.quote(CALL, AT)).toEqual({ symbol: CALL, bid: '1.20', ask: '1.25', last: '1.23' });
    fixed.set('AAPL260618C00150000', { bid: '2', ask: '2.1', last: '2.05', size: 3 });
    expect(fixed.quote(CALL, AT)).toEqual({ symbol: CALL, bid: '2.00', ask: '2.10', last: '2.05', size: 3 });
    fixed.remove(CALL);
    expect(fixed.quote(CALL, AT)).toBeNull();
  });

  it('refuses a crossed or sub-cent quote', () => {
    const fixed = createFixedQuotes();
    expect(() => fixed.set(CALL, { bid: '1.30', ask: '1.25' })).toThrow(RangeError);
    expect(() => fixed.set(CALL, { bid: '1.205', ask: '1.25' })).toThrow(/decimal places/);
  });
});

describe('Day orders', () => {
  it('lapse at the close of their session', () => {
    // Placed Monday 10:00 New York: Monday's close.
    expect(dayOrderDeadline(AT).toISOString()).toBe('2026-03-02T21:00:00.000Z');
    // Placed after Monday's close: Tuesday's.
    expect(dayOrderDeadline(new Date('2026-03-02T22:00:00Z')).toISOString()).toBe('2026-03-03T21:00:00.000Z');
    // Placed on Saturday: Monday's.
    expect(dayOrderDeadline(new Date('2026-03-07T15:00:00Z')).toISOString()).toBe('2026-03-09T20:00:00.000Z');
  });
});
