/**
 * Decimal helpers for money. Every price and amount is a decimal, never a float: PostgreSQL stores
 * them as `numeric`, Drizzle hands them over as strings, and this module turns them into decimals
 * with a private, high-precision configuration.
 */
import Decimal from 'decimal.js';
import { assertWholeNumber, DomainValidationError, type Result, toResult } from './errors';

export type { Decimal };

/** One option contract covers 100 shares; every money figure multiplies by it. */
export const CONTRACT_MULTIPLIER = 100;

/**
 * Our own Decimal constructor. A clone keeps the configuration local: mutating the global
 * `Decimal` would change the arithmetic of every other library that uses decimal.js.
 * 40 significant digits leave room for the widest product we form (quantity × price × 100 with
 * fractional averages) so that rounding only ever happens where we ask for it. ROUND_HALF_UP in
 * decimal.js rounds ties away from zero, like PostgreSQL's `round(numeric, n)`.
 */
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

export type DecimalInput = string | Decimal;

export type SignRule = 'any' | 'nonNegative' | 'positive';

export interface ParseDecimalOptions {
  /** The field reported when the value is refused. */
  field?: string;
  sign?: SignRule;
  /** Refuse values with more decimal places than this (trailing zeros do not count). */
  maxDecimals?: number;
}

// Plain decimal notation only: exponents ('1e3'), hex, 'NaN' and 'Infinity' are refused because
// no price we receive is written that way, and accepting them would hide a bug upstream.
const DECIMAL_PATTERN = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** Parses a decimal string (or re-wraps a Decimal), enforcing finiteness and the sign rule. */
export function parseDecimal(value: DecimalInput, options: ParseDecimalOptions = {}): Decimal {
  const field = options.field ?? 'value';
  let parsed: Decimal;
  if (typeof value === 'string') {
    const text = value.trim();
    if (!DECIMAL_PATTERN.test(text)) {
      throw new DomainValidationError(field, `${field} must be a decimal number, got '${value}'`);
    }
    parsed = new Dec(text);
  } else if (Decimal.isDecimal(value)) {
    if (!value.isFinite()) {
      throw new DomainValidationError(field, `${field} must be a finite number`);
    }
    parsed = new Dec(value);
  } else {
    // Only reachable from untyped callers; a float here would defeat the point of this module.
    throw new DomainValidationError(field, `${field} must be a decimal string`);
  }
  // '-0' parses to negative zero; normalise it so it never prints as '-0.00'.
  if (parsed.isZero()) parsed = new Dec(0);

  const sign = options.sign ?? 'any';
  if (sign === 'nonNegative' && parsed.lt(0)) {
    throw new DomainValidationError(field, `${field} must not be negative`);
  }
  if (sign === 'positive' && parsed.lte(0)) {
    throw new DomainValidationError(field, `${field} must be greater than 0`);
  }
  if (options.maxDecimals !== undefined && parsed.decimalPlaces() > options.maxDecimals) {
    throw new DomainValidationError(
      field,
      `${field} must have at most ${options.maxDecimals} decimal places`,
    );
  }
  return parsed;
}

export function safeParseDecimal(value: DecimalInput, options: ParseDecimalOptions = {}): Result<Decimal> {
  return toResult(() => parseDecimal(value, options));
}

/**
 * A price per share of an option. Zero is allowed: an expired contract closes at 0. Prices are
 * not rounded here; the database keeps 4 decimals, see `toPriceString`.
 */
export function parsePrice(value: DecimalInput, field = 'price'): Decimal {
  return parseDecimal(value, { field, sign: 'nonNegative' });
}

export function safeParsePrice(value: DecimalInput, field = 'price'): Result<Decimal> {
  return toResult(() => parsePrice(value, field));
}

/** Rounds to `places` decimals, ties away from zero, and never yields negative zero. */
export function roundHalfUp(value: DecimalInput, places: number): Decimal {
  const rounded = parseDecimal(value).toDecimalPlaces(places, Decimal.ROUND_HALF_UP);
  return rounded.isZero() ? new Dec(0) : rounded;
}

/** Fixed-point text with exactly `places` decimals ('-0.00' becomes '0.00', as in PostgreSQL). */
export function toFixedString(value: DecimalInput, places: number): string {
  return roundHalfUp(value, places).toFixed(places);
}

/** Dollars and cents: '12.35' for 12.345, '-12.35' for -12.345. */
export function toCents(value: DecimalInput): string {
  return toFixedString(value, 2);
}

/** A price as the database stores it (`numeric(10,4)`): '2.5000'. */
export function toPriceString(value: DecimalInput): string {
  return toFixedString(value, 4);
}

/** What an order of `quantity` contracts at `price` costs (or brings in), in dollars, unrounded. */
export function orderNotional(input: { quantity: number; price: DecimalInput }): Decimal {
  assertWholeNumber(input.quantity, 'quantity');
  const price = parsePrice(input.price);
  return price.times(input.quantity).times(CONTRACT_MULTIPLIER);
}
