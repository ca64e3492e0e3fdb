import { z } from 'zod';
import type { AnalyticsSource } from '../../domain/analytics';
import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import { sourceSchema } from './sql';
import { loadStatistics, type Statistics } from './statistics';

export const summaryQuerySchema = z.object({ source: sourceSchema });

/**
 * The signed-in user's figures (PRODUCT.md §5) for all their positions, those they opened, or
 * those opened by copies: current, as of `asOf` (now).
 */
export async function getAnalyticsSummary({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: unknown;
}): Promise<{ source: AnalyticsSource; asOf: string; statistics: Statistics }> {
  const userId = requireUser(ctx);
  const { source } = parseInput(summaryQuerySchema, input ?? {});
  const asOf = ctx.now().toISOString();
  return { source, asOf, statistics: await loadStatistics(ctx.db, userId, source) };
}
