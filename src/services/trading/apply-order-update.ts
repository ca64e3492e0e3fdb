import { sql } from 'drizzle-orm';
import type { BrokerOrder, BrokerOrderStatus, PlaceOrderResult } from '../../broker/port';
import { namedStatement } from '../../db/named-statements';
import { type Trade, trades } from '../../db/schema';
import {
  type OrderEvent,
  type OrderState,
  type TransitionResult,
  transition,
} from '../../domain/order-status';
import type { ServiceContext } from '../context';
import { ORDER_REACTIONS } from '../order-reactions';
import { inTransaction, type Transaction } from '../transaction';
import type {
  ChangedOrder,
  OrderChange,
  OrderPosition,
  OrderReaction,
  OrderUpdateSource,
} from './order-change';

/** What a broker says about one order, from a placement, a sync, a webhook or a refresh. */
export type OrderReport = {
  brokerOrderId?: string;
  status: BrokerOrderStatus;
  /** Cumulative. */
  filledQuantity: number;
  averageFillPrice: string | null;
  reason?: string;
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

/** What a placement's answer says about the order: accepted as the broker holds it, or rejected. */
export function reportFromPlacement(result: PlaceOrderResult): OrderReport {
  return result.ok
    ? reportFromBrokerOrder(result.order)
    : { status: 'rejected', filledQuantity: 0, averageFillPrice: null, reason: result.reason };
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

/**
 * Bring orders up to date with broker reports: the only way an order's status changes. Plans
 * each change, writes the rows and the order event log, and runs the reactions of every area
 * (src/services/order-reactions.ts: copies, notifications, balances, next sync) in the same
 * transaction, in a fixed number of statements however many orders. Idempotent: a fill already
 * applied is ignored.
 */
export async function applyOrderUpdates({
  ctx,
  input,
  reactions = ORDER_REACTIONS,
}: {
  ctx: ServiceContext;
  input: { updates: OrderUpdate[] };
  /** What follows the change; the registry's list unless a test gives its own. */
  reactions?: readonly OrderReaction[];
}): Promise<OrderUpdateResult[]> {
  if (input.updates.length === 0) return [];
  return inTransaction(ctx, (tx) => applyOrderUpdatesIn({ tx, ctx, input, reactions }));
}

/**
 * `applyOrderUpdates` in the caller's open transaction. `locked` are rows of the orders that
 * this transaction already holds locked as they are now (an order it has just inserted), with
 * their positions when known: they are not read again.
 */
export async function applyOrderUpdatesIn({
  tx,
  ctx,
  input,
  reactions = ORDER_REACTIONS,
  locked = [],
}: {
  tx: Transaction;
  ctx: ServiceContext;
  input: { updates: readonly OrderUpdate[] };
  reactions?: readonly OrderReaction[];
  locked?: readonly { trade: Trade; position?: OrderPosition }[];
}): Promise<OrderUpdateResult[]> {
  if (input.updates.length === 0) return [];
  const current = new Map<string, Trade>(locked.map(({ trade }) => [trade.id, trade]));
  const positions = new Map(
    locked.flatMap(({ trade, position }) => (position ? [[trade.id, position]] : [])),
  );
  const ids = [...new Set(input.updates.map((u) => u.tradeId))].filter((id) => !current.has(id));
  if (ids.length > 0) {
    // Locked in id order: two batches over the same orders cannot deadlock.
    const rows = await tx
      .select()
      .from(trades)
      .where(sql`${trades.id} = ANY(${sql.param(ids)}::text[])`)
      .orderBy(trades.id)
      .for('update');
    for (const row of rows) current.set(row.id, row);
  }
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
  if (changed.length > 0) {
    // One entry per order: with several reports for it, the last plan (from the row before it).
    const latest = [...new Map(changed.map((p) => [p.trade.id, p])).values()];
    await write(tx, ctx, latest, current);
    const orders = latest.map(
      (p): ChangedOrder => ({
        before: p.trade,
        after: current.get(p.trade.id) ?? p.trade,
        changes: p.changes,
        source: p.update.source,
        ...(positions.has(p.trade.id) ? { position: positions.get(p.trade.id) } : {}),
      }),
    );
    for (const reaction of reactions) await reaction.react({ tx, ctx, orders });
  }
  return plans.map((p) => ({ trade: current.get(p.trade.id) ?? p.trade, changes: p.changes }));
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

/** The rows and their order events, in one statement. */
async function write(tx: Transaction, ctx: ServiceContext, plans: Planned[], after: Map<string, Trade>) {
  const now = ctx.now();
  const rows = plans.map((p) => after.get(p.trade.id) ?? p.trade);
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
  await writeOrders(tx, [
    rows.map((r) => r.id),
    rows.map((r) => r.status),
    rows.map((r) => r.filledQuantity ?? 0),
    rows.map((r) => r.filledPrice),
    rows.map((r) => r.filledAt?.toISOString() ?? null),
    rows.map((r) => r.statusReason),
    rows.map((r) => r.brokerOrderId),
    events.map((e) => e.tradeId),
    events.map((e) => e.type),
    events.map((e) => e.from),
    events.map((e) => e.to),
    events.map((e) => e.filledQuantity),
    events.map((e) => e.filledPrice),
    events.map((e) => e.key),
    events.map((e) => e.detail),
    now.toISOString(),
  ]);
}

/**
 * The orders' new state and their events. Nothing reads order_events while trades change (no
 * trigger does), so both go in one round trip; the events' foreign key is checked at the end of
 * the statement, after the update. Every order change runs it: a named statement.
 */
const writeOrders = namedStatement(
  'apply_order_updates',
  `WITH updated AS (
     UPDATE trades t SET
       status = x.status,
       filled_quantity = x.filled_quantity,
       filled_price = x.filled_price,
       filled_at = x.filled_at,
       status_reason = x.status_reason,
       broker_order_id = x.broker_order_id
     FROM unnest($1::text[], $2::text[], $3::int[], $4::numeric[], $5::timestamp[], $6::text[], $7::text[])
       AS x(id, status, filled_quantity, filled_price, filled_at, status_reason, broker_order_id)
     WHERE t.id = x.id
     RETURNING t.id
   ), events AS (
     INSERT INTO order_events (trade_id, type, from_status, to_status, filled_quantity, filled_price,
                               idempotency_key, detail, created_at)
     SELECT e.*, $16::timestamp FROM unnest($8::text[], $9::text[], $10::text[], $11::text[], $12::int[],
                                            $13::numeric[], $14::text[], $15::jsonb[])
       AS e(trade_id, type, from_status, to_status, filled_quantity, filled_price, idempotency_key, detail)
     ON CONFLICT DO NOTHING
   )
   SELECT count(*) FROM updated`,
);

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
