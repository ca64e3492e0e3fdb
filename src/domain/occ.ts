/**
 * OCC option symbols: the 21-character identifier brokers use for a listed option contract.
 *
 *   AAPL  240119C00150000
 *   └root┘└date┘│└strike┘
 *   6 chars  YYMMDD  C/P  strike × 1000, 8 digits
 *
 * The root is the underlying, left-aligned and padded with spaces to 6 characters. Some brokers
 * drop the padding (`AAPL240119C00150000`); parsing accepts both, building always pads.
 */
import { formatIsoDate, type IsoDate, parseIsoDate } from './civil-date';
import { DomainValidationError, type Result, toResult } from './errors';
import { Dec, type Decimal, type DecimalInput, parseDecimal } from './money';

export const OPTION_TYPES = ['call', 'put'] as const;
export type OptionType = (typeof OPTION_TYPES)[number];

export interface OptionContract {
  /** 1–6 letters A–Z, uppercase. */
  underlying: string;
  optionType: OptionType;
  /** Normalised decimal without trailing zeros: '150', '0.5', '1234.5'. */
  strike: string;
  /** 'YYYY-MM-DD' */
  expiration: IsoDate;
}

export interface OptionContractInput {
  underlying: string;
  optionType: OptionType;
  strike: DecimalInput;
  expiration: IsoDate;
}

const ROOT_WIDTH = 6;
/** The strike field holds 8 digits of thousandths, so strikes stop just below 100000. */
export const OCC_STRIKE_LIMIT = 100_000;
const STRIKE_LIMIT = new Dec(OCC_STRIKE_LIMIT);
/** OCC carries a two-digit year: the expirations a symbol can name. */
export const OCC_YEARS = { first: 2000, last: 2099 } as const;
const STRIKE_DECIMALS = 3;
const UNDERLYING_PATTERN = /^[A-Z]{1,6}$/;
// Root letters, then optional padding, then the fixed 15-character tail. Letters and digits never
// mix, so the boundary between root and date is unambiguous even without padding.
const SYMBOL_PATTERN = /^([A-Z]{1,6})( *)(\d{2})(\d{2})(\d{2})([CP])(\d{8})$/;

/** Uppercases and checks an underlying symbol. */
export function normalizeUnderlying(underlying: string): string {
  const upper = underlying.toUpperCase();
  if (!UNDERLYING_PATTERN.test(upper)) {
    throw new DomainValidationError('underlying', `underlying must be 1–6 letters A–Z, got '${underlying}'`);
  }
  return upper;
}

/** Checks a strike (0 < strike < 100000, at most 3 decimals) and returns it as a decimal. */
export function parseStrike(strike: DecimalInput): Decimal {
  const value = parseDecimal(strike, { field: 'strike', sign: 'positive', maxDecimals: STRIKE_DECIMALS });
  if (value.gte(STRIKE_LIMIT)) {
    throw new DomainValidationError('strike', 'strike must be less than 100000');
  }
  return value;
}

/** The canonical text of a strike: '150', '0.5', '1234.5' (no exponent, no trailing zeros). */
export function normalizeStrike(strike: DecimalInput): string {
  return parseStrike(strike).toFixed();
}

/** OCC carries a two-digit year, so only expirations in 2000–2099 survive a round trip. */
function parseExpiration(expiration: string): { year: number; month: number; day: number } {
  const date = parseIsoDate(expiration, 'expiration');
  if (date.year < OCC_YEARS.first || date.year > OCC_YEARS.last) {
    throw new DomainValidationError(
      'expiration',
      `expiration must be in the years ${OCC_YEARS.first}–${OCC_YEARS.last}`,
    );
  }
  return date;
}

function validateOptionType(optionType: string): OptionType {
  if (optionType === 'call' || optionType === 'put') return optionType;
  throw new DomainValidationError('optionType', `optionType must be 'call' or 'put', got '${optionType}'`);
}

/** Validates and normalises a contract description. Throws `DomainValidationError`. */
export function normalizeContract(input: OptionContractInput): OptionContract {
  const underlying = normalizeUnderlying(input.underlying);
  const optionType = validateOptionType(input.optionType);
  const strike = parseStrike(input.strike).toFixed();
  const expiration = formatIsoDate(parseExpiration(input.expiration));
  return { underlying, optionType, strike, expiration };
}

/** Builds the padded 21-character symbol. Throws `DomainValidationError` naming the field. */
export function buildOccSymbol(input: OptionContractInput): string {
  const contract = normalizeContract(input);
  const { year, month, day } = parseExpiration(contract.expiration);
  const yymmdd = [year % 100, month, day].map((part) => String(part).padStart(2, '0')).join('');
  const side = contract.optionType === 'call' ? 'C' : 'P';
  // Exact: the strike has at most 3 decimals, so × 1000 is a whole number below 10^8.
  const thousandths = new Dec(contract.strike).times(1000).toFixed(0).padStart(8, '0');
  return `${contract.underlying.padEnd(ROOT_WIDTH, ' ')}${yymmdd}${side}${thousandths}`;
}

export function safeBuildOccSymbol(input: OptionContractInput): Result<string> {
  return toResult(() => buildOccSymbol(input));
}

/**
 * Parses a padded or compact OCC symbol. Partial padding (`AAPL 240119…`) is refused: it is
 * neither form, and usually means the symbol was mangled on the way in. Throws
 * `DomainValidationError` with field `symbol`, `expiration` or `strike`.
 */
export function parseOccSymbol(symbol: string): OptionContract {
  const match = SYMBOL_PATTERN.exec(symbol);
  if (!match) {
    throw new DomainValidationError('symbol', `not an OCC option symbol: '${symbol}'`);
  }
  const [, root = '', padding = '', yy = '', mm = '', dd = '', side = '', thousandths = ''] = match;
  if (padding.length !== 0 && root.length + padding.length !== ROOT_WIDTH) {
    throw new DomainValidationError(
      'symbol',
      `OCC root must be padded to ${ROOT_WIDTH} characters: '${symbol}'`,
    );
  }
  const expiration = `20${yy}-${mm}-${dd}`;
  parseIsoDate(expiration, 'expiration');
  const strike = new Dec(thousandths).dividedBy(1000);
  if (strike.isZero()) throw new DomainValidationError('strike', 'strike must be greater than 0');
  return {
    underlying: root,
    optionType: side === 'C' ? 'call' : 'put',
    strike: strike.toFixed(),
    expiration,
  };
}

export function safeParseOccSymbol(symbol: string): Result<OptionContract> {
  return toResult(() => parseOccSymbol(symbol));
}
