import { sql } from 'drizzle-orm';
import type { BrokerOrder, BrokerOrderStatus } from '../../broker/port';
import { type Trade, trades } from '../../db/schema';
import {
  type OrderEvent,
  type OrderState,
  type TransitionResult,
  transition,
} from '../../domain/order-status';
import { enqueue, enqueueMany } from '../../jobs/queue';
import type { ServiceContext } from '../context';
import { inTransaction, type Transaction } from '../transaction';
import { ORDER_SYNC_INTERVAL_MS } from './deps';

/** What a broker says about one order, from a placement, a sync, a webhook or a refresh. */
export type OrderReport = {
  brokerOrderId?: string;
  status: BrokerOrderStatus;
  /** Cumulative. */
  filledQuantity: number;
  averageFillPrice: string | null;
  reason?: string;
};

export type OrderUpdateSource = 'placement' | 'sync' | 'webhook' | 'refresh' | 'cancel' | 'expiry';

export type OrderChange = {
  type: 'partially_filled' | 'filled' | 'cancelled' | 'rejected';
  from: string;
  to: string;
};

export type OrderUpdate = { tradeId: string; report: OrderReport; source: OrderUpdateSource };

export type OrderUpdateResult = { trade: Trade; changes: OrderChange[] };

export function reportFromBrokerOrder(order: BrokerOrder): OrderReport {
  return {
    brokerOrderId: order.brokerOrderId,
    status: order.status,
    filledQuantity: order.filledQuantity,
    averageFillPrice: order.averageFillPrice,
    reason: order.reason,
  };
}

/** The domain events a report implies for the current state: a new fill first, then the end. */
function eventsFor(report: OrderReport): OrderEvent[] {
  const events: OrderEvent[] = [];
  if (report.filledQuantity > 0 && report.averageFillPrice !== null) {
    events.push({
      type: 'fill',
      cumulativeFilledQuantity: report.filledQuantity,
      averagePrice: report.averageFillPrice,
    });
  }
  if (report.status === 'cancelled') events.push({ type: 'cancel', reason: report.reason });
  if (report.status === 'rejected')
    events.push({ type: 'reject', reason: report.reason ?? 'Rejected by the broker' });
  return events;
}

type Planned = {
  trade: Trade;
  update: OrderUpdate;
  state: OrderState;
  reason: string | null;
  changes: OrderChange[];
  newBrokerOrderId: string | undefined;
};

/** Pure: what a report does to an order (nothing, when it carries no news). */
function plan(trade: Trade, update: OrderUpdate, log: ServiceContext['log']): Planned {
  let state: OrderState = {
    status: trade.status,
    quantity: trade.quantity,
    filledQuantity: trade.filledQuantity ?? 0,
    filledPrice: trade.filledPrice,
  };
  let reason = trade.statusReason;
  const changes: OrderChange[] = [];
  for (const event of eventsFor(update.report)) {
    const result: TransitionResult = transition(state, event);
    if (result.kind === 'refused') {
      log.warn(
        { tradeId: trade.id, source: update.source, report: update.report, reason: result.message },
        'broker report refused by the order state machine',
      );
      continue;
    }
    if (result.kind === 'ignored') continue;
    changes.push({ type: result.eventType, from: state.status, to: result.next.status });
    state = { ...state, ...result.next };
    if (result.reason) reason = result.reason;
  }
  const reported = update.report.brokerOrderId;
  const newBrokerOrderId = reported && !trade.brokerOrderId ? reported : undefined;
  return { trade, update, state, reason, changes, newBrokerOrderId };
}

/** Orders per follow-up job. */
const FOLLOW_UP_BATCH = 500;

const isWorking = (status: string) => status === 'pending' || status === 'partial';
const isFinal = (status: string) => status === 'filled' || status === 'cancelled' || status === 'rejected';

/**
 * Bring orders up to date with broker reports: the only way an order's status changes. In one
 * transaction and a fixed number of statements however many orders: idempotent (a fill already
 * applied is ignored), every change appended to the order event log, follow-up work enqueued in
 * the same transaction (notification, balance refresh, next sync, and the copy fan-out when a
 * trader's own order reaches its final state with a fill).
 */
