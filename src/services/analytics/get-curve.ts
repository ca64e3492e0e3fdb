import { z } from 'zod';
import type { AnalyticsSource } from '../../domain/analytics';
import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import { type CurvePoint, loadCurve } from './curve';
import { isoDateSchema, sourceSchema } from './sql';

export const curveQuerySchema = z.object({ source: sourceSchema, from: isoDateSchema, to: isoDateSchema });

/**
 * The signed-in user's cumulative realised P&L at the end of each Eastern day with a close,
 * and its drawdown; `from`/`to` keep only those days (the running total still starts at the
 * first close ever). Current, as of `asOf` (now).
 */
export async function getCumulativeCurve({ ctx, input }: { ctx: ServiceContext; input: unknown }): Promise<{
  source: AnalyticsSource;
  asOf: string;
  points: CurvePoint[];
}> {
  const userId = requireUser(ctx);
  const query = parseInput(curveQuerySchema, input ?? {});
  const asOf = ctx.now().toISOString();
  const points = await loadCurve(ctx.db, userId, query.source, { from: query.from, to: query.to });
  return { source: query.source, asOf, points };
}
