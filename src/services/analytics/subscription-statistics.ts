import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client';
import { AppError } from '../../errors';
import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import { analyticsAsOf, type DecimalFigure } from './sql';

/**
 * What one subscription got (analytics_subscription_stats): its copy decisions by outcome, its
 * copies that filled, and the realised P&L of the positions copied through it.
 */
export type SubscriptionStatistics = {
  subscriptionId: string;
  traderId: string;
  /** Every decision about one of the trader's trades (PRODUCT.md §3). */
  decisions: number;
  /** Copy orders that filled (any quantity). */
  executed: number;
  skipped: number;
  /** Skipped decisions by their reason code. */
  skippedByReason: Record<string, number>;
  failed: number;
  pendingApproval: number;
  dismissed: number;
  lapsed: number;
  /** The subscriber's closed positions copied from this trader, and their realised P&L. */
  closedPositions: number;
  wins: number;
  losses: number;
  totalPnl: string;
  roi: DecimalFigure;
};

type Row = {
  subscription_id: string;
  trader_id: string;
  decisions: number;
  executed: number;
  skipped: number;
  skipped_by_reason: Record<string, number>;
  failed: number;
  pending_approval: number;
  dismissed: number;
  lapsed: number;
  closed_positions: number;
  wins: number;
  losses: number;
  total_pnl: string;
  roi: string | null;
};

/**
 * The subscriber's subscriptions (those `where` keeps) with their statistics, newest first. A
 * subscription made since the last refresh has nothing to count yet: zeros.
 */
async function selectStatistics(
  db: Executor,
  subscriberId: string,
  where: SQL,
): Promise<SubscriptionStatistics[]> {
  const { rows } = await db.execute<Row>(sql`
    SELECT s.id AS subscription_id, s.trader_id,
           COALESCE(a.decisions, 0) AS decisions, COALESCE(a.executed, 0) AS executed,
           COALESCE(a.skipped, 0) AS skipped, COALESCE(a.skipped_by_reason, '{}'::jsonb) AS skipped_by_reason,
           COALESCE(a.failed, 0) AS failed, COALESCE(a.pending_approval, 0) AS pending_approval,
           COALESCE(a.dismissed, 0) AS dismissed, COALESCE(a.lapsed, 0) AS lapsed,
           COALESCE(a.closed_positions, 0) AS closed_positions, COALESCE(a.wins, 0) AS wins,
           COALESCE(a.losses, 0) AS losses, COALESCE(a.total_pnl, 0::numeric(15, 2)) AS total_pnl, a.roi
      FROM subscriptions s
      LEFT JOIN analytics_subscription_stats a ON a.subscription_id = s.id
     WHERE s.subscriber_id = ${subscriberId} AND ${where}
     ORDER BY s.created_at DESC, s.id DESC`);
  return rows.map((r) => ({
    subscriptionId: r.subscription_id,
    traderId: r.trader_id,
    decisions: r.decisions,
    executed: r.executed,
    skipped: r.skipped,
    skippedByReason: r.skipped_by_reason,
    failed: r.failed,
    pendingApproval: r.pending_approval,
    dismissed: r.dismissed,
    lapsed: r.lapsed,
    closedPositions: r.closed_positions,
    wins: r.wins,
    losses: r.losses,
    totalPnl: r.total_pnl,
    roi: r.roi,
  }));
}

const subscriptionIdSchema = z.object({
  subscriptionId: z.string('is required').trim().min(1, 'is required'),
});

/** One of the signed-in user's subscriptions' statistics; someone else's answers NOT_FOUND. */
export async function getSubscriptionStatistics({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { subscriptionId: string } | unknown;
}): Promise<SubscriptionStatistics & { asOf: string | null }> {
  const subscriberId = requireUser(ctx);
  const { subscriptionId } = parseInput(subscriptionIdSchema, input);
  const [[statistics], asOf] = await Promise.all([
    selectStatistics(ctx.db, subscriberId, sql`s.id = ${subscriptionId}`),
    analyticsAsOf(ctx.db),
  ]);
  if (!statistics) throw new AppError('NOT_FOUND', 'Subscription not found');
  return { ...statistics, asOf };
}

/** The statistics of every subscription of the signed-in user (as subscriber), newest first. */
export async function listSubscriptionStatistics({ ctx }: { ctx: ServiceContext }): Promise<{
  asOf: string | null;
  subscriptions: SubscriptionStatistics[];
}> {
  const subscriberId = requireUser(ctx);
  const [subscriptions, asOf] = await Promise.all([
    selectStatistics(ctx.db, subscriberId, sql`TRUE`),
    analyticsAsOf(ctx.db),
  ]);
  return { asOf, subscriptions };
}
