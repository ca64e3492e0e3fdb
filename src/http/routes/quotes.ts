import { createRoute, z } from '@hono/zod-openapi';
import { OPTION_TYPES } from '../../domain/occ';
import { getOptionChain } from '../../services/market-data/get-option-chain';
import { getQuotes, MAX_QUOTED_SYMBOLS } from '../../services/market-data/get-quotes';
import { listExpirations } from '../../services/market-data/list-expirations';
import { type AppDeps, createRouter, serviceContext } from '../env';
import { errorResponses } from '../errors';
import { requireAuth } from '../middleware/require-auth';
import { SESSION_SECURITY } from '../openapi';
import { json, serialize } from './schemas';

const price = z.string().openapi({ description: 'Per share, in dollars', example: '2.45' });

const ContractQuoteSchema = z
  .object({
    symbol: z.string().openapi({ example: 'AAPL  270115C00150000' }),
    bid: price,
    ask: price,
    last: price,
  })
  .openapi('ContractQuote');

const ChainContractSchema = ContractQuoteSchema.extend({
  optionType: z.enum(OPTION_TYPES),
  impliedVolatility: z
    .number()
    .nullable()
    .openapi({ description: 'Annualised implied volatility of the mid (0.35 is 35 %)', example: 0.35 }),
}).openapi('ChainContract');

const ExpirationSchema = z
  .object({
    date: z.string().openapi({ format: 'date', example: '2027-01-15' }),
    expiresAt: z.string().openapi({
      format: 'date-time',
      description: 'When trading stops: the close (US/Eastern) of its last day',
    }),
  })
  .openapi('Expiration');

const OptionChainSchema = z
  .object({
    underlying: z.string(),
    expiration: ExpirationSchema,
    underlyingPrice: price,
    asOf: z.string().openapi({ format: 'date-time' }),
    strikes: z.array(
      z.object({
        strike: z.string().openapi({ example: '150.00' }),
        call: ChainContractSchema.nullable(),
        put: ChainContractSchema.nullable(),
      }),
    ),
  })
  .openapi('OptionChain');

const underlyingParam = z.string().openapi({ description: '1 to 6 letters', example: 'AAPL' });

export function quotesRouter(deps: AppDeps) {
  const auth = requireAuth(deps);
  const common = { tags: ['market data'], security: SESSION_SECURITY };

  const expirations = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'get',
    path: '/quotes/expirations',
    operationId: 'listExpirations',
    summary: "The expirations of an underlying's options still trading, nearest first",
    request: { query: z.object({ underlying: underlyingParam }) },
    responses: {
      200: json(
        z.object({ underlying: z.string(), expirations: z.array(ExpirationSchema) }),
        'Standard weekly, monthly and January expirations',
      ),
      ...errorResponses('VALIDATION', 'UNAUTHENTICATED'),
    },
  });
  const chain = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'get',
    path: '/quotes/chain',
    operationId: 'getOptionChain',
    summary: 'The option chain of one expiration: calls and puts by strike, with bid, ask, last and IV',
    request: {
      query: z.object({
        underlying: underlyingParam,
        expiration: z.string().openapi({ format: 'date', description: 'One of the listed expirations' }),
      }),
    },
    responses: {
      200: json(OptionChainSchema, 'The chain, strikes lowest first'),
      ...errorResponses('VALIDATION', 'UNAUTHENTICATED'),
    },
  });
  const quotes = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'get',
    path: '/quotes',
    operationId: 'getQuotes',
    summary: 'Current quotes of several contracts (marks of positions)',
    request: {
      query: z.object({
        symbols: z.string().openapi({
          description: `Comma-separated OCC symbols, at most ${MAX_QUOTED_SYMBOLS}`,
          example: 'AAPL  270115C00150000',
        }),
      }),
    },
    responses: {
      200: json(
        z.object({ quotes: z.array(ContractQuoteSchema) }),
        'Quotes of the contracts that have one (an expired or unknown contract is left out)',
      ),
      ...errorResponses('VALIDATION', 'UNAUTHENTICATED'),
    },
  });

  return createRouter()
    .openapi(expirations, async (c) => {
      const found = await listExpirations({
        ctx: serviceContext(deps, c),
        deps: deps.trading,
        input: c.req.valid('query'),
      });
      return c.json(serialize(found), 200);
    })
    .openapi(chain, async (c) => {
      const found = await getOptionChain({
        ctx: serviceContext(deps, c),
        deps: deps.trading,
        input: c.req.valid('query'),
      });
      return c.json(serialize(found), 200);
    })
    .openapi(quotes, async (c) => {
      const found = await getQuotes({
        ctx: serviceContext(deps, c),
        deps: deps.trading,
        input: c.req.valid('query'),
      });
      return c.json(found, 200);
    });
}
