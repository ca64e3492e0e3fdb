import { z } from 'zod';
import { isIsoDate } from '../../domain/civil-date';
import { AppError } from '../../errors';
import type { OptionChain } from '../../market-data/port';
import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import type { TradingDeps } from '../trading/deps';
import { underlyingSchema } from './underlying';

const inputSchema = z.object({
  underlying: underlyingSchema,
  expiration: z
    .string('is required')
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
    .refine(isIsoDate, 'must be a real calendar date'),
});

/** The calls and puts of one listed expiration, strike by strike, with their quotes. */
export async function getOptionChain({
  ctx,
  deps,
  input,
}: {
  ctx: ServiceContext;
  deps: Pick<TradingDeps, 'marketData'>;
  input: unknown;
}): Promise<OptionChain> {
  requireUser(ctx);
  const { underlying, expiration } = parseInput(inputSchema, input);
  const chain = await deps.marketData.chain(underlying, expiration, ctx.now());
  // A well-formed date that is no listed expiration is the caller's input at fault, named so a
  // form can show it beside the field.
  if (!chain) {
    throw new AppError('VALIDATION', `${underlying} has no options expiring on ${expiration}`, {
      field: 'expiration',
    });
  }
  return chain;
}
