/**
 * Order status transitions. `transition` is the only way an order's status may change: every
 * writer (placing, syncing from the broker, webhooks, cancelling, expiry) asks it first and
 * records the result in the order event log.
 *
 * Expected outcomes are values, not exceptions: a duplicate broker report is `ignored`, an
 * impossible one is `refused` with a reason, and only a real change is `changed`.
 */
import { assertWholeNumber } from './errors';
import { safeParsePrice, toPriceString } from './money';
import type { OrderEventType, TradeSource } from './vocabulary';

/**
 * Every order status, the one list the CHECK, the API's enum and the web app's type come from.
 * Listed in the order of the `trades` CHECK as migrated (see vocabulary.ts).
 */
export const ORDER_STATUSES = ['pending', 'filled', 'partial', 'cancelled', 'rejected'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * The allowed status changes. `partial → partial` is a further partial fill: the status stays,
 * the filled quantity grows. Terminal statuses lead nowhere.
 */
export const ALLOWED_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ['partial', 'filled', 'cancelled', 'rejected'],
  partial: ['partial', 'filled', 'cancelled', 'rejected'],
  filled: [],
  cancelled: [],
  rejected: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ALLOWED_TRANSITIONS[from].includes(to);
}

/** Final: the order will never change again (filled, cancelled, rejected). */
export function isTerminalStatus(status: OrderStatus): boolean {
  return ALLOWED_TRANSITIONS[status].length === 0;
}

/** Statuses in which an order still works at the broker (it may fill), and those it ended in: for SQL lists. */
export const WORKING_ORDER_STATUSES: readonly OrderStatus[] = ORDER_STATUSES.filter(
  (s) => !isTerminalStatus(s),
);
export const FINAL_ORDER_STATUSES: readonly OrderStatus[] = ORDER_STATUSES.filter(isTerminalStatus);

export interface OrderState {
  status: OrderStatus;
  /** Contracts ordered. */
  quantity: number;
  /** Contracts filled so far (cumulative). */
  filledQuantity: number;
  /** Average price of the fills so far; kept as is by cancel and reject. */
  filledPrice?: string | null;
}

export type OrderEvent =
  /** Brokers report the cumulative fill and its average price, not the increment. */
  | { type: 'fill'; cumulativeFilledQuantity: number; averagePrice: string }
  | { type: 'cancel'; reason?: string }
  | { type: 'reject'; reason: string };

/** The order event log's type for each change. */
export type OrderChangeEventType = Extract<
  OrderEventType,
  'partially_filled' | 'filled' | 'cancelled' | 'rejected'
>;

export type IgnoreReason = 'duplicate_fill' | 'duplicate_cancel' | 'duplicate_reject';
export type RefuseReason = 'terminal_status' | 'overfill' | 'invalid_fill';

export interface NextOrderState {
  status: OrderStatus;
  filledQuantity: number;
  /** Average fill price, 4 decimals as stored; null while nothing has filled. */
  filledPrice: string | null;
}

export type TransitionResult =
  | { kind: 'changed'; next: NextOrderState; eventType: OrderChangeEventType; reason: string | null }
  | { kind: 'ignored'; reason: IgnoreReason }
  | { kind: 'refused'; reason: RefuseReason; message: string };

function refused(reason: RefuseReason, message: string): TransitionResult {
  return { kind: 'refused', reason, message };
}

function applyFill(current: OrderState, event: Extract<OrderEvent, { type: 'fill' }>): TransitionResult {
  const cumulative = event.cumulativeFilledQuantity;
  if (!Number.isSafeInteger(cumulative) || cumulative < 0) {
    return refused(
      'invalid_fill',
      `cumulative filled quantity must be a whole number ≥ 0, got ${cumulative}`,
    );
  }
  const price = safeParsePrice(event.averagePrice, 'averagePrice');
  if (!price.ok) return refused('invalid_fill', price.error.message);

  // Brokers repeat themselves (polling and webhooks report the same execution, reports arrive out
  // of order). A cumulative figure we have already reached carries no news, whatever the status.
  if (cumulative <= current.filledQuantity) return { kind: 'ignored', reason: 'duplicate_fill' };
  if (isTerminalStatus(current.status)) {
    return refused('terminal_status', `order is ${current.status}; a new fill cannot be applied`);
  }
  if (cumulative > current.quantity) {
    return refused('overfill', `filled ${cumulative} exceeds the ordered ${current.quantity}`);
  }

  const status: OrderStatus = cumulative === current.quantity ? 'filled' : 'partial';
  return {
    kind: 'changed',
    next: { status, filledQuantity: cumulative, filledPrice: toPriceString(price.value) },
    eventType: status === 'filled' ? 'filled' : 'partially_filled',
    reason: null,
  };
}

