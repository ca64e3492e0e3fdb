import { sql } from 'drizzle-orm';
import type { ServiceContext } from '../context';

/** Copies still waiting for approval when their window ends lapse (PRODUCT.md §3). Run every minute. */
export async function lapseApprovals({ ctx }: { ctx: ServiceContext }): Promise<{ lapsed: number }> {
  const now = ctx.now().toISOString();
  const { rows } = await ctx.db.execute<{ id: string }>(sql`
    UPDATE subscription_trades
       SET outcome = 'lapsed', reason = 'not_approved_in_time', decided_at = ${now}::timestamp
     WHERE outcome = 'pending_approval' AND expires_at <= ${now}::timestamp
    RETURNING id`);
  return { lapsed: rows.length };
}
