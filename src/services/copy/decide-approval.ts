import { sql } from 'drizzle-orm';
import { roundHalfDown } from '../../domain/copy-sizing';
import type { CopyOutcome, OrderAction, SubscriptionStatus } from '../../domain/vocabulary';
import { AppError } from '../../errors';
import { requireUser, type ServiceContext } from '../context';
import { inTransaction, type Transaction } from '../transaction';
import { describeApprovalWindow } from './approval-window';
import { createCopyOrder } from './create-copies';
import { closingSaleFor, lockPosition, traderHoldingNow } from './decide-copies';
import type { CopyDeps } from './deps';
import { placeCopyOrders } from './place-copies';
import { loadSourceTrade } from './source-trade';

type Pending = {
  id: string;
  outcome: CopyOutcome;
  lapsed: boolean;
  /** The approval window this copy was given (the setting when it was decided). */
  window_ms: number | null;
  action: OrderAction;
  copy_quantity: number | null;
  source_quantity: number;
  source_trade_id: string;
  subscription_id: string;
  subscription_status: SubscriptionStatus;
  reason: string | null;
  /** Milliseconds since the decision ended as it is (failed, price_drift): the retry window. */
  since_ms: number | null;
};

/** The subscriber's own decision, locked; 404 for anyone else's. */
async function lockDecision(tx: Transaction, userId: string, decisionId: string, now: Date) {
  const { rows } = await tx.execute<Pending>(sql`
    SELECT d.id, d.outcome, COALESCE(d.expires_at <= ${now.toISOString()}::timestamp, false) AS lapsed,
           (extract(epoch FROM d.expires_at - d.created_at) * 1000)::int AS window_ms, d.action, d.copy_quantity, d.source_quantity, d.source_trade_id, d.subscription_id, s.status AS subscription_status,
           d.reason, (extract(epoch FROM ${now.toISOString()}::timestamp - d.decided_at) * 1000)::bigint AS since_ms
      FROM subscription_trades d JOIN subscriptions s ON s.id = d.subscription_id
     WHERE d.id = ${decisionId} AND d.subscriber_id = ${userId}
       FOR UPDATE OF d`);
  const decision = rows[0];
  if (!decision) throw new AppError('NOT_FOUND', 'Copy not found');
  return decision;
}

function assertWaiting(decision: Pending) {
  if (decision.outcome !== 'pending_approval') {
    throw new AppError('PRECONDITION_FAILED', `This copy is ${decision.outcome.replace('_', ' ')}`);
  }
  if (decision.lapsed) {
    const window =
      decision.window_ms === null ? '' : `: approvals last ${describeApprovalWindow(decision.window_ms)}`;
    throw new AppError('PRECONDITION_FAILED', `This copy lapsed${window}`);
  }
}

/**
 * Approve a copy waiting for the subscriber (PRODUCT.md §3), at market now. An opening copy is
 * scaled to what the trader still holds (round_half_down(approved × R_T ÷ B_T)); when the trader
 * has closed, the approval is refused (409) and the copy ends `lapsed`, `source_closed`. A
 * closing copy sells what is then beyond the subscriber's target (everything once the trader
 * has closed).
 */
export async function approveCopy({
  ctx,
  deps,
  input,
}: {
  ctx: ServiceContext;
  deps: CopyDeps;
  input: { decisionId: string };
}): Promise<{ decisionId: string; copyTradeId: string | null }> {
  const userId = requireUser(ctx);
  const approved = await inTransaction(ctx, async (tx) => {
    const decision = await lockDecision(tx, userId, input.decisionId, ctx.now());
    assertWaiting(decision);
    if (decision.subscription_status !== 'active') {
      throw new AppError('PRECONDITION_FAILED', 'The subscription is no longer active');
    }
    const source = await loadSourceTrade(tx, decision.source_trade_id);
    if (!source) throw new AppError('NOT_FOUND', 'Copy not found');
    await lockPosition(tx, source);
    let accountId: string | null = null;
    let positionId: string | null = null;
    let quantity = decision.copy_quantity ?? 0;
    let mirrored: number | null = null;
    if (decision.action === 'buy') {
      const { rows } = await tx.execute<{ id: string }>(sql`
        SELECT id FROM accounts WHERE user_id = ${userId} AND is_selected IS TRUE AND is_active IS TRUE`);
      accountId = rows[0]?.id ?? null;
      if (!accountId) throw new AppError('PRECONDITION_FAILED', 'Select an active brokerage account first');
      // A stale opening is never opened: scaled to the trader's holding now.
      const holding = await traderHoldingNow(tx, source);
      quantity = Math.min(quantity, roundHalfDown(quantity * holding, Math.max(1, decision.source_quantity)));
      // The copy now mirrors the trader's holding, not the whole fill (B_T of later closes).
      mirrored = Math.min(decision.source_quantity, holding);
      if (quantity < 1) {
        await tx.execute(sql`
          UPDATE subscription_trades SET outcome = 'lapsed', reason = 'source_closed', copy_quantity = 0,
                 decided_at = ${ctx.now().toISOString()}::timestamp
           WHERE id = ${decision.id}`);
        return null;
      }
    } else {
      const sale = await closingSaleFor(tx, source, decision.subscription_id);
      if (!sale?.accountId || sale.quantity < 1) {
        throw new AppError('PRECONDITION_FAILED', 'Nothing is left to close on this copy');
      }
      accountId = sale.accountId;
      positionId = sale.positionId;
      quantity = sale.quantity;
    }
    await tx.execute(sql`
      UPDATE subscription_trades SET outcome = 'approved', copy_quantity = ${quantity},
             mirrored_quantity = COALESCE(${mirrored}::int, mirrored_quantity),
             decided_at = ${ctx.now().toISOString()}::timestamp
       WHERE id = ${decision.id}`);
    const tradeId = await createCopyOrder(tx, ctx, source, {
      decisionId: decision.id,
      subscriberId: userId,
      accountId,
      quantity,
      positionId,
    });
    return { sourceTradeId: source.trade.id, copyTradeId: tradeId };
  });
  if (!approved) {
    throw new AppError('CONFLICT', 'The trader has already closed this position, so the copy lapsed', {
      details: { outcome: 'lapsed', reason: 'source_closed' },
    });
  }
  const { sourceTradeId, copyTradeId } = approved;
  if (copyTradeId) {
    await placeCopyOrders({
      ctx,
      deps,
      input: { sourceTradeId, owned: [copyTradeId], tradeIds: [copyTradeId] },
    });
  }
  return { decisionId: input.decisionId, copyTradeId };
}

