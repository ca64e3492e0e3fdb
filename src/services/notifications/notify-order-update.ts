import { eq, inArray } from 'drizzle-orm';
import { parentTrades, trades } from '../../db/schema';
import { type NotificationType, tradeSideOf } from '../../domain/vocabulary';
import type { ServiceContext } from '../context';
import { inTransaction, type Transaction } from '../transaction';
import { type NotificationInput, notify, notifyMany } from './notify';

const TITLES = {
  filled: 'Order filled',
  partially_filled: 'Order partly filled',
  cancelled: 'Order cancelled',
  rejected: 'Order rejected',
} as const;

const TYPES = {
  filled: 'order_filled',
  partially_filled: 'order_filled',
  cancelled: 'order_cancelled',
  rejected: 'order_rejected',
} as const;

type Change = keyof typeof TITLES;

/** Copies speak of the copy: executed (or a close mirrored), or failed. */
function kindOf(
  trade: { source: string; action: string },
  change: Change,
): { type: NotificationType; title: string } {
  if (trade.source !== 'copy') return { type: TYPES[change], title: TITLES[change] };
  if (change === 'rejected') return { type: 'copy_trade_failed', title: 'Copy trade failed' };
  if (change === 'cancelled') return { type: 'order_cancelled', title: 'Copy trade cancelled' };
  return trade.action === 'sell'
    ? { type: 'copy_trade_close', title: 'Copied position closed' }
    : { type: 'copy_trade_executed', title: 'Copy trade executed' };
}

/** Human wording of a contract: `AAPL 150 C 2026-01-16`. */
export function describeContract(p: {
  underlying: string;
  strike: string;
  optionType: string;
  expiration: string;
}) {
  return `${p.underlying} ${Number(p.strike)} ${p.optionType === 'call' ? 'C' : 'P'} ${p.expiration}`;
}

export type OrderChangeUpdate = {
  tradeId: string;
  changes: readonly Change[];
  /** The order as changed and its position, when the caller has both: nothing is read then. */
  known?: { trade: typeof trades.$inferSelect; position: NotifiedPosition };
};

/** What a notification says of the order's position. */
type NotifiedPosition = Pick<
  typeof parentTrades.$inferSelect,
  'id' | 'underlying' | 'optionType' | 'strike' | 'expiration'
>;

/** What to tell an order's owner about its last change. */
function orderNotification(
  trade: typeof trades.$inferSelect,
  position: NotifiedPosition,
  change: Change,
): NotificationInput {
  const side = tradeSideOf(trade.action);
  const { type, title } = kindOf(trade, change);
  const contract = describeContract(position);
  const filled = trade.filledQuantity ?? 0;
  const body =
    change === 'rejected'
      ? `${side} ${trade.quantity} × ${contract}: ${trade.statusReason ?? 'rejected by the broker'}`
      : change === 'cancelled'
        ? `${side} ${trade.quantity} × ${contract} cancelled${filled > 0 ? ` after ${filled} filled` : ''}`
        : `${side} ${filled} of ${trade.quantity} × ${contract} @ ${trade.filledPrice}`;
  return {
    userId: trade.userId,
    type,
    title,
    body,
    data: { tradeId: trade.id, positionId: position.id, status: trade.status },
  };
}

/**
 * Notifications for what happened to orders (PRODUCT.md §4), for a batch of them: one read and
 * one notifyMany, however many orders; the last change of each order is the one worth telling.
 * Written in the transaction given: the one that changed the orders (a few orders, such as a
 * placement), or a job's after the commit (a fan-out's thousands of fills, in batches).
 */
export async function notifyOrderUpdatesIn({
  tx,
  ctx,
  input,
}: {
  tx: Transaction;
  ctx: ServiceContext;
  input: { updates: readonly OrderChangeUpdate[] };
}): Promise<void> {
  const last = new Map<string, Change>();
  const known = new Map<string, NonNullable<OrderChangeUpdate['known']>>();
  for (const update of input.updates) {
    const change = update.changes.at(-1);
    if (change) last.set(update.tradeId, change);
    if (update.known) known.set(update.tradeId, update.known);
  }
  if (last.size === 0) return;
  const unknown = [...last.keys()].filter((id) => !known.has(id));
  const read =
    unknown.length === 0
      ? []
      : await tx
          .select({ trade: trades, position: parentTrades })
          .from(trades)
          .innerJoin(parentTrades, eq(parentTrades.id, trades.parentTradeId))
          .where(inArray(trades.id, unknown))
          .orderBy(trades.id);
  const rows = [...read, ...[...known].filter(([id]) => last.has(id)).map(([, row]) => row)];
  const notifications = rows.flatMap(({ trade, position }) => {
    const change = last.get(trade.id);
    return change ? [orderNotification(trade, position, change)] : [];
  });
  await notifyMany({ tx, ctx, input: notifications });
}

/** The `order-updated` job: notifyOrderUpdatesIn in a transaction of its own. */
export function notifyOrderUpdates({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { updates: OrderChangeUpdate[] };
}): Promise<void> {
  return inTransaction(ctx, (tx) => notifyOrderUpdatesIn({ tx, ctx, input }));
}

/** Tell the owner that a position expired and what it cost. */
export async function notifyPositionExpired({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { positionId: string };
}): Promise<void> {
  const [position] = await ctx.db.select().from(parentTrades).where(eq(parentTrades.id, input.positionId));
  if (!position) return;
  await inTransaction(ctx, (tx) =>
    notify({
      tx,
      ctx,
      input: {
        userId: position.userId,
        type: 'position_expired',
        title: 'Position expired',
        body: `${describeContract(position)} expired; realised P&L ${position.totalPnl}`,
        data: { positionId: position.id },
      },
    }),
  );
}
