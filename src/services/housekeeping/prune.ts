import { sql } from 'drizzle-orm';
import type { ServiceContext } from '../context';

/** Live events are kept this long for reconnects to replay (PRODUCT.md §4). */
export const LIVE_EVENT_RETENTION_MS = 24 * 60 * 60 * 1000;

/** Rows deleted per statement: short transactions, so pruning never holds up the writers. */
const PRUNE_BATCH = 5_000;

async function deleteInBatches(ctx: ServiceContext, statement: (limit: number) => ReturnType<typeof sql>) {
  let total = 0;
  for (;;) {
    const { rowCount } = await ctx.db.execute(statement(PRUNE_BATCH));
    total += rowCount ?? 0;
    if ((rowCount ?? 0) < PRUNE_BATCH) return total;
  }
}

/**
 * Housekeeping (PRODUCT.md §4, §6), run by a periodic job: rate-limit counters whose window has
 * ended (a new hit starts a fresh window anyway) and live events older than the replay window.
 */
export async function pruneHousekeeping({
  ctx,
}: {
  ctx: ServiceContext;
}): Promise<{ rateLimits: number; liveEvents: number }> {
  const now = ctx.now();
  const rateLimits = await deleteInBatches(
    ctx,
    (limit) => sql`
      DELETE FROM rate_limits WHERE key IN (
        SELECT key FROM rate_limits WHERE reset_at <= ${now.toISOString()}::timestamp LIMIT ${limit})`,
  );
  const before = new Date(now.getTime() - LIVE_EVENT_RETENTION_MS);
  const liveEvents = await deleteInBatches(
    ctx,
    (limit) => sql`
      DELETE FROM event_outbox WHERE id IN (
        SELECT id FROM event_outbox WHERE created_at < ${before.toISOString()}::timestamp LIMIT ${limit})`,
  );
  return { rateLimits, liveEvents };
}
