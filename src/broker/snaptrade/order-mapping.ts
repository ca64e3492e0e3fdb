/**
 * SnapTrade order records (`AccountOrderRecord`) → the port's `BrokerOrder`. Pure.
 *
 * Status mapping (PRODUCT.md §2 "Order sync"), the rest chosen by what the state means for us:
 *   PENDING, ACCEPTED                       → pending
 *   PARTIAL, PARTIALLY_EXECUTED             → partial
 *   EXECUTED                                → filled
 *   CANCELED, EXPIRED                       → cancelled
 *   REJECTED                                → rejected
 *   FAILED                                  → rejected  (the brokerage never worked it)
 *   PARTIAL_CANCELED                        → cancelled (what filled stays filled)
 *   REPLACED                                → cancelled (a replacement order carries on under a new id)
 *   NONE, QUEUED, TRIGGERED, ACTIVATED, STOPPED, SUSPENDED, PENDING_RISK_REVIEW, CONTINGENT_ORDER,
 *   CANCEL_PENDING, REPLACE_PENDING, anything unknown
 *                                           → pending   (still working, or not yet known to be done)
 * A still-working order that already has fills is `partial`: the fill is real whatever the label.
 */
import { z } from 'zod';
import { Dec } from '../../domain/money';
import type { BrokerOrder, BrokerOrderStatus, OrderSide, OrderType } from '../port';

const looseNumber = z.union([z.string(), z.number()]).nullish();

export const orderRecordSchema = z.object({
  brokerage_order_id: z.string().nullish(),
  status: z.string().nullish(),
  option_symbol: z.object({ ticker: z.string() }).nullish(),
  universal_symbol: z.object({ symbol: z.string() }).nullish(),
  action: z.string().nullish(),
  total_quantity: looseNumber,
  filled_quantity: looseNumber,
  execution_price: looseNumber,
  order_type: z.string().nullish(),
  time_placed: z.string().nullish(),
  time_updated: z.string().nullish(),
  time_executed: z.string().nullish(),
});

export type OrderRecord = z.infer<typeof orderRecordSchema>;

const DONE: Record<string, { status: BrokerOrderStatus; reason?: string }> = {
  EXECUTED: { status: 'filled' },
  CANCELED: { status: 'cancelled' },
  CANCELLED: { status: 'cancelled' },
  EXPIRED: { status: 'cancelled', reason: 'expired' },
  PARTIAL_CANCELED: { status: 'cancelled', reason: 'cancelled after a partial fill' },
  REPLACED: { status: 'cancelled', reason: 'replaced by another order' },
  REJECTED: { status: 'rejected' },
  FAILED: { status: 'rejected', reason: 'failed at the brokerage' },
};

/** Maps a SnapTrade order status (see the table above). */
export function mapSnapTradeStatus(
  raw: string | null | undefined,
  filledQuantity = 0,
): { status: BrokerOrderStatus; reason?: string } {
  const status = (raw ?? '').trim().toUpperCase();
  const done = DONE[status];
  if (done) return done;
  if (status === 'PARTIAL' || status === 'PARTIALLY_EXECUTED') return { status: 'partial' };
  // Still working (PENDING, ACCEPTED, QUEUED, CANCEL_PENDING, ...) or unknown.
  return { status: filledQuantity > 0 ? 'partial' : 'pending' };
}

export function mapSide(action: string | null | undefined): OrderSide | null {
  const upper = (action ?? '').toUpperCase();
  if (upper.startsWith('BUY')) return 'buy';
  if (upper.startsWith('SELL')) return 'sell';
  return null;
}

export function mapOrderType(raw: string | null | undefined): OrderType | null {
  const compact = (raw ?? '').toUpperCase().replace(/[^A-Z]/g, '');
  switch (compact) {
    case 'MARKET':
      return 'Market';
    case 'LIMIT':
      return 'Limit';
    case 'STOP':
    case 'STOPMARKET':
    case 'STOPLOSSMARKET':
      return 'Stop';
    case 'STOPLIMIT':
    case 'STOPLOSSLIMIT':
      return 'StopLimit';
    default:
      return null;
  }
}

/** A decimal string in plain notation ('2.5'), or null when absent or not a number. */
export function toDecimalString(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' && value.trim() === '') return null;
  try {
    const decimal = new Dec(value);
    return decimal.isFinite() ? decimal.toFixed() : null;
  } catch {
    return null;
  }
}

function toQuantity(value: string | number | null | undefined): number {
  const text = toDecimalString(value);
  return text === null ? 0 : Number(text);
}

function toDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value.includes('T') ? value : value.replace(' ', 'T'));
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * Maps one record; `fallback` fills what the record leaves out (the request we just placed).
 * Null when the record has no order id, so cannot be tracked.
 */
export function mapOrderRecord(
  record: OrderRecord,
  context: {
    now: Date;
    fallback?: { symbol: string; side: OrderSide; orderType: OrderType; quantity: number };
  },
): BrokerOrder | null {
  const brokerOrderId = record.brokerage_order_id;
  if (!brokerOrderId) return null;
  const filledQuantity = toQuantity(record.filled_quantity);
  const { status, reason } = mapSnapTradeStatus(record.status, filledQuantity);
  const averageFillPrice = filledQuantity > 0 ? toDecimalString(record.execution_price) : null;
  const order: BrokerOrder = {
    brokerOrderId,
    symbol: record.option_symbol?.ticker ?? record.universal_symbol?.symbol ?? context.fallback?.symbol ?? '',
    side: mapSide(record.action) ?? context.fallback?.side ?? 'buy',
    orderType: mapOrderType(record.order_type) ?? context.fallback?.orderType ?? 'Market',
    status,
    quantity: toQuantity(record.total_quantity) || context.fallback?.quantity || filledQuantity,
    filledQuantity,
    averageFillPrice,
    updatedAt:
      toDate(record.time_updated) ??
      toDate(record.time_executed) ??
      toDate(record.time_placed) ??
      context.now,
  };
  const placedAt = toDate(record.time_placed);
  if (placedAt) order.placedAt = placedAt;
  if (reason) order.reason = reason;
  return order;
}
