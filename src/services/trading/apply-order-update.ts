import { and, eq, sql } from 'drizzle-orm';
import type { BrokerOrder, BrokerOrderStatus } from '../../broker/port';
import { orderEvents, parentTrades, type Trade, trades } from '../../db/schema';
import {
  type OrderEvent,
  type OrderState,
  type TransitionResult,
  transition,
} from '../../domain/order-status';
import { enqueue } from '../../jobs/queue';
import type { ServiceContext } from '../context';
import { inTransaction } from '../transaction';
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

/**
 * Bring one order up to date with a broker report. The only way an order's status changes:
 * idempotent (a fill already applied is ignored), every change appended to the order event
 * log, follow-up work enqueued in the same transaction.
 */
export async function applyOrderUpdate({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { tradeId: string; report: OrderReport; source: OrderUpdateSource };
}): Promise<{ trade: Trade; changes: OrderChange[] }> {
  const { tradeId, report, source } = input;
  return inTransaction(ctx, async (tx) => {
    const [trade] = await tx.select().from(trades).where(eq(trades.id, tradeId)).for('update');
    if (!trade) throw new Error(`order ${tradeId} does not exist`);

    let state: OrderState = {
      status: trade.status,
      quantity: trade.quantity,
      filledQuantity: trade.filledQuantity ?? 0,
      filledPrice: trade.filledPrice,
    };
    let reason = trade.statusReason;
    const changes: OrderChange[] = [];
    for (const event of eventsFor(report)) {
      const result: TransitionResult = transition(state, event);
      if (result.kind === 'refused') {
        ctx.log.warn(
          { tradeId, source, report, reason: result.message },
          'broker report refused by the order state machine',
        );
        continue;
      }
      if (result.kind === 'ignored') continue;
      changes.push({ type: result.eventType, from: state.status, to: result.next.status });
      state = { ...state, ...result.next };
      if (result.reason) reason = result.reason;
    }

    const newBrokerOrderId = report.brokerOrderId && !trade.brokerOrderId ? report.brokerOrderId : undefined;
    if (changes.length === 0 && !newBrokerOrderId) return { trade, changes };

    const now = ctx.now();
    const [updated] = await tx
      .update(trades)
      .set({
        status: state.status,
        filledQuantity: state.filledQuantity,
        filledPrice: state.filledPrice ?? null,
        // The time of the first fill places the order in the position's fold.
        filledAt: trade.filledAt ?? (state.filledQuantity > 0 ? now : null),
        statusReason: reason,
        ...(newBrokerOrderId ? { brokerOrderId: newBrokerOrderId } : {}),
      })
      .where(eq(trades.id, tradeId))
      .returning();
    if (!updated) throw new Error(`order ${tradeId} vanished`);

    const events = [
      ...(newBrokerOrderId
        ? [
            {
              type: 'submitted' as const,
              fromStatus: trade.status,
              toStatus: trade.status,
              idempotencyKey: 'submitted',
            },
          ]
        : []),
      ...changes.map((change) => ({
        type: change.type,
        fromStatus: change.from as Trade['status'],
        toStatus: change.to as Trade['status'],
        idempotencyKey: `${change.type}:${state.filledQuantity}`,
      })),
    ];
    await tx
      .insert(orderEvents)
      .values(
        events.map((event) => ({
          tradeId,
          ...event,
          filledQuantity: state.filledQuantity,
          filledPrice: state.filledPrice ?? null,
          detail: { source, brokerOrderId: report.brokerOrderId ?? null, reason: report.reason ?? null },
          createdAt: now,
        })),
      )
      .onConflictDoNothing();

    const ended = state.status === 'cancelled' || state.status === 'rejected';
    if (ended && trade.action === 'buy' && state.filledQuantity === 0) {
      // A position opened by an order that never filled, with nothing else on it, never existed.
      await tx
        .update(parentTrades)
        .set({ status: 'cancelled', closedAt: now })
        .where(
          and(
            eq(parentTrades.id, trade.parentTradeId),
            eq(parentTrades.status, 'open'),
            sql`NOT EXISTS (SELECT 1 FROM trades o WHERE o.parent_trade_id = ${trade.parentTradeId}
                              AND o.id <> ${tradeId}
                              AND (o.filled_quantity > 0 OR o.status IN ('pending', 'partial')))`,
          ),
        );
    }

    if (changes.length > 0) {
      await enqueue(tx, 'order-updated', { tradeId, changes: changes.map((c) => c.type) });
      // Cash and buying power moved (or a reservation ended): refresh the cached balances once.
      await enqueue(
        tx,
        'sync-account-balances',
        { accountId: trade.accountId },
        { jobKey: `sync-account-balances:${trade.accountId}`, maxAttempts: 3 },
      );
    }
    if (state.status === 'pending' || state.status === 'partial') {
      // Keep polling while the order works; the key keeps one waiting sync per account.
      await enqueue(
        tx,
        'sync-account-orders',
        { accountId: trade.accountId },
        {
          jobKey: `sync-account-orders:${trade.accountId}`,
          jobKeyMode: 'preserve_run_at',
          runAt: new Date(now.getTime() + ORDER_SYNC_INTERVAL_MS),
        },
      );
    }
    return { trade: updated, changes };
  });
}
