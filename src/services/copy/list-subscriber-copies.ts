import { sql } from 'drizzle-orm';
import type { OrderStatus } from '../../domain/order-status';
import {
  type CopyOutcome,
  type CopyReason,
  type OrderAction,
  type TradeSide,
  tradeSideOf,
} from '../../domain/vocabulary';
import { AppError } from '../../errors';
import { requireUser, type ServiceContext } from '../context';
import { decodeCursor, encodeCursor } from '../cursor';
import { parseInput } from '../parse-input';
import { copyLogQuerySchema } from './list-copy-log';

/**
 * One copy decision as the trader sees it: what was copied or skipped and why, never the
 * subscriber's account, balances, prices paid or the broker's own words.
 */
export type DeskCopyEntry = {
  id: string;
  sourceTradeId: string;
  side: TradeSide;
  symbol: string;
  outcome: CopyOutcome;
  reason: CopyReason | null;
  sourceQuantity: number;
  copyQuantity: number | null;
  copyStatus: OrderStatus | null;
  createdAt: string | null;
};

/** How a subscription's decisions ended, counted (all time). */
export type DeskSummary = {
  total: number;
  byOutcome: Partial<Record<CopyOutcome, number>>;
  byReason: Partial<Record<CopyReason, number>>;
};

type Row = {
  id: string;
  source_trade_id: string;
  action: OrderAction;
  symbol: string;
  outcome: CopyOutcome;
  reason: CopyReason | null;
  source_quantity: number;
  copy_quantity: number | null;
  copy_status: OrderStatus | null;
  created_at: string;
};

const isoOf = (value: string | null) =>
  value ? new Date(`${value.replace(' ', 'T')}Z`).toISOString() : null;

/**
 * The trader's desk: for one subscription to the signed-in trader, every copy decision (newest
 * first) and the counts by outcome and reason, so the trader sees that a follower's copies are
 * being skipped or failing. Someone else's subscription answers NOT_FOUND.
 */
export async function listSubscriberCopies({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { subscriptionId: string; query: unknown };
}): Promise<{ summary: DeskSummary; copies: DeskCopyEntry[]; nextCursor: string | null }> {
  const traderId = requireUser(ctx);
  const query = parseInput(copyLogQuerySchema, input.query ?? {});
  const owned = await ctx.db.execute(sql`
    SELECT 1 FROM subscriptions WHERE id = ${input.subscriptionId} AND trader_id = ${traderId}`);
  if (owned.rows.length === 0) throw new AppError('NOT_FOUND', 'Subscriber not found');

  const counts = await ctx.db.execute<{ outcome: CopyOutcome; reason: CopyReason | null; count: number }>(sql`
    SELECT outcome, reason, count(*)::int AS count
      FROM subscription_trades WHERE subscription_id = ${input.subscriptionId}
     GROUP BY outcome, reason`);
  const summary: DeskSummary = { total: 0, byOutcome: {}, byReason: {} };
  for (const { outcome, reason, count } of counts.rows) {
    summary.total += count;
    summary.byOutcome[outcome] = (summary.byOutcome[outcome] ?? 0) + count;
    if (reason) summary.byReason[reason] = (summary.byReason[reason] ?? 0) + count;
  }

  const cursor = query.cursor ? decodeCursor(query.cursor) : null;
  const cursorAt = cursor ? cursor.createdAt.toISOString() : null;
  const { rows } = await ctx.db.execute<Row>(sql`
    SELECT d.id, d.source_trade_id, d.action, p.symbol, d.outcome, d.reason, d.source_quantity, d.copy_quantity,
           c.status AS copy_status, d.created_at::text
      FROM subscription_trades d
      JOIN trades s ON s.id = d.source_trade_id
      JOIN parent_trades p ON p.id = s.parent_trade_id
      LEFT JOIN trades c ON c.id = d.copy_trade_id
     WHERE d.subscription_id = ${input.subscriptionId}
       AND (${query.outcome ?? null}::text IS NULL OR d.outcome = ${query.outcome ?? null})
       AND (${cursorAt}::timestamp IS NULL OR (d.created_at, d.id) < (${cursorAt}::timestamp, ${cursor?.id ?? ''}))
     ORDER BY d.created_at DESC, d.id DESC
     LIMIT ${query.limit + 1}`);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const lastCreated = isoOf(last?.created_at ?? null);
  return {
    summary,
    copies: page.map((r) => ({
      id: r.id,
      sourceTradeId: r.source_trade_id,
      side: tradeSideOf(r.action),
      symbol: r.symbol,
      outcome: r.outcome,
      reason: r.reason,
      sourceQuantity: r.source_quantity,
      copyQuantity: r.copy_quantity,
      copyStatus: r.copy_status,
      createdAt: isoOf(r.created_at),
    })),
    nextCursor:
      rows.length > query.limit && last && lastCreated
        ? encodeCursor({ createdAt: new Date(lastCreated), id: last.id })
        : null,
  };
}
