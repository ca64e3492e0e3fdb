/**
 * Everything that follows an order's change, in one list: each area registers here what it does
 * when orders move, and `applyOrderUpdates` runs the list in the transaction that moved them,
 * in this order. A new consequence of an order's change (a live event, an analytics count) is a
 * reaction in its own area, added here, not more lines in the code that applies the change.
 */
import { fanOutCopyableTrades, markDriftedCopies, markFailedCopies } from './copy/order-reactions';
import type { OrderReaction } from './trading/order-change';
import {
  cancelEmptyPositions,
  notifyOrderChanges,
  refreshBalances,
  scheduleOrderSync,
} from './trading/order-reactions';

export type { ChangedOrder, OrderReaction } from './trading/order-change';

export const ORDER_REACTIONS: readonly OrderReaction[] = [
  cancelEmptyPositions,
  markFailedCopies,
  markDriftedCopies,
  notifyOrderChanges,
  refreshBalances,
  scheduleOrderSync,
  fanOutCopyableTrades,
];
