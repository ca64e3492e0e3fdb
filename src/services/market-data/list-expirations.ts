import { z } from 'zod';
import type { Expiration } from '../../market-data/port';
import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import type { TradingDeps } from '../trading/deps';
import { underlyingSchema } from './underlying';

const inputSchema = z.object({ underlying: underlyingSchema });

/** The expirations of an underlying's options still trading now, nearest first. */
export async function listExpirations({
  ctx,
  deps,
  input,
}: {
  ctx: ServiceContext;
  deps: Pick<TradingDeps, 'marketData'>;
  input: unknown;
}): Promise<{ underlying: string; expirations: Expiration[] }> {
  requireUser(ctx);
  const { underlying } = parseInput(inputSchema, input);
  return { underlying, expirations: await deps.marketData.expirations(underlying, ctx.now()) };
}
