import { sql } from 'drizzle-orm';
import { sqlSet } from '../../db/sql-sets';
import { WORKING_ORDER_STATUSES } from '../../domain/order-status';
import { AppError } from '../../errors';
import type { ServiceContext } from '../context';
import { cancelOrder } from '../trading/cancel-order';
import type { CopyDeps } from './deps';

/**
 * The drift guard's time is up (PRODUCT.md §3): its Limit copies still working are cancelled at
 * the broker; a copy that filled nothing ends `price_drift` (see markDriftedCopies). An order
 * that filled meanwhile stays filled.
 */
export async function cancelDriftCopies({
  ctx,
  deps,
  input,
}: {
  ctx: ServiceContext;
  deps: CopyDeps;
  input: { tradeIds: string[] };
}): Promise<{ cancelled: number }> {
  const { rows } = await ctx.db.execute<{ id: string; user_id: string }>(sql`
    SELECT id, user_id FROM trades
     WHERE id = ANY(${sql.param(input.tradeIds)}::text[]) AND source = 'copy' AND order_type = 'Limit'
       AND status IN ${sqlSet(WORKING_ORDER_STATUSES)}`);
  let cancelled = 0;
  for (const row of rows) {
    try {
      await cancelOrder({
        ctx: { ...ctx, actor: { type: 'user', userId: row.user_id } },
        deps,
        input: { tradeId: row.id },
      });
      cancelled += 1;
    } catch (error) {
      // Filled or ended meanwhile: nothing to cancel. A broker out of reach fails the job (retried).
      if (!(error instanceof AppError && error.code === 'PRECONDITION_FAILED')) throw error;
    }
  }
  return { cancelled };
}
