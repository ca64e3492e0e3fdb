/**
 * Market data from the paper broker's simulated market: the model gives the underlying's price
 * (and so the strikes listed around it), the paper broker's own quote source gives each
 * contract's prices, so a chain shows exactly what a paper order would fill at.
 */

import { impliedVolatility, type QuoteModel, type QuoteSource } from '../broker/paper/quotes';
import { easternDate, easternDayBounds, expiryInstant } from '../domain/market-calendar';
import { buildOccSymbol, type OptionType } from '../domain/occ';
import { standardExpirations, strikesAround } from '../domain/option-chain';
import type { ChainContract, ContractQuote, Expiration, MarketData } from './port';

const YEAR_MS = 365 * 24 * 60 * 60_000;

function listedExpirations(at: Date): Expiration[] {
  return standardExpirations(easternDate(at))
    .map((date) => ({ date, expiresAt: expiryInstant(date) }))
    .filter((expiration) => expiration.expiresAt.getTime() > at.getTime());
}

export function createPaperMarketData(options: { model: QuoteModel; quotes?: QuoteSource }): MarketData {
  const { model } = options;
  const quotes = options.quotes ?? model;

  const quote = (symbol: string, at: Date): ContractQuote | null => {
    const found = quotes.quote(symbol, at);
    return found ? { symbol: found.symbol, bid: found.bid, ask: found.ask, last: found.last } : null;
  };

  return {
    async expirations(underlying, at) {
      return underlying ? listedExpirations(at) : [];
    },

    async chain(underlying, expirationDate, at) {
      const expiration = listedExpirations(at).find((listed) => listed.date === expirationDate);
      if (!expiration) return null;
      const spot = model.underlyingPrice(underlying, at);
      // Strikes are listed around the day's opening price, so the grid holds still all day.
      const listingPrice = model.underlyingPrice(underlying, easternDayBounds(easternDate(at)).start);
      const years = (expiration.expiresAt.getTime() - at.getTime()) / YEAR_MS;
      const contract = (strike: string, optionType: OptionType): ChainContract | null => {
        const priced = quote(
          buildOccSymbol({ underlying, optionType, strike, expiration: expirationDate }),
          at,
        );
        if (!priced) return null;
        const mid = (Number(priced.bid) + Number(priced.ask)) / 2;
        const volatility = impliedVolatility({
          optionType,
          spot,
          strike: Number(strike),
          years,
          rate: model.rate,
          price: mid,
        });
        return { ...priced, optionType, impliedVolatility: volatility };
      };
      return {
        underlying,
        expiration,
        underlyingPrice: spot.toFixed(2),
        asOf: at,
        strikes: strikesAround(listingPrice).map((strike) => ({
          strike,
          call: contract(strike, 'call'),
          put: contract(strike, 'put'),
        })),
      };
    },

    async quote(symbol, at) {
      return quote(symbol, at);
    },
  };
}
