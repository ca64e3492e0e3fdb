/**
 * Quotes for the paper broker.
 *
 * `createQuoteModel` simulates a market that is deterministic under a seed: the same seed and
 * instant always give the same quote, on any machine, without any state. `createFixedQuotes` is
 * the hand-set source for tests, with an optional per-symbol liquidity to exercise partial fills.
 *
 * A source returns `null` when a contract has no quote (it expired, or the symbol is unknown to
 * it): a missing quote is an expected outcome the broker turns into a rejection, not a bug.
 */
import { expiryInstant } from '../../domain/market-calendar';
import { Dec, type Decimal, parseDecimal, toCents } from '../../domain/money';
import { buildOccSymbol, type OptionType, safeParseOccSymbol } from '../../domain/occ';
import type { Quote } from '../port';

export type PaperQuote = Quote & {
  /**
   * Contracts available on each side per evaluation of the book; undefined means unlimited.
   * The broker fills at most this many contracts of a symbol and side each time it looks.
   */
  size?: number;
};

export interface QuoteSource {
  /** The quote at `at`, or null when the contract has none (expired, unknown symbol). */
  quote(symbol: string, at: Date): PaperQuote | null;
}

/** The padded OCC form of a symbol when it parses; the input unchanged otherwise. */
export function canonicalSymbol(symbol: string): string {
  const parsed = safeParseOccSymbol(symbol);
  return parsed.ok ? buildOccSymbol(parsed.value) : symbol;
}

// ---- Ticks and spread ------------------------------------------------------------------------

const PENNY = new Dec('0.01');
const NICKEL = new Dec('0.05');
const PENNY_LIMIT = new Dec(3);
/** The spread is this share of the mid, and never less than a penny. */
const SPREAD_SHARE = new Dec('0.02');

/** Options quote in pennies below 3.00 and in nickels from 3.00 up. */
function tickAt(price: Decimal): Decimal {
  return price.lt(PENNY_LIMIT) ? PENNY : NICKEL;
}

function roundToTick(price: Decimal, direction: 'down' | 'up'): Decimal {
  const tick = tickAt(price);
  const steps = price.dividedBy(tick);
  return (direction === 'down' ? steps.floor() : steps.ceil()).times(tick);
}

/** Bid and ask around a mid: the bid rounds down, the ask up, and they never touch. */
export function quoteAroundMid(symbol: string, mid: Decimal): Quote {
  const halfSpread = Dec.max(PENNY, mid.times(SPREAD_SHARE)).dividedBy(2);
  const bid = Dec.max(PENNY, roundToTick(mid.minus(halfSpread), 'down'));
  let ask = roundToTick(mid.plus(halfSpread), 'up');
  if (ask.lte(bid)) ask = bid.plus(tickAt(bid));
  return { symbol, bid: toCents(bid), ask: toCents(ask), last: toCents(mid) };
}

// ---- Deterministic hashing -------------------------------------------------------------------

/** FNV-1a over UTF-16 code units, then murmur3's finaliser so nearby keys land far apart. */
function hash32(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform number in [0, 1) fixed by the key. */
function unit(key: string): number {
  return hash32(key) / 0x1_0000_0000;
}

/**
 * A standard-normal-like number fixed by the key: the sum of four uniforms, centred and scaled
 * to variance 1. Bounded (|z| < 3.47), so no single draw can throw the price far off.
 */
function gaussian(key: string): number {
  const sum = unit(`${key}/0`) + unit(`${key}/1`) + unit(`${key}/2`) + unit(`${key}/3`);
  return (sum - 2) * Math.sqrt(3);
}

// ---- Black–Scholes ---------------------------------------------------------------------------

/**
 * Complementary error function, Chebyshev fit with fractional error below 1.2e-7 everywhere
 * (Numerical Recipes' erfcc). Far finer than the cent the prices are rounded to.
 */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const value = t * Math.exp(-z * z + poly);
  return x >= 0 ? value : 2 - value;
}

/** Standard normal cumulative distribution. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

export type BlackScholesInput = {
  optionType: OptionType;
  spot: number;
  strike: number;
  /** Time to expiry in years; at or below 0 the value is intrinsic. */
  years: number;
  /** Continuously compounded risk-free rate, e.g. 0.04. */
  rate: number;
  /** Annualised volatility, e.g. 0.35. */
  volatility: number;
};