function applyEnd(
  current: OrderState,
  status: 'cancelled' | 'rejected',
  duplicate: IgnoreReason,
  reason: string | null,
): TransitionResult {
  if (current.status === status) return { kind: 'ignored', reason: duplicate };
  if (!canTransition(current.status, status)) {
    return refused('terminal_status', `order is ${current.status}; it cannot become ${status}`);
  }
  return {
    kind: 'changed',
    // Fills already made stay: a cancelled order that half-filled counts its half.
    next: { status, filledQuantity: current.filledQuantity, filledPrice: current.filledPrice ?? null },
    eventType: status,
    reason,
  };
}

export function transition(current: OrderState, event: OrderEvent): TransitionResult {
  assertWholeNumber(current.quantity, 'quantity', 1);
  assertWholeNumber(current.filledQuantity, 'filledQuantity');
  switch (event.type) {
    case 'fill':
      return applyFill(current, event);
    case 'cancel':
      return applyEnd(current, 'cancelled', 'duplicate_cancel', event.reason ?? null);
    case 'reject':
      return applyEnd(current, 'rejected', 'duplicate_reject', event.reason);
  }
}

/**
 * SnapTrade order statuses (both the v1 and v2 enums) mapped onto ours, case-insensitively.
 *
 * Beyond the mapping the product names: states in which the order still works at the broker
 * (queued, triggered, awaiting a cancel or a replace, under risk review) map to `pending`: the
 * order may still fill, so it must stay open to syncing. PARTIALLY_EXECUTED is `partial`,
 * PARTIAL_CANCELED (cancelled after a partial fill) is `cancelled` (its fills still count), and
 * FAILED is `rejected`. NONE, REPLACED, STOPPED, SUSPENDED and anything unknown give `null`: the
 * caller should keep the current status and log the report rather than guess.
 */
const BROKER_STATUS_MAP: ReadonlyMap<string, OrderStatus> = new Map<string, OrderStatus>([
  ['PENDING', 'pending'],
  ['ACCEPTED', 'pending'],
  ['QUEUED', 'pending'],
  ['TRIGGERED', 'pending'],
  ['ACTIVATED', 'pending'],
  ['CANCEL_PENDING', 'pending'],
  ['REPLACE_PENDING', 'pending'],
  ['PENDING_RISK_REVIEW', 'pending'],
  ['CONTINGENT_ORDER', 'pending'],
  ['PARTIAL', 'partial'],
  ['PARTIALLY_EXECUTED', 'partial'],
  ['EXECUTED', 'filled'],
  ['CANCELED', 'cancelled'],
  ['CANCELLED', 'cancelled'],
  ['PARTIAL_CANCELED', 'cancelled'],
  ['EXPIRED', 'cancelled'],
  ['REJECTED', 'rejected'],
  ['FAILED', 'rejected'],
]);

export function mapBrokerStatus(brokerStatus: string): OrderStatus | null {
  return BROKER_STATUS_MAP.get(brokerStatus.trim().toUpperCase()) ?? null;
}

/** Working: the order may still fill at the broker (pending, partial), so it is kept in sync. */
export function isWorkingOrderStatus(status: OrderStatus): boolean {
  return WORKING_ORDER_STATUSES.includes(status);
}

/** The only orders copied to subscribers: a trader's own, never copies or system sells. */
export const COPYABLE_ORDER_SOURCE = 'manual' satisfies TradeSource;

/**
 * PRODUCT.md §3: a trader's order is copied as it fills, each fill as it happens (a working
 * order that filled 5 of 10 is copied for those 5 now); a copy of a copy never is.
 */
export function isCopyableOrder(order: { source: string; filledQuantity: number | null }): boolean {
  return order.source === COPYABLE_ORDER_SOURCE && (order.filledQuantity ?? 0) > 0;
}
