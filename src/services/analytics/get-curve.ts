import { z } from 'zod';
import type { AnalyticsSource } from '../../domain/analytics';
import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import { type CurvePoint, loadCurve } from './curve';
import { analyticsAsOf, isoDateSchema, sourceSchema } from './sql';

export const curveQuerySchema = z.object({ source: sourceSchema, from: isoDateSchema, to: isoDateSchema });

/**
 * The signed-in user's cumulative realised P&L at the end of each Eastern day with a close,
 * and its drawdown; `from`/`to` keep only those days (the running total still starts at the
 * first close ever).
 */
export async function getCumulativeCurve({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<{
  source: AnalyticsSource;
  asOf: string | null;
  points: CurvePoint[];
}> {
  const userId = requireUser(ctx);
  const query = parseInput(curveQuerySchema, input ?? {});
  const [points, asOf] = await Promise.all([
    loadCurve(ctx.db, userId, query.source, { from: query.from, to: query.to }),
    analyticsAsOf(ctx.db),
  ]);
  return { source: query.source, asOf, points };
}
