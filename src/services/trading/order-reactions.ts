/** What the trading area does when orders change (registered in src/services/order-reactions.ts). */
import { sql } from 'drizzle-orm';
import { sqlSet } from '../../db/sql-sets';
import { isTerminalStatus, isWorkingOrderStatus, WORKING_ORDER_STATUSES } from '../../domain/order-status';
import type { JobName, JobPayload } from '../../jobs/catalogue';
import { enqueueMany } from '../../jobs/queue';
import { inBatches } from '../batches';
import { notifyOrderUpdatesIn } from '../notifications/notify-order-update';
import type { Transaction } from '../transaction';
import type { ChangedOrder, OrderReaction } from './order-change';

/**
 * Orders per follow-up job: a fan-out's thousands of fills make a handful of jobs, not
 * thousands (each notifies and refreshes balances in turn).
 */
const FOLLOW_UP_BATCH = 500;

/** One job per batch of the orders whose status changed. */
async function enqueuePerBatch<N extends JobName>(
  tx: Transaction,
  name: N,
  orders: readonly ChangedOrder[],
  payload: (batch: ChangedOrder[]) => JobPayload<N>,
): Promise<void> {
  const changed = orders.filter((o) => o.changes.length > 0);
  await enqueueMany(tx, name, inBatches(changed, FOLLOW_UP_BATCH).map(payload));
}

/** A position opened by an order that never filled, with nothing else on it, never existed. */
export const cancelEmptyPositions: OrderReaction = {
  name: 'cancel-empty-positions',
  async react({ tx, ctx, orders }) {
    const emptyBuys = orders
      .map((o) => o.after)
      .filter((r) => r.action === 'buy' && isTerminalStatus(r.status) && (r.filledQuantity ?? 0) === 0);
    if (emptyBuys.length === 0) return;
    await tx.execute(sql`
      UPDATE parent_trades p SET status = 'cancelled', closed_at = ${ctx.now().toISOString()}::timestamp
       WHERE p.id = ANY(${sql.param(emptyBuys.map((r) => r.parentTradeId))}::text[])
         AND p.status = 'open'
         AND NOT EXISTS (SELECT 1 FROM trades o WHERE o.parent_trade_id = p.id
                           AND (o.filled_quantity > 0 OR o.status IN ${sqlSet(WORKING_ORDER_STATUSES)}))`);
  },
};

/**
 * Tell each order's owner what happened to it, in the transaction that changed the orders: one
 * read and one insert however many changed, and no job to queue, claim and complete for each.
 */
export const notifyOrderChanges: OrderReaction = {
  name: 'notify-order-changes',
  react: ({ tx, ctx, orders }) =>
    notifyOrderUpdatesIn({
      tx,
      ctx,
      input: {
        updates: orders
          .filter((o) => o.changes.length > 0)
          .map((o) => ({
            tradeId: o.after.id,
            changes: o.changes.map((c) => c.type),
            ...(o.position ? { known: { trade: o.after, position: o.position } } : {}),
          })),
      },
    }),
};

/** Cash and buying power moved (or a reservation ended): refresh each account's cached balances. */
export const refreshBalances: OrderReaction = {
  name: 'refresh-balances',
  react: ({ tx, orders }) =>
    enqueuePerBatch(tx, 'sync-account-balances', orders, (batch) => ({
      accountIds: [...new Set(batch.map((o) => o.after.accountId))],
    })),
};

/** Keep polling while orders work; the job's key keeps one waiting sync per account. */
export const scheduleOrderSync: OrderReaction = {
  name: 'schedule-order-sync',
  async react({ tx, ctx, orders }) {
    const accountIds = new Set(
      orders.filter((o) => isWorkingOrderStatus(o.after.status)).map((o) => o.after.accountId),
    );
    await enqueueMany(
      tx,
      'sync-account-orders',
      [...accountIds].map((accountId) => ({ accountId })),
      { now: ctx.now() },
    );
  },
};