/** Dismiss a copy waiting for the subscriber: it will not be copied. */
export async function dismissCopy({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { decisionId: string };
}): Promise<{ decisionId: string }> {
  const userId = requireUser(ctx);
  await inTransaction(ctx, async (tx) => {
    const decision = await lockDecision(tx, userId, input.decisionId, ctx.now());
    assertWaiting(decision);
    await tx.execute(sql`
      UPDATE subscription_trades SET outcome = 'dismissed', decided_at = ${ctx.now().toISOString()}::timestamp
       WHERE id = ${decision.id}`);
  });
  return { decisionId: input.decisionId };
}

/**
 * Retry a `failed` or `price_drift` copy from the copy log (PRODUCT.md §3): within the window
 * (15 minutes) and only while the trader still holds the position; a new Market order on the
 * same decision row, never a second decision. An opening is scaled to the trader's holding now,
 * a closing sells what is then beyond the target.
 */
export async function retryCopy({
  ctx,
  deps,
  input,
}: {
  ctx: ServiceContext;
  deps: CopyDeps;
  input: { decisionId: string };
}): Promise<{ decisionId: string; copyTradeId: string | null }> {
  const userId = requireUser(ctx);
  const { sourceTradeId, copyTradeId } = await inTransaction(ctx, async (tx) => {
    const decision = await lockDecision(tx, userId, input.decisionId, ctx.now());
    if (decision.outcome !== 'failed' && decision.reason !== 'price_drift') {
      throw new AppError('PRECONDITION_FAILED', 'Only a failed or price-drift copy can be retried');
    }
    if (decision.since_ms === null || Number(decision.since_ms) > deps.copy.approvalWindowMs) {
      throw new AppError(
        'PRECONDITION_FAILED',
        `A copy can be retried for ${describeApprovalWindow(deps.copy.approvalWindowMs)}`,
      );
    }
    if (decision.subscription_status !== 'active') {
      throw new AppError('PRECONDITION_FAILED', 'The subscription is no longer active');
    }
    const source = await loadSourceTrade(tx, decision.source_trade_id);
    if (!source) throw new AppError('NOT_FOUND', 'Copy not found');
    await lockPosition(tx, source);
    const holding = await traderHoldingNow(tx, source);
    let accountId: string | null = null;
    let positionId: string | null = null;
    let quantity = decision.copy_quantity ?? 0;
    if (decision.action === 'buy') {
      if (holding < 1) throw new AppError('PRECONDITION_FAILED', 'The trader no longer holds this position');
      const { rows } = await tx.execute<{ id: string }>(sql`
        SELECT id FROM accounts WHERE user_id = ${userId} AND is_selected IS TRUE AND is_active IS TRUE`);
      accountId = rows[0]?.id ?? null;
      if (!accountId) throw new AppError('PRECONDITION_FAILED', 'Select an active brokerage account first');
      quantity = Math.min(quantity, roundHalfDown(quantity * holding, Math.max(1, decision.source_quantity)));
    } else {
      const sale = await closingSaleFor(tx, source, decision.subscription_id);
      if (!sale?.accountId || sale.quantity < 1) {
        throw new AppError('PRECONDITION_FAILED', 'Nothing is left to close on this copy');
      }
      accountId = sale.accountId;
      positionId = sale.positionId;
      quantity = sale.quantity;
    }
    if (quantity < 1) throw new AppError('PRECONDITION_FAILED', 'The trader no longer holds this position');
    await tx.execute(sql`
      UPDATE subscription_trades SET outcome = 'executed', reason = NULL, detail = NULL, copy_quantity = ${quantity},
             decided_at = ${ctx.now().toISOString()}::timestamp
       WHERE id = ${decision.id}`);
    const tradeId = await createCopyOrder(tx, ctx, source, {
      decisionId: decision.id,
      subscriberId: userId,
      accountId,
      quantity,
      positionId,
    });
    return { sourceTradeId: source.trade.id, copyTradeId: tradeId };
  });
  if (copyTradeId) {
    await placeCopyOrders({
      ctx,
      deps,
      input: { sourceTradeId, owned: [copyTradeId], tradeIds: [copyTradeId] },
    });
  }
  return { decisionId: input.decisionId, copyTradeId };
}
