import { describe, expect, it } from 'vitest';
import { blackScholes, impliedVolatility } from '../../src/broker/paper/quotes';
import { standardExpirations, strikeInterval, strikesAround } from '../../src/domain/option-chain';

describe('standard expirations', () => {
  it('lists six weeklies, the monthlies and the next Januaries, holidays moved to the day before', () => {
    // Tuesday 24 November 2026: Christmas and New Year's Day fall on Fridays, Juneteenth 2027 too.
    expect(standardExpirations('2026-11-24')).toEqual([
      '2026-11-27',
      '2026-12-04',
      '2026-12-11',
      '2026-12-18',
      '2026-12-24',
      '2026-12-31',
      '2027-01-15',
      '2027-02-19',
      '2027-03-19',
      '2027-04-16',
      '2027-05-21',
      '2027-06-17',
      '2027-07-16',
      '2027-08-20',
      '2028-01-21',
    ]);
  });

  it("moves Good Friday's weekly to Thursday and drops the month's passed third Friday", () => {
    const listed = standardExpirations('2026-03-30');
    expect(listed.slice(0, 2)).toEqual(['2026-04-02', '2026-04-10']);
    expect(listed).not.toContain('2026-03-20');
    expect(listed.at(-2)).toBe('2027-01-15');
    expect(listed.at(-1)).toBe('2028-01-21');
  });

  it("keeps today's expiration in the list on a Friday (the caller drops it after the close)", () => {
    expect(standardExpirations('2026-12-18')[0]).toBe('2026-12-18');
  });
});

describe('strikes', () => {
  it('are listed at an interval that grows with the price', () => {
    expect([3, 30, 150, 300, 900].map(strikeInterval)).toEqual([0.5, 1, 2.5, 5, 10]);
  });

  it('surround the listed strike nearest the price, with two decimals and none at or below zero', () => {
    expect(strikesAround(152.3, 2)).toEqual(['147.50', '150.00', '152.50', '155.00', '157.50']);
    expect(strikesAround(612, 1)).toEqual(['600.00', '610.00', '620.00']);
    expect(strikesAround(3.2, 8)[0]).toBe('0.50');
    expect(strikesAround(150)).toHaveLength(21);
  });
});

describe('implied volatility', () => {
  const contract = { optionType: 'call' as const, spot: 150, strike: 155, years: 0.25, rate: 0.04 };

  it('gives back the volatility a Black–Scholes price was made with', () => {
    for (const volatility of [0.12, 0.35, 0.9]) {
      const price = blackScholes({ ...contract, volatility });
      expect(impliedVolatility({ ...contract, price })).toBeCloseTo(volatility, 6);
    }
  });

  it('is null for a price no volatility reaches, or without time left', () => {
    expect(impliedVolatility({ ...contract, price: 0 })).toBeNull();
    expect(impliedVolatility({ ...contract, price: 200 })).toBeNull();
    expect(impliedVolatility({ ...contract, years: 0, price: 3 })).toBeNull();
  });
});
