import { sql } from 'drizzle-orm';
import { enqueueMany } from '../../jobs/queue';
import type { ServiceContext } from '../context';
import type { CopyDeps } from './deps';
import { copyableTradeCondition } from './source-trade';

/**
 * Work younger than this is assumed to be in the hands of a live worker. Requeuing too early is
 * harmless (the fan-out is idempotent and claims keep copies from being sent twice), merely
 * wasted work.
 */
const GRACE_MS = 5_000;

/**
 * Finish fan-outs a dead worker left (run at worker start and every minute): traders' fills
 * with followers that were never fanned out (or not up to their latest fill), and copy orders
 * decided but never sent whose claim has expired. Each gets its fan-out job again (same key),
 * which is idempotent. Outside the position's queue: a worker that died holding a job keeps
 * that queue locked (graphile-worker frees it only hours later); the fan-out's own lock and its
 * catch-up of earlier fills keep the order without it.
 */
export async function recoverFanOuts({
  ctx,
  deps,
}: {
  ctx: ServiceContext;
  deps: CopyDeps;
}): Promise<{ requeued: number }> {
  const now = ctx.now();
  const settledBefore = new Date(now.getTime() - GRACE_MS).toISOString();
  const claimExpiredBefore = new Date(now.getTime() - deps.copy.claimTimeoutMs).toISOString();
  const dayAgo = new Date(now.getTime() - 24 * 3600_000).toISOString();
  const { rows } = await ctx.db.execute<{ trade_id: string }>(sql`
    SELECT DISTINCT c.source_trade_id AS trade_id
      FROM trades c
     WHERE c.source = 'copy' AND c.status = 'pending' AND c.broker_order_id IS NULL
       AND c.created_at < ${settledBefore}::timestamp
       AND (c.submitted_at IS NULL OR c.submitted_at < ${claimExpiredBefore}::timestamp)
    UNION
    SELECT t.id
      FROM trades t LEFT JOIN copy_fan_outs f ON f.trade_id = t.id
     WHERE ${copyableTradeCondition('t')}
       AND t.updated_at > ${dayAgo}::timestamp AND t.updated_at < ${settledBefore}::timestamp
       AND (f.copied_seq IS NULL OR f.copied_seq < t.fill_seq)
       AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.trader_id = t.user_id AND s.status = 'active'
                      AND s.created_at < t.updated_at)`);
  await enqueueMany(
    ctx.db,
    'fan-out-copies',
    rows.map((r) => ({ tradeId: r.trade_id })),
  );
  return { requeued: rows.length };
}
