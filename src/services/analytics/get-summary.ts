import { z } from 'zod';
import type { AnalyticsSource } from '../../domain/analytics';
import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import { analyticsAsOf, sourceSchema } from './sql';
import { loadStatistics, type Statistics } from './statistics';

export const summaryQuerySchema = z.object({ source: sourceSchema });

/**
 * The signed-in user's figures (PRODUCT.md §5) for all their positions, those they opened, or
 * those opened by copies. Read from the materialized views: as of `asOf`.
 */
export async function getAnalyticsSummary({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: unknown;
}): Promise<{ source: AnalyticsSource; asOf: string | null; statistics: Statistics }> {
  const userId = requireUser(ctx);
  const { source } = parseInput(summaryQuerySchema, input ?? {});
  const [statistics, asOf] = await Promise.all([
    loadStatistics(ctx.db, userId, source),
    analyticsAsOf(ctx.db),
  ]);
  return { source, asOf, statistics };
}
