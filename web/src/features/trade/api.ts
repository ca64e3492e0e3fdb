import { queryOptions } from '@tanstack/react-query';
import { call, client, type Schemas } from '../../api/client';

export type OptionChain = Schemas['OptionChain'];
export type ChainContract = Schemas['ChainContract'];
export type ContractQuote = Schemas['ContractQuote'];
export type PlaceOrderInput = Schemas['PlaceOrder'];

export const marketKeys = {
  all: ['market'] as const,
  expirations: (underlying: string) => ['market', 'expirations', underlying] as const,
  chain: (underlying: string, expiration: string) => ['market', 'chain', underlying, expiration] as const,
  quotes: (symbols: readonly string[]) => ['market', 'quotes', [...symbols].sort().join(',')] as const,
};

export const expirationsQuery = (underlying: string) =>
  queryOptions({
    queryKey: marketKeys.expirations(underlying),
    queryFn: async () =>
      (await call(client.GET('/api/quotes/expirations', { params: { query: { underlying } } }))).expirations,
    staleTime: 5 * 60_000,
  });

export const chainQuery = (underlying: string, expiration: string) =>
  queryOptions({
    queryKey: marketKeys.chain(underlying, expiration),
    queryFn: () => call(client.GET('/api/quotes/chain', { params: { query: { underlying, expiration } } })),
  });

/** Quotes of the contracts held (their marks), one request for all. */
export const quotesQuery = (symbols: readonly string[]) =>
  queryOptions({
    queryKey: marketKeys.quotes(symbols),
    queryFn: async () => {
      const answer = await call(
        client.GET('/api/quotes', { params: { query: { symbols: symbols.join(',') } } }),
      );
      return new Map(answer.quotes.map((quote) => [quote.symbol, quote]));
    },
    enabled: symbols.length > 0,
  });

export const placeOrder = (body: PlaceOrderInput) => call(client.POST('/api/orders', { body }));
