import { z } from 'zod';
import type { ContractQuote } from '../../market-data/port';
import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import type { TradingDeps } from '../trading/deps';

/** A page shows at most this many positions at once; their marks come in one request. */
export const MAX_QUOTED_SYMBOLS = 100;

const inputSchema = z.object({
  symbols: z
    .string('is required')
    .transform((value) => [
      ...new Set(
        value
          .split(',')
          .map((symbol) => symbol.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(
      z
        .array(z.string().max(32, 'each must be an OCC symbol'))
        .min(1, 'must name at least one symbol')
        .max(MAX_QUOTED_SYMBOLS, `must name at most ${MAX_QUOTED_SYMBOLS} symbols`),
    ),
});

/** Current quotes of several contracts (positions' marks); contracts without a quote are left out. */
export async function getQuotes({
  ctx,
  deps,
  input,
}: {
  ctx: ServiceContext;
  deps: Pick<TradingDeps, 'marketData'>;
  input: unknown;
}): Promise<{ quotes: ContractQuote[] }> {
  requireUser(ctx);
  const { symbols } = parseInput(inputSchema, input);
  const at = ctx.now();
  const found = await Promise.all(symbols.map((symbol) => deps.marketData.quote(symbol, at)));
  return { quotes: found.filter((quote): quote is ContractQuote => quote !== null) };
}
