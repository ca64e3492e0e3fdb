/**
 * Market data: which option contracts are listed and what they trade at. A port of its own,
 * apart from the Broker port: prices are read by people browsing a chain who may have no
 * account at all, and their source (the paper model today, a data vendor later) need not be the
 * broker an order goes to.
 */
import type { IsoDate } from '../domain/civil-date';
import type { OptionType } from '../domain/occ';

/** One contract's prices per share, as decimal strings in cents. */
export type ContractQuote = {
  /** The padded OCC symbol. */
  symbol: string;
  bid: string;
  ask: string;
  last: string;
};

export type ChainContract = ContractQuote & {
  optionType: OptionType;
  /** Annualised implied volatility of the mid (0.35 is 35 %), null when it cannot be implied. */
  impliedVolatility: number | null;
};

/** A listed strike with its call and put (null when that contract has no quote). */
export type ChainStrike = { strike: string; call: ChainContract | null; put: ChainContract | null };

export type Expiration = {
  date: IsoDate;
  /** The instant trading in it stops: the close (US/Eastern) of its last trading day. */
  expiresAt: Date;
};

export type OptionChain = {
  underlying: string;
  expiration: Expiration;
  /** The underlying's price the chain was read at, per share. */
  underlyingPrice: string;
  asOf: Date;
  strikes: ChainStrike[];
};

export interface MarketData {
  /** The expirations still trading at `at`, nearest first. */
  expirations(underlying: string, at: Date): Promise<Expiration[]>;
  /** The chain of one listed expiration; null when `expiration` is not listed (or expired). */
  chain(underlying: string, expiration: IsoDate, at: Date): Promise<OptionChain | null>;
  /** One contract's quote, null when it has none (expired, unknown). */
  quote(symbol: string, at: Date): Promise<ContractQuote | null>;
}
