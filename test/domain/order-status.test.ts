import { describe, expect, it } from 'vitest';
import { DomainValidationError } from '../../src/domain/errors';
import {
  ALLOWED_TRANSITIONS,
  canTransition,
  isTerminalStatus,
  mapBrokerStatus,
  ORDER_STATUSES,
  type OrderEvent,
  type OrderState,
  type OrderStatus,
  type TransitionResult,
  transition,
} from '../../src/domain/order-status';

/** An order of 10 contracts in the given status; partial orders have 4 filled at 2.5. */
function order(status: OrderStatus, filledQuantity?: number): OrderState {
  const filled = filledQuantity ?? (status === 'filled' ? 10 : status === 'partial' ? 4 : 0);
  return { status, quantity: 10, filledQuantity: filled, filledPrice: filled > 0 ? '2.5000' : null };
}

const fill = (cumulativeFilledQuantity: number, averagePrice = '2.60'): OrderEvent => ({
  type: 'fill',
  cumulativeFilledQuantity,
  averagePrice,
});
const cancel: OrderEvent = { type: 'cancel' };
const reject: OrderEvent = { type: 'reject', reason: 'insufficient buying power' };

describe('the transition table', () => {
  it('allows exactly pending → partial → filled and pending|partial → cancelled|rejected', () => {
    const allowed = ORDER_STATUSES.flatMap((from) =>
      ORDER_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}→${to}`),
    );
    expect(allowed.sort()).toEqual(
      [
        'pending→partial',
        'pending→filled',
        'pending→cancelled',
        'pending→rejected',
        'partial→partial',
        'partial→filled',
        'partial→cancelled',
        'partial→rejected',
      ].sort(),
    );
    expect(Object.keys(ALLOWED_TRANSITIONS).sort()).toEqual([...ORDER_STATUSES].sort());
  });

  it('knows the terminal statuses', () => {
    expect(ORDER_STATUSES.filter(isTerminalStatus)).toEqual(['filled', 'cancelled', 'rejected']);
  });
});

describe('transition(): every status × event', () => {
  const cases: Array<[string, OrderState, OrderEvent, TransitionResult]> = [
    // pending
    [
      'pending + partial fill → partial',
      order('pending'),
      fill(3),
      {
        kind: 'changed',
        next: { status: 'partial', filledQuantity: 3, filledPrice: '2.6000' },
        eventType: 'partially_filled',
        reason: null,
      },
    ],
    [
      'pending + full fill → filled directly',
      order('pending'),
      fill(10),
      {
        kind: 'changed',
        next: { status: 'filled', filledQuantity: 10, filledPrice: '2.6000' },
        eventType: 'filled',
        reason: null,
      },
    ],
    [
      'pending + cancel → cancelled',
      order('pending'),
      cancel,
      {
        kind: 'changed',
        next: { status: 'cancelled', filledQuantity: 0, filledPrice: null },
        eventType: 'cancelled',
        reason: null,
      },
    ],
    [
      'pending + reject → rejected, with the reason',
      order('pending'),
      reject,
      {
        kind: 'changed',
        next: { status: 'rejected', filledQuantity: 0, filledPrice: null },
        eventType: 'rejected',
        reason: 'insufficient buying power',
      },
    ],
    [
      'pending + fill of 0 → duplicate',
      order('pending'),
      fill(0),
      { kind: 'ignored', reason: 'duplicate_fill' },
    ],
    // partial
    [
      'partial + more fill → partial',
      order('partial'),
      fill(7, '2.55'),
      {
        kind: 'changed',
        next: { status: 'partial', filledQuantity: 7, filledPrice: '2.5500' },
        eventType: 'partially_filled',
        reason: null,
      },
    ],
    [
      'partial + the rest → filled',
      order('partial'),
      fill(10),
      {
        kind: 'changed',
        next: { status: 'filled', filledQuantity: 10, filledPrice: '2.6000' },
        eventType: 'filled',
        reason: null,
      },
    ],
    [
      'partial + cancel → cancelled, keeping its fills',
      order('partial'),
      { type: 'cancel', reason: 'user request' },
      {
        kind: 'changed',
        next: { status: 'cancelled', filledQuantity: 4, filledPrice: '2.5000' },
        eventType: 'cancelled',
        reason: 'user request',
      },
    ],
    [
      'partial + reject → rejected, keeping its fills',
      order('partial'),
      reject,
      {
        kind: 'changed',
        next: { status: 'rejected', filledQuantity: 4, filledPrice: '2.5000' },
        eventType: 'rejected',
        reason: 'insufficient buying power',
      },
    ],
    [
      'partial + same cumulative → duplicate',
      order('partial'),
      fill(4),
      { kind: 'ignored', reason: 'duplicate_fill' },
    ],
    [
      'partial + lower cumulative → duplicate',
      order('partial'),
      fill(2),
      { kind: 'ignored', reason: 'duplicate_fill' },
    ],
    // filled
    [
      'filled + same fill → duplicate',
      order('filled'),
      fill(10),
      { kind: 'ignored', reason: 'duplicate_fill' },
    ],
    [
      'filled + stale fill → duplicate',
      order('filled'),
      fill(6),
      { kind: 'ignored', reason: 'duplicate_fill' },
    ],
    [
      'filled + cancel → refused',
      order('filled'),
      cancel,
      { kind: 'refused', reason: 'terminal_status', message: 'order is filled; it cannot become cancelled' },
    ],
    [
      'filled + reject → refused',
      order('filled'),
      reject,
      { kind: 'refused', reason: 'terminal_status', message: 'order is filled; it cannot become rejected' },
    ],
    // cancelled
    [
      'cancelled + cancel → duplicate',
      order('cancelled'),
      cancel,
      { kind: 'ignored', reason: 'duplicate_cancel' },
    ],
    [
      'cancelled + new fill → refused',
      order('cancelled', 4),
      fill(6),
      {
        kind: 'refused',
        reason: 'terminal_status',
        message: 'order is cancelled; a new fill cannot be applied',
      },
    ],
    [
      'cancelled + its own fill again → duplicate',
      order('cancelled', 4),
      fill(4),
      { kind: 'ignored', reason: 'duplicate_fill' },
    ],
    [
      'cancelled + reject → refused',
      order('cancelled'),
      reject,
      {
        kind: 'refused',
        reason: 'terminal_status',
        message: 'order is cancelled; it cannot become rejected',
      },
    ],
    // rejected
    [
      'rejected + reject → duplicate',
      order('rejected'),
      reject,
      { kind: 'ignored', reason: 'duplicate_reject' },
    ],
    [
      'rejected + fill → refused',
      order('rejected'),
      fill(1),
      {
        kind: 'refused',
        reason: 'terminal_status',
        message: 'order is rejected; a new fill cannot be applied',
      },
    ],
    [
      'rejected + cancel → refused',
      order('rejected'),
      cancel,
      {
        kind: 'refused',
        reason: 'terminal_status',
        message: 'order is rejected; it cannot become cancelled',
      },
    ],
  ];

  it.each(cases)('%s', (_name, current, event, expected) => {
    expect(transition(current, event)).toEqual(expected);
  });

  it('never leaves the table', () => {
    for (const status of ORDER_STATUSES) {
      for (const event of [fill(1), fill(4), fill(10), cancel, reject]) {
        const result = transition(order(status), event);
        if (result.kind === 'changed') expect(canTransition(status, result.next.status)).toBe(true);
      }
    }
  });
});

describe('transition(): fills the broker gets wrong', () => {
  it('refuses a fill above the ordered quantity', () => {
    expect(transition(order('pending'), fill(11))).toMatchObject({ kind: 'refused', reason: 'overfill' });
    expect(transition(order('partial'), fill(11))).toMatchObject({ kind: 'refused', reason: 'overfill' });
  });

  it.each([
    ['a fractional quantity', fill(2.5)],
    ['a negative quantity', fill(-1)],
    ['NaN', fill(Number.NaN)],
    ['a negative price', fill(3, '-1')],
    ['a non-numeric price', fill(3, 'n/a')],
  ])('refuses %s as invalid', (_name, event) => {
    expect(transition(order('pending'), event)).toMatchObject({ kind: 'refused', reason: 'invalid_fill' });
  });

  it('applies a repeated report exactly once', () => {
    let state: OrderState = order('pending');
    const reports = [fill(3), fill(3), fill(6), fill(3), fill(6), fill(10), fill(10), fill(6)];
    const kinds: string[] = [];
    for (const report of reports) {
      const result = transition(state, report);
      kinds.push(result.kind);
      if (result.kind === 'changed') state = { ...state, ...result.next };
    }
    expect(kinds).toEqual([
      'changed',
      'ignored',
      'changed',
      'ignored',
      'ignored',
      'changed',
      'ignored',
      'ignored',
    ]);
    expect(state).toEqual({ status: 'filled', quantity: 10, filledQuantity: 10, filledPrice: '2.6000' });
  });

  it('keeps the average fill price at 4 decimals, as stored', () => {
    const result = transition(order('pending'), fill(5, '1.234567'));
    expect(result).toMatchObject({ kind: 'changed', next: { filledPrice: '1.2346' } });
  });

  it('throws on a corrupt current state: that is a bug, not a business outcome', () => {
    expect(() => transition({ status: 'pending', quantity: 0, filledQuantity: 0 }, cancel)).toThrow(
      DomainValidationError,
    );
    expect(() => transition({ status: 'pending', quantity: 5, filledQuantity: -1 }, cancel)).toThrow(
      DomainValidationError,
    );
  });
});

describe('mapBrokerStatus()', () => {
  it.each([
    ['PENDING', 'pending'],
    ['ACCEPTED', 'pending'],
    ['PARTIAL', 'partial'],
    ['EXECUTED', 'filled'],
    ['CANCELED', 'cancelled'],
    ['EXPIRED', 'cancelled'],
    ['REJECTED', 'rejected'],
  ])('maps %s → %s (PRODUCT.md §2)', (broker, ours) => {
    expect(mapBrokerStatus(broker)).toBe(ours);
  });

  it('is case-insensitive and ignores surrounding spaces', () => {
    expect(mapBrokerStatus('executed')).toBe('filled');
    expect(mapBrokerStatus(' Canceled ')).toBe('cancelled');
  });

  it.each([
    ['QUEUED', 'pending'],
    ['TRIGGERED', 'pending'],
    ['ACTIVATED', 'pending'],
    ['CANCEL_PENDING', 'pending'],
    ['REPLACE_PENDING', 'pending'],
    ['PENDING_RISK_REVIEW', 'pending'],
    ['CONTINGENT_ORDER', 'pending'],
    ['PARTIALLY_EXECUTED', 'partial'],
    ['PARTIAL_CANCELED', 'cancelled'],
    ['FAILED', 'rejected'],
  ])('maps the other SnapTrade state %s → %s', (broker, ours) => {
    expect(mapBrokerStatus(broker)).toBe(ours);
  });

  it.each(['NONE', 'REPLACED', 'STOPPED', 'SUSPENDED', '', 'FILLED_ISH', 'constructor', '__proto__'])(
    'gives null for %j, which the caller must not guess at',
    (broker) => {
      expect(mapBrokerStatus(broker)).toBeNull();
    },
  );
});
