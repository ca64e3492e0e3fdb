/**
 * The market as one operation of the paper broker sees it: one instant, one quote per symbol,
 * and the calendar answers that follow from them. Everything here is a pure function of the
 * instant and the quote source, remembered so that an operation touching many orders (a batch
 * of thousands) works each answer out once: the calendar rules cost microseconds per call.
 */
import type { IsoDate } from '../../domain/civil-date';
import { DomainValidationError } from '../../domain/errors';
import { expiryInstant } from '../../domain/market-calendar';
import { Dec, type Decimal } from '../../domain/money';
import { buildOccSymbol, type OptionContract, safeParseOccSymbol } from '../../domain/occ';
import { dayOrderDeadline } from './fill-rules';
import type { PaperQuote, QuoteSource } from './quotes';

/** A symbol read as an OCC contract, with its padded form; null when it does not parse. */
export type ParsedSymbol = { contract: OptionContract; canonical: string } | null;

export class MarketView {
  private readonly quotes = new Map<string, PaperQuote | null>();
  private readonly prices = new Map<string, Decimal>();
  private readonly symbols = new Map<string, ParsedSymbol>();
  private readonly expiries = new Map<string, Date>();
  private readonly deadlines = new Map<number, Date>();

  constructor(
    readonly now: Date,
    private readonly source: QuoteSource,
  ) {}

  /** The quote of `symbol` at `now`; the same answer every time within the operation. */
  quote(symbol: string): PaperQuote | null {
    let quote = this.quotes.get(symbol);
    if (quote === undefined) {
      quote = this.source.quote(symbol, this.now);
      this.quotes.set(symbol, quote);
    }
    return quote;
  }

  /** A decimal price string as a Decimal, parsed once (quotes repeat the same few prices). */
  price(value: string): Decimal {
    let price = this.prices.get(value);
    if (price === undefined) {
      price = new Dec(value);
      this.prices.set(value, price);
    }
    return price;
  }

  symbol(symbol: string): ParsedSymbol {
    let parsed = this.symbols.get(symbol);
    if (parsed === undefined) {
      const result = safeParseOccSymbol(symbol);
      parsed = result.ok ? { contract: result.value, canonical: buildOccSymbol(result.value) } : null;
      this.symbols.set(symbol, parsed);
    }
    return parsed;
  }

  /** When a contract expiring on `expiration` stops trading. */
  expiry(expiration: IsoDate): Date {
    let instant = this.expiries.get(expiration);
    if (instant === undefined) {
      instant = expiryInstant(expiration);
      this.expiries.set(expiration, instant);
    }
    return instant;
  }

  /** Whether a contract expiring on `expiration` no longer trades at `now` (`hasExpired`). */
  hasExpired(expiration: IsoDate): boolean {
    // As `hasExpired` does: a broken clock is a bug, not a market that never closes.
    if (Number.isNaN(this.now.getTime())) throw new DomainValidationError('now', 'now must be a valid Date');
    return this.now.getTime() >= this.expiry(expiration).getTime();
  }

  /** When a Day order placed at `placedAt` lapses (`dayOrderDeadline`). */
  dayOrderDeadline(placedAt: Date): Date {
    const key = placedAt.getTime();
    let deadline = this.deadlines.get(key);
    if (deadline === undefined) {
      deadline = dayOrderDeadline(placedAt);
      this.deadlines.set(key, deadline);
    }
    return deadline;
  }
}