export async function applyOrderUpdates({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { updates: OrderUpdate[] };
}): Promise<OrderUpdateResult[]> {
  if (input.updates.length === 0) return [];
  return inTransaction(ctx, async (tx) => {
    const ids = input.updates.map((u) => u.tradeId);
    // Locked in id order: two batches over the same orders cannot deadlock.
    const rows = await tx
      .select()
      .from(trades)
      .where(sql`${trades.id} = ANY(${sql.param(ids)}::text[])`)
      .orderBy(trades.id)
      .for('update');
    const current = new Map<string, Trade>(rows.map((row) => [row.id, row]));
    const plans: Planned[] = [];
    for (const update of input.updates) {
      const trade = current.get(update.tradeId);
      if (!trade) throw new Error(`order ${update.tradeId} does not exist`);
      const planned = plan(trade, update, ctx.log);
      // Several reports for one order in a batch apply in turn.
      if (planned.changes.length > 0 || planned.newBrokerOrderId) {
        current.set(trade.id, applyPlan(planned, ctx.now()));
      }
      plans.push(planned);
    }
    const changed = plans.filter((p) => p.changes.length > 0 || p.newBrokerOrderId);
    if (changed.length > 0)
      await write(tx, ctx, [...new Map(changed.map((p) => [p.trade.id, p])).values()], current);
    return plans.map((p) => ({ trade: current.get(p.trade.id) ?? p.trade, changes: p.changes }));
  });
}

/** The row after a plan. */
function applyPlan(p: Planned, now: Date): Trade {
  return {
    ...p.trade,
    status: p.state.status,
    filledQuantity: p.state.filledQuantity,
    filledPrice: p.state.filledPrice ?? null,
    // The time of the first fill places the order in the position's fold.
    filledAt: p.trade.filledAt ?? (p.state.filledQuantity > 0 ? now : null),
    statusReason: p.reason,
    brokerOrderId: p.trade.brokerOrderId ?? p.newBrokerOrderId ?? null,
  };
}

