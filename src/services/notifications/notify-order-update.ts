import { eq } from 'drizzle-orm';
import { notifications, parentTrades, trades } from '../../db/schema';
import { type NotificationType, tradeSideOf } from '../../domain/vocabulary';
import type { ServiceContext } from '../context';

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

/**
 * In-app notifications for what happened to an order (PRODUCT.md §4). Runs as a job after the
 * update commits; the last change of a batch is the one worth telling.
 */
export async function notifyOrderUpdate({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { tradeId: string; changes: Change[] };
}): Promise<void> {
  const change = input.changes.at(-1);
  if (!change) return;
  const [row] = await ctx.db
    .select({ trade: trades, position: parentTrades })
    .from(trades)
    .innerJoin(parentTrades, eq(parentTrades.id, trades.parentTradeId))
    .where(eq(trades.id, input.tradeId));
  if (!row) return;
  const { trade, position } = row;
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
  await ctx.db.insert(notifications).values({
    userId: trade.userId,
    type,
    title,
    body,
    data: { tradeId: trade.id, positionId: position.id, status: trade.status },
    createdAt: ctx.now(),
  });
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
  await ctx.db.insert(notifications).values({
    userId: position.userId,
    type: 'position_expired',
    title: 'Position expired',
    body: `${describeContract(position)} expired; realised P&L ${position.totalPnl}`,
    data: { positionId: position.id },
    createdAt: ctx.now(),
  });
}
