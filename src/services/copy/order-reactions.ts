/** What the copy area does when orders change (registered in src/services/order-reactions.ts). */
import { sql } from 'drizzle-orm';
import { isCopyableOrder } from '../../domain/order-status';
import { enqueueMany } from '../../jobs/queue';
import type { OrderReaction } from '../trading/order-change';

/** A copy order the broker rejected fails its copy decision, with the broker's reason. */
export const markFailedCopies: OrderReaction = {
  name: 'mark-failed-copies',
  async react({ tx, ctx, orders }) {
    const failed = orders.map((o) => o.after).filter((r) => r.source === 'copy' && r.status === 'rejected');
    if (failed.length === 0) return;
    await tx.execute(sql`
      UPDATE subscription_trades st SET outcome = 'failed', reason = 'broker_rejected', detail = x.reason,
             decided_at = ${ctx.now().toISOString()}::timestamp
        FROM unnest(${sql.param(failed.map((r) => r.id))}::text[],
                    ${sql.param(failed.map((r) => r.statusReason))}::text[]) AS x(trade_id, reason)
       WHERE st.copy_trade_id = x.trade_id AND st.outcome IN ('executed', 'approved')`);
  },
};

/**
 * A drift guard's Limit copy cancelled with nothing filled ends its decision `price_drift`
 * (PRODUCT.md §3); the subscriber may retry it from the copy log.
 */
export const markDriftedCopies: OrderReaction = {
  name: 'mark-drifted-copies',
  async react({ tx, ctx, orders }) {
    const drifted = orders
      .map((o) => o.after)
      .filter(
        (r) =>
          r.source === 'copy' && r.orderType === 'Limit' && r.status === 'cancelled' && !r.filledQuantity,
      );
    if (drifted.length === 0) return;
    await tx.execute(sql`
      UPDATE subscription_trades SET outcome = 'skipped', reason = 'price_drift',
             decided_at = ${ctx.now().toISOString()}::timestamp
       WHERE copy_trade_id = ANY(${sql.param(drifted.map((r) => r.id))}::text[]) AND outcome IN ('executed', 'approved')`);
  },
};

/**
 * A trader's own order that has just filled (in part or in full) is copied to the trader's
 * active subscribers: one fan-out job per trade, in one queue per trader position so the
 * position's fills are fanned out in order (PRODUCT.md §3).
 */
export const fanOutCopyableTrades: OrderReaction = {
  name: 'fan-out-copyable-trades',
  async react({ tx, orders }) {
    const copyable = orders
      .filter(
        (o) =>
          isCopyableOrder(o.after) &&
          ((o.after.filledQuantity ?? 0) > (o.before.filledQuantity ?? 0) ||
            o.changes.some((c) => c.type === 'partially_filled' || c.type === 'filled')),
      )
      .map((o) => o.after);
    if (copyable.length === 0) return;
    const { rows: followed } = await tx.execute<{ trader_id: string }>(sql`
      SELECT DISTINCT trader_id FROM subscriptions
       WHERE trader_id = ANY(${sql.param(copyable.map((r) => r.userId))}::text[]) AND status = 'active'`);
    const traders = new Set(followed.map((f) => f.trader_id));
    await enqueueMany(
      tx,
      'fan-out-copies',
      copyable
        .filter((r) => traders.has(r.userId))
        .map((r) => ({ tradeId: r.id, positionId: r.parentTradeId })),
    );
  },
};