async function write(tx: Transaction, ctx: ServiceContext, plans: Planned[], after: Map<string, Trade>) {
  const now = ctx.now();
  const rows = plans.map((p) => after.get(p.trade.id) ?? p.trade);
  await tx.execute(sql`
    UPDATE trades t SET
      status = x.status,
      filled_quantity = x.filled_quantity,
      filled_price = x.filled_price,
      filled_at = x.filled_at,
      status_reason = x.status_reason,
      broker_order_id = x.broker_order_id
    FROM unnest(
      ${sql.param(rows.map((r) => r.id))}::text[],
      ${sql.param(rows.map((r) => r.status))}::text[],
      ${sql.param(rows.map((r) => r.filledQuantity ?? 0))}::int[],
      ${sql.param(rows.map((r) => r.filledPrice))}::numeric[],
      ${sql.param(rows.map((r) => r.filledAt?.toISOString() ?? null))}::timestamp[],
      ${sql.param(rows.map((r) => r.statusReason))}::text[],
      ${sql.param(rows.map((r) => r.brokerOrderId))}::text[]
    ) AS x(id, status, filled_quantity, filled_price, filled_at, status_reason, broker_order_id)
    WHERE t.id = x.id`);

  const events = plans.flatMap((p) => {
    const row = after.get(p.trade.id) ?? p.trade;
    const detail = JSON.stringify({
      source: p.update.source,
      brokerOrderId: p.update.report.brokerOrderId ?? null,
      reason: p.update.report.reason ?? null,
    });
    const base = {
      tradeId: row.id,
      filledQuantity: row.filledQuantity ?? 0,
      filledPrice: row.filledPrice,
      detail,
    };
    return [
      ...(p.newBrokerOrderId
        ? [{ ...base, type: 'submitted', from: p.trade.status, to: p.trade.status, key: 'submitted' }]
        : []),
      ...p.changes.map((c) => ({
        ...base,
        type: c.type,
        from: c.from,
        to: c.to,
        key: `${c.type}:${row.filledQuantity ?? 0}`,
      })),
    ];
  });
  if (events.length > 0) {
    await tx.execute(sql`
      INSERT INTO order_events (trade_id, type, from_status, to_status, filled_quantity, filled_price, idempotency_key, detail, created_at)
      SELECT * FROM unnest(
        ${sql.param(events.map((e) => e.tradeId))}::text[],
        ${sql.param(events.map((e) => e.type))}::text[],
        ${sql.param(events.map((e) => e.from))}::text[],
        ${sql.param(events.map((e) => e.to))}::text[],
        ${sql.param(events.map((e) => e.filledQuantity))}::int[],
        ${sql.param(events.map((e) => e.filledPrice))}::numeric[],
        ${sql.param(events.map((e) => e.key))}::text[],
        ${sql.param(events.map((e) => e.detail))}::jsonb[],
        ${sql.param(events.map(() => now.toISOString()))}::timestamp[]
      )
      ON CONFLICT DO NOTHING`);
  }

  const ended = rows.filter(
    (r) => (r.status === 'cancelled' || r.status === 'rejected') && (r.filledQuantity ?? 0) === 0,
  );
  const emptyBuys = ended.filter((r) => r.action === 'buy');
  if (emptyBuys.length > 0) {
    // A position opened by an order that never filled, with nothing else on it, never existed.
    await tx.execute(sql`
      UPDATE parent_trades p SET status = 'cancelled', closed_at = ${now.toISOString()}::timestamp
       WHERE p.id = ANY(${sql.param(emptyBuys.map((r) => r.parentTradeId))}::text[])
         AND p.status = 'open'
         AND NOT EXISTS (SELECT 1 FROM trades o WHERE o.parent_trade_id = p.id
                           AND (o.filled_quantity > 0 OR o.status IN ('pending', 'partial')))`);
  }
  const failedCopies = rows.filter((r) => r.source === 'copy' && r.status === 'rejected');
  if (failedCopies.length > 0) {
    // The copy decision failed: its reason is the broker's.
    await tx.execute(sql`
      UPDATE subscription_trades st SET outcome = 'failed', reason = 'broker_rejected', detail = x.reason,
             decided_at = ${now.toISOString()}::timestamp
        FROM unnest(${sql.param(failedCopies.map((r) => r.id))}::text[],
                    ${sql.param(failedCopies.map((r) => r.statusReason))}::text[]) AS x(trade_id, reason)
       WHERE st.copy_trade_id = x.trade_id AND st.outcome IN ('executed', 'approved')`);
  }

  const withChanges = plans.filter((p) => p.changes.length > 0);
  // Follow-ups in batched jobs: a fan-out's thousands of fills make a handful of jobs, not
  // thousands (each notifies and refreshes balances in turn).
  for (let i = 0; i < withChanges.length; i += FOLLOW_UP_BATCH) {
    const slice = withChanges.slice(i, i + FOLLOW_UP_BATCH);
    await enqueue(tx, 'order-updated', {
      updates: slice.map((p) => ({ tradeId: p.trade.id, changes: p.changes.map((c) => c.type) })),
    });
    // Cash and buying power moved (or a reservation ended): refresh each account's cached balances.
    await enqueue(
      tx,
      'sync-account-balances',
      { accountIds: [...new Set(slice.map((p) => p.trade.accountId))] },
      { maxAttempts: 3 },
    );
  }
  // Keep polling while orders work; the key keeps one waiting sync per account.
  for (const accountId of new Set(rows.filter((r) => isWorking(r.status)).map((r) => r.accountId))) {
    await enqueue(
      tx,
      'sync-account-orders',
      { accountId },
      {
        jobKey: `sync-account-orders:${accountId}`,
        jobKeyMode: 'preserve_run_at',
        runAt: new Date(now.getTime() + ORDER_SYNC_INTERVAL_MS),
      },
    );
  }
  // A trader's own order that reached its final state with a fill is copied to subscribers.
  const copyable = plans
    .map((p) => after.get(p.trade.id) ?? p.trade)
    .filter((r) => r.source === 'manual' && isFinal(r.status) && (r.filledQuantity ?? 0) > 0)
    .filter((r) => plans.some((p) => p.trade.id === r.id && p.changes.some((c) => isFinal(c.to))));
  if (copyable.length > 0) {
    const { rows: followed } = await tx.execute<{ trader_id: string }>(sql`
      SELECT DISTINCT trader_id FROM subscriptions
       WHERE trader_id = ANY(${sql.param(copyable.map((r) => r.userId))}::text[]) AND status = 'active'`);
    const traders = new Set(followed.map((f) => f.trader_id));
    await enqueueMany(
      tx,
      'fan-out-copies',
      copyable.filter((r) => traders.has(r.userId)).map((r) => ({ tradeId: r.id })),
      { jobKey: (payload) => `fan-out:${String(payload.tradeId)}` },
    );
  }
}

/** One report: a batch of one. */
export async function applyOrderUpdate({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: OrderUpdate;
}): Promise<OrderUpdateResult> {
  const [result] = await applyOrderUpdates({ ctx, input: { updates: [input] } });
  if (!result) throw new Error('no result');
  return result;
}