/** The Black–Scholes value of a European option on a stock without dividends, per share. */
export function blackScholes({
  optionType,
  spot,
  strike,
  years,
  rate,
  volatility,
}: BlackScholesInput): number {
  const intrinsic = optionType === 'call' ? Math.max(0, spot - strike) : Math.max(0, strike - spot);
  if (years <= 0 || volatility <= 0) return intrinsic;
  const deviation = volatility * Math.sqrt(years);
  const d1 = (Math.log(spot / strike) + (rate + (volatility * volatility) / 2) * years) / deviation;
  const d2 = d1 - deviation;
  const discountedStrike = strike * Math.exp(-rate * years);
  return optionType === 'call'
    ? spot * normalCdf(d1) - discountedStrike * normalCdf(d2)
    : discountedStrike * normalCdf(-d2) - spot * normalCdf(-d1);
}

/**
 * The volatility at which Black–Scholes gives `price`, by bisection (the value rises with
 * volatility, so the root is unique); null when no volatility in 0.1 %–500 % reaches the price,
 * as for a price at or below the option's intrinsic value or without time left.
 */
export function impliedVolatility(
  input: Omit<BlackScholesInput, 'volatility'> & { price: number },
): number | null {
  const { price, ...contract } = input;
  const valueAt = (volatility: number) => blackScholes({ ...contract, volatility });
  let low = 0.001;
  let high = 5;
  if (contract.years <= 0 || price <= valueAt(low) || price >= valueAt(high)) return null;
  // 60 halvings take the bracket far below the precision a percentage with one decimal shows.
  for (let step = 0; step < 60; step++) {
    const middle = (low + high) / 2;
    if (valueAt(middle) < price) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

// ---- The simulated market --------------------------------------------------------------------

const MINUTE_MS = 60_000;
const YEAR_MS = 365 * 24 * 60 * MINUTE_MS;
const MINUTES_PER_YEAR = YEAR_MS / MINUTE_MS;

/**
 * The time scales of the underlying's walk, in minutes: 1 minute up to about half a year, each
 * eight times the last.
 */
const WALK_SCALES = [1, 8, 64, 512, 4096, 32_768, 262_144] as const;

const MIN_START_PRICE = 20;
const MAX_START_PRICE = 500;
const MIN_VOLATILITY = 0.25;
const MAX_VOLATILITY = 0.45;

export type QuoteModelOptions = {
  seed: string | number;
  /** Risk-free rate used to price options; 4 % unless told. */
  rate?: number;
  /** One volatility for every ticker; by default each ticker draws its own, 25–45 %. */
  volatility?: number;
};

export interface QuoteModel extends QuoteSource {
  /** The simulated price of the underlying stock at `at` (constant within each minute). */
  underlyingPrice(ticker: string, at: Date): number;
  /** The volatility the model uses for a ticker, both for its walk and for pricing. */
  volatility(ticker: string): number;
  /** The risk-free rate it prices with. */
  readonly rate: number;
}

/**
 * A deterministic market: one simulated stock per ticker and Black–Scholes option prices on it.
 *
 * The stock starts at a price drawn from a hash of seed and ticker (log-uniform, 20–500) and
 * moves in one-minute steps. Rather than a walk iterated from some origin (cost growing with the
 * date, or state to keep), the log-price is a sum of value noise at seven time scales: at scale
 * L minutes, normal draws hashed from (seed, ticker, scale, knot) sit every L minutes and are
 * interpolated linearly between, with amplitude σ·√(L / minutes per year). Summing scales whose
 * amplitudes grow with the square root of their length is Lévy's construction of Brownian motion
 * in spirit: moves over a minute, an hour or a month have about the size a σ-volatility walk
 * would give them, yet any instant costs the same ~60 hashes, and the price stays within a band
 * around its start instead of drifting to zero over the years.
 */
export function createQuoteModel(options: QuoteModelOptions): QuoteModel {
  const seed = String(options.seed);
  const rate = options.rate ?? 0.04;

  const volatilityOf = (ticker: string): number =>
    options.volatility ?? MIN_VOLATILITY + (MAX_VOLATILITY - MIN_VOLATILITY) * unit(`${seed}|${ticker}|vol`);

  const underlyingPrice = (ticker: string, at: Date): number => {
    const start = MIN_START_PRICE * (MAX_START_PRICE / MIN_START_PRICE) ** unit(`${seed}|${ticker}|start`);
    const sigma = volatilityOf(ticker);
    const minute = Math.floor(at.getTime() / MINUTE_MS);
    let logMove = 0;
    for (const scale of WALK_SCALES) {
      const knot = Math.floor(minute / scale);
      const weight = (minute - knot * scale) / scale;
      const here = gaussian(`${seed}|${ticker}|${scale}|${knot}`);
      const next = weight === 0 ? here : gaussian(`${seed}|${ticker}|${scale}|${knot + 1}`);
      logMove += sigma * Math.sqrt(scale / MINUTES_PER_YEAR) * (here + (next - here) * weight);
    }
    return start * Math.exp(logMove);
  };

  return {
    underlyingPrice,
    volatility: volatilityOf,
    rate,
    quote(symbol, at) {
      const parsed = safeParseOccSymbol(symbol);
      if (!parsed.ok) return null;
      const contract = parsed.value;
      const msToExpiry = expiryInstant(contract.expiration).getTime() - at.getTime();
      if (msToExpiry <= 0) return null;
      const spot = underlyingPrice(contract.underlying, at);
      const strike = Number(contract.strike);
      const value = blackScholes({
        optionType: contract.optionType,
        spot,
        strike,
        years: msToExpiry / YEAR_MS,
        rate,
        volatility: volatilityOf(contract.underlying),
      });
      const intrinsic = contract.optionType === 'call' ? spot - strike : strike - spot;
      // Floats stop here: the mid is fixed to 6 decimals and everything after is decimal.
      const mid = Dec.max(PENNY, new Dec(Math.max(value, intrinsic, 0).toFixed(6)));
      return quoteAroundMid(buildOccSymbol(contract), mid);
    },
  };
}

// ---- Hand-set quotes for tests ---------------------------------------------------------------

export type FixedQuoteInput = {
  bid: string;
  ask: string;
  /** Defaults to the mid of bid and ask. */
  last?: string;
  /** Contracts that can fill per evaluation on each side; unlimited when absent. */
  size?: number;
};

export interface FixedQuotes extends QuoteSource {
  /** Set (or replace) the quote of a symbol, valid at any time until changed. */
  set(symbol: string, input: FixedQuoteInput): void;
  /** Remove a symbol's quote: it then has none. */
  remove(symbol: string): void;
}

/** Quotes are in cents: a third decimal would be rounded away silently, so it is refused. */
function parseQuotePrice(value: string, field: string): Decimal {
  return parseDecimal(value, { field, sign: 'nonNegative', maxDecimals: 2 });
}

/** Quotes set by hand. A symbol never set has no quote. Symbols match padded or compact. */
export function createFixedQuotes(initial: Record<string, FixedQuoteInput> = {}): FixedQuotes {
  const book = new Map<string, PaperQuote>();

  const set = (symbol: string, input: FixedQuoteInput): void => {
    const bid = parseQuotePrice(input.bid, 'bid');
    const ask = parseQuotePrice(input.ask, 'ask');
    if (ask.lt(bid)) throw new RangeError(`ask ${input.ask} is below bid ${input.bid} for ${symbol}`);
    if (input.size !== undefined && (!Number.isSafeInteger(input.size) || input.size < 0)) {
      throw new RangeError(`size must be a whole number ≥ 0, got ${input.size}`);
    }
    const key = canonicalSymbol(symbol);
    const last = input.last === undefined ? bid.plus(ask).dividedBy(2) : parseQuotePrice(input.last, 'last');
    const quote: PaperQuote = { symbol: key, bid: toCents(bid), ask: toCents(ask), last: toCents(last) };
    if (input.size !== undefined) quote.size = input.size;
    book.set(key, quote);
  };

  for (const [symbol, input] of Object.entries(initial)) set(symbol, input);

  return {
    set,
    remove(symbol) {
      book.delete(canonicalSymbol(symbol));
    },
    quote(symbol) {
      const quote = book.get(canonicalSymbol(symbol));
      return quote ? { ...quote } : null;
    },
  };
}
