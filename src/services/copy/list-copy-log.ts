import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { OrderStatus } from '../../domain/order-status';
import {
  COPY_OUTCOMES,
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

export const copyLogQuerySchema = z.object({
  outcome: z.enum(COPY_OUTCOMES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().optional(),
});

export type CopyLogEntry = {
  id: string;
  subscriptionId: string;
  traderId: string;
  sourceTradeId: string;
  side: TradeSide;
  symbol: string;
  outcome: CopyOutcome;
  reason: CopyReason | null;
  detail: string | null;
  sourceQuantity: number;
  computedQuantity: number | null;
  copyQuantity: number | null;
  expiresAt: string | null;
  decidedAt: string | null;
  createdAt: string | null;
  copyOrder: {
    id: string;
    status: OrderStatus;
    filledQuantity: number;
    filledPrice: string | null;
    /** Waiting for the broker's shared rate budget (PRODUCT.md §1a), not yet sent. */
    queued: boolean;
  } | null;
  /** Contracts filled over all the decision's copy orders (a working order's fills, a retry). */
  copiedQuantity: number;
  /**
   * PRODUCT.md §3 copy timing: the trader's fill, when the copy was decided, sent to the broker,
   * accepted by it and filled, and the copy's fill price against the trader's (copy − trader,
   * per contract: positive paid more on a buy).
   */
  timing: {
    traderFilledAt: string | null;
    decidedAt: string | null;
    sentAt: string | null;
    acceptedAt: string | null;
    filledAt: string | null;
    traderFillPrice: string | null;
    fillPrice: string | null;
    priceDifference: string | null;
  };
};

type Row = {
  id: string;
  subscription_id: string;
  trader_id: string;
  source_trade_id: string;
  action: OrderAction;
  symbol: string;
  outcome: CopyOutcome;
  reason: CopyReason | null;
  detail: string | null;
  source_quantity: number;
  computed_quantity: number | null;
  copy_quantity: number | null;
  expires_at: string | null;
  decided_at: string | null;
  created_at: string;
  created_iso: string;
  copy_id: string | null;
  copy_status: OrderStatus | null;
  copy_filled: number | null;
  copy_queued: boolean | null;
  copy_price: string | null;
  copied_quantity: number;
  trader_filled_at: string | null;
  trader_price: string | null;
  sent_at: string | null;
  accepted_at: string | null;
  copy_filled_at: string | null;
  price_difference: string | null;
};

const isoOf = (value: string | null) =>
  value ? new Date(`${value.replace(' ', 'T')}Z`).toISOString() : null;

/**
 * Every copy decision of one of the user's subscriptions (as subscriber), newest first, with
 * its outcome, reason, quantities and the copy's order; or, without a subscription, all the
 * user's decisions (the approval inbox uses `outcome = pending_approval`).
 */
export async function listCopyLog({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { subscriptionId?: string; query: unknown };
}): Promise<{ copies: CopyLogEntry[]; nextCursor: string | null }> {
  const userId = requireUser(ctx);
  const query = parseInput(copyLogQuerySchema, input.query ?? {});
  if (input.subscriptionId) {
    const { rows } = await ctx.db.execute(sql`
      SELECT 1 FROM subscriptions WHERE id = ${input.subscriptionId} AND subscriber_id = ${userId}`);
    if (rows.length === 0) throw new AppError('NOT_FOUND', 'Subscription not found');
  }
  const cursor = query.cursor ? decodeCursor(query.cursor) : null;
  const { rows } = await ctx.db.execute<Row>(sql`
    SELECT d.id, d.subscription_id, d.trader_id, d.source_trade_id, d.action, p.symbol, d.outcome, d.reason, d.detail,
           d.source_quantity, d.computed_quantity, d.copy_quantity, d.expires_at::text, d.decided_at::text,
           d.created_at::text, c.id AS copy_id, c.status AS copy_status, c.filled_quantity AS copy_filled,
           c.filled_price AS copy_price,
           s.filled_at::text AS trader_filled_at, s.filled_price::text AS trader_price,
           c.submitted_at::text AS sent_at, c.filled_at::text AS copy_filled_at,
           (SELECT e.created_at::text FROM order_events e WHERE e.trade_id = c.id AND e.type = 'submitted'
             ORDER BY e.id LIMIT 1) AS accepted_at,
           (c.filled_price - s.filled_price)::numeric(10, 4)::text AS price_difference,
           (SELECT COALESCE(sum(x.filled_quantity), 0)::int FROM trades x
             WHERE x.source_trade_id = d.source_trade_id AND x.user_id = d.subscriber_id) AS copied_quantity,
           (c.queued_at IS NOT NULL AND c.broker_order_id IS NULL AND c.status = 'pending') AS copy_queued
      FROM subscription_trades d
      JOIN trades s ON s.id = d.source_trade_id
      JOIN parent_trades p ON p.id = s.parent_trade_id
      LEFT JOIN trades c ON c.id = d.copy_trade_id
     WHERE d.subscriber_id = ${userId}
       AND (${input.subscriptionId ?? null}::text IS NULL OR d.subscription_id = ${input.subscriptionId ?? null})
       AND (${query.outcome ?? null}::text IS NULL OR d.outcome = ${query.outcome ?? null})
       AND (${cursor ? cursor.createdAt.toISOString() : null}::timestamp IS NULL
            OR (d.created_at, d.id) < (${cursor ? cursor.createdAt.toISOString() : null}::timestamp, ${cursor?.id ?? ''}))
     ORDER BY d.created_at DESC, d.id DESC
     LIMIT ${query.limit + 1}`);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const lastCreated = isoOf(last?.created_at ?? null);
  return {
    copies: page.map((r) => ({
      id: r.id,
      subscriptionId: r.subscription_id,
      traderId: r.trader_id,
      sourceTradeId: r.source_trade_id,
      side: tradeSideOf(r.action),
      symbol: r.symbol,
      outcome: r.outcome,
      reason: r.reason,
      detail: r.detail,
      sourceQuantity: r.source_quantity,
      computedQuantity: r.computed_quantity,
      copyQuantity: r.copy_quantity,
      expiresAt: isoOf(r.expires_at),
      decidedAt: isoOf(r.decided_at),
      createdAt: isoOf(r.created_at),
      copyOrder: r.copy_id
        ? {
            id: r.copy_id,
            status: r.copy_status ?? 'pending',
            filledQuantity: r.copy_filled ?? 0,
            filledPrice: r.copy_price,
            queued: r.copy_queued ?? false,
          }
        : null,
      copiedQuantity: r.copied_quantity,
      timing: {
        traderFilledAt: isoOf(r.trader_filled_at),
        decidedAt: isoOf(r.decided_at),
        sentAt: isoOf(r.sent_at),
        acceptedAt: isoOf(r.accepted_at),
        filledAt: isoOf(r.copy_filled_at),
        traderFillPrice: r.trader_price,
        fillPrice: r.copy_price,
        priceDifference: r.price_difference,
      },
    })),
    nextCursor:
      rows.length > query.limit && last && lastCreated
        ? encodeCursor({ createdAt: new Date(lastCreated), id: last.id })
        : null,
  };
}
