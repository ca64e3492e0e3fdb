import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { DomainValidationError } from '../../src/domain/errors';
import {
  CONTRACT_MULTIPLIER,
  Dec,
  orderNotional,
  parseDecimal,
  parsePrice,
  roundHalfUp,
  safeParseDecimal,
  safeParsePrice,
  toCents,
  toFixedString,
  toPriceString,
} from '../../src/domain/money';

function fieldOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainValidationError) return error.field;
    throw error;
  }
  return undefined;
}

describe('configuration', () => {
  it('multiplies by 100 shares per contract', () => {
    expect(CONTRACT_MULTIPLIER).toBe(100);
  });

  it('keeps its precision and rounding local, leaving the global Decimal alone', () => {
    expect(Dec.precision).toBe(40);
    expect(Dec.rounding).toBe(Decimal.ROUND_HALF_UP);
    expect(Decimal.precision).toBe(20);
    expect(Decimal.rounding).toBe(Decimal.ROUND_HALF_UP);
    expect(new Dec(1).dividedBy(3).toString()).toHaveLength(42);
  });

  it('does decimal arithmetic exactly where floats do not', () => {
    expect(new Dec('0.1').plus('0.2').toString()).toBe('0.3');
    expect(new Dec(10).times('0.3').toString()).toBe('3');
  });
});

describe('parseDecimal()', () => {
  it.each([
    ['2.50', '2.5'],
    ['  3 ', '3'],
    ['-1.25', '-1.25'],
    ['+4', '4'],
    ['.5', '0.5'],
    ['7.', '7'],
    ['0.0001', '0.0001'],
    ['123456789012345678901234.5', '123456789012345678901234.5'],
  ])('parses %j', (input, expected) => {
    expect(parseDecimal(input).toFixed()).toBe(expected);
  });

  it.each(['', ' ', 'abc', 'NaN', 'Infinity', '-Infinity', '1e3', '0x10', '1,5', '1.2.3', '--1', '$2'])(
    'refuses %j',
    (input) => {
      expect(fieldOf(() => parseDecimal(input, { field: 'limitPrice' }))).toBe('limitPrice');
    },
  );

  it('accepts finite Decimals and refuses NaN and Infinity ones', () => {
    expect(parseDecimal(new Decimal('1.5')).toFixed()).toBe('1.5');
    expect(() => parseDecimal(new Decimal(Number.NaN))).toThrow(DomainValidationError);
    expect(() => parseDecimal(new Decimal(Number.POSITIVE_INFINITY))).toThrow(DomainValidationError);
  });

  it('refuses a float passed by an untyped caller', () => {
    expect(() => parseDecimal(1.5 as unknown as string)).toThrow(DomainValidationError);
  });

  it('applies sign rules', () => {
    expect(parseDecimal('-1', { sign: 'any' }).toFixed()).toBe('-1');
    expect(fieldOf(() => parseDecimal('-0.01', { field: 'price', sign: 'nonNegative' }))).toBe('price');
    expect(parseDecimal('0', { sign: 'nonNegative' }).toFixed()).toBe('0');
    expect(fieldOf(() => parseDecimal('0', { field: 'strike', sign: 'positive' }))).toBe('strike');
    expect(parseDecimal('0.001', { sign: 'positive' }).toFixed()).toBe('0.001');
  });

  it('normalises negative zero', () => {
    const zero = parseDecimal('-0', { sign: 'nonNegative' });
    expect(zero.isNegative()).toBe(false);
    expect(toCents(zero)).toBe('0.00');
  });

  it('limits decimal places without counting trailing zeros', () => {
    expect(parseDecimal('1.2300', { maxDecimals: 2 }).toFixed()).toBe('1.23');
    expect(() => parseDecimal('1.234', { maxDecimals: 2 })).toThrow(/at most 2 decimal places/);
  });

  it('has a Result variant', () => {
    expect(safeParseDecimal('1.5')).toMatchObject({ ok: true });
    const failed = safeParseDecimal('x', { field: 'amount' });
    expect(failed.ok).toBe(false);
    if (!failed.ok) expect(failed.error.field).toBe('amount');
  });
});

describe('parsePrice()', () => {
  it('accepts zero and positive prices', () => {
    expect(parsePrice('0').toFixed()).toBe('0');
    expect(parsePrice('2.5000').toFixed()).toBe('2.5');
  });

  it('refuses negative and malformed prices with the field named', () => {
    expect(fieldOf(() => parsePrice('-2.5'))).toBe('price');
    expect(fieldOf(() => parsePrice('NaN', 'filledPrice'))).toBe('filledPrice');
    expect(safeParsePrice('Infinity').ok).toBe(false);
    expect(safeParsePrice('1.25').ok).toBe(true);
  });
});

describe('rounding and formatting', () => {
  it.each([
    ['12.345', '12.35'],
    ['12.344999', '12.34'],
    ['-12.345', '-12.35'],
    ['0.005', '0.01'],
    ['-0.005', '-0.01'],
    ['-0.004', '0.00'],
    ['2500', '2500.00'],
    ['0', '0.00'],
  ])('toCents(%s) = %s (half away from zero, like PostgreSQL round)', (input, expected) => {
    expect(toCents(input)).toBe(expected);
  });

  it.each([
    ['2.5', '2.5000'],
    ['1.23455', '1.2346'],
    ['1.23454', '1.2345'],
    ['0', '0.0000'],
  ])('toPriceString(%s) = %s', (input, expected) => {
    expect(toPriceString(input)).toBe(expected);
  });

  it('rounds to any number of places', () => {
    expect(roundHalfUp('2.5', 0).toFixed()).toBe('3');
    expect(roundHalfUp('-2.5', 0).toFixed()).toBe('-3');
    expect(toFixedString(new Dec(1).dividedBy(3), 6)).toBe('0.333333');
    expect(toFixedString('123456789.123456789', 2)).toBe('123456789.12');
  });
});

describe('orderNotional()', () => {
  it('is quantity × price × 100, exactly', () => {
    expect(orderNotional({ quantity: 10, price: '2.50' }).toFixed()).toBe('2500');
    expect(orderNotional({ quantity: 3, price: '0.0333' }).toFixed()).toBe('9.99');
    expect(orderNotional({ quantity: 1000, price: '99999.9999' }).toFixed()).toBe('9999999990');
    expect(orderNotional({ quantity: 0, price: '5' }).toFixed()).toBe('0');
  });

  it('refuses fractional quantities and negative prices', () => {
    expect(fieldOf(() => orderNotional({ quantity: 1.5, price: '1' }))).toBe('quantity');
    expect(fieldOf(() => orderNotional({ quantity: -1, price: '1' }))).toBe('quantity');
    expect(fieldOf(() => orderNotional({ quantity: 1, price: '-1' }))).toBe('price');
  });
});
