import { sql } from 'drizzle-orm';
import { easternDate, easternDayBounds } from '../../domain/market-calendar';
import { tradeSideOf } from '../../domain/vocabulary';
import { enqueue } from '../../jobs/queue';
import type { ServiceContext } from '../context';
import { notifyMany } from '../notifications/notify';
import { describeContract } from '../notifications/notify-order-update';
import { inTransaction, type Transaction } from '../transaction';
import { describeApprovalWindow } from './approval-window';
import { type CreatedCopy, writeDecisions } from './create-copies';
import { type Decision, decideClosings, decideOpenings, lockForDecisions } from './decide-copies';
import type { CopyDeps } from './deps';
import { placeCopyOrders } from './place-copies';
import { isCopyable, loadSourceTrade, type SourceTrade } from './source-trade';

export type FanOutResult = {
  decided: number;
  executed: number;
  pendingApproval: number;
  skipped: number;
  sent: number;
};

/**
 * Tell subscribers about copies waiting for them and copies skipped, in one statement; a daily
 * loss stop is told once per subscription and Eastern day.
 */
async function notifyDecisions(
  tx: Transaction,
  ctx: ServiceContext,
  deps: CopyDeps,
  source: SourceTrade,
  decisions: Decision[],
) {
  let told = decisions.filter((d) => d.outcome !== 'executed');
  const stops = told.filter((d) => d.reason === 'daily_loss_limit');
  if (stops.length > 0) {
    const day = easternDayBounds(easternDate(ctx.now()));
    const { rows } = await tx.execute<{ subscription_id: string }>(sql`
      SELECT DISTINCT data->>'subscriptionId' AS subscription_id FROM notifications
       WHERE type = 'daily_loss_limit' AND user_id = ANY(${sql.param(stops.map((d) => d.subscriberId))}::text[])
         AND created_at >= ${day.start.toISOString()}::timestamp`);
    const already = new Set(rows.map((r) => r.subscription_id));
    told = told.filter((d) => d.reason !== 'daily_loss_limit' || !already.has(d.subscriptionId));
  }
  if (told.length === 0) return;
  const { trade, position } = source;
  const contract = describeContract(position);
  const window = describeApprovalWindow(deps.copy.approvalWindowMs);
  const side = tradeSideOf(trade.action);
  await notifyMany({
    tx,
    ctx,
    input: told.map((d) => {
      const waiting = d.outcome === 'pending_approval';
      if (d.reason === 'daily_loss_limit') {
        return {
          userId: d.subscriberId,
          type: 'daily_loss_limit' as const,
          title: 'Daily loss limit reached',
          body: `Your copied positions reached your daily loss limit: new openings are not copied until midnight New York time (${side} ${contract} was not copied)`,
          data: { sourceTradeId: trade.id, subscriptionId: d.subscriptionId, reason: d.reason },
        };
      }
      return {
        userId: d.subscriberId,
        type: waiting ? ('copy_trade_alert' as const) : ('copy_trade_skipped' as const),
        title: waiting ? 'Copy trade waiting for approval' : 'Copy trade skipped',
        body: waiting
          ? `${side} ${contract}: approve within ${window} to copy ${d.copyQuantity} contract(s)`
          : `${side} ${contract} was not copied: ${(d.reason ?? '').replaceAll('_', ' ')}`,
        data: { sourceTradeId: trade.id, subscriptionId: d.subscriptionId, reason: d.reason },
      };
    }),
  });
}

/**
 * The drift guard's Limit copies (those of decisions with a limit price) are cancelled if still
 * unfilled after their subscription's `driftLimitSeconds` (one delayed job per distinct delay).
 */
export async function scheduleDriftCancels(
  tx: Transaction,
  ctx: ServiceContext,
  decisions: Pick<Decision, 'subscriptionId' | 'limitPrice' | 'driftLimitSeconds'>[],
  created: CreatedCopy[],
) {
  const seconds = new Map(
    decisions.filter((d) => d.limitPrice).map((d) => [d.subscriptionId, d.driftLimitSeconds ?? 0]),
  );
  const bySeconds = new Map<number, string[]>();
  for (const { subscriptionId, tradeId } of created) {
    const delay = seconds.get(subscriptionId);
    if (delay !== undefined) bySeconds.set(delay, [...(bySeconds.get(delay) ?? []), tradeId]);
  }
  for (const [delay, tradeIds] of bySeconds) {
    await enqueue(tx, 'cancel-drift-copies', { tradeIds }, { now: ctx.now(), delayMs: delay * 1000 });
  }
}

/**
 * Decide one trader's trade up to its latest fill, in one transaction: every active subscription
 * set-based, the decisions and copy orders written in batches, and the fill marked as fanned out.
 * Returns the copy orders created (claimed by this run).
 */
async function decideTrade(
  ctx: ServiceContext,
  deps: CopyDeps,
  tradeId: string,
  result: FanOutResult,
): Promise<{ source: SourceTrade; created: string[] } | null> {
  const first = await loadSourceTrade(ctx.db, tradeId);
  if (!first || !isCopyable(first)) return null;
  return inTransaction(ctx, async (tx) => {
    await lockForDecisions(tx, first);
    // Read again under the lock: the trader's order may have filled further meanwhile.
    const source = (await loadSourceTrade(tx, tradeId)) ?? first;
    const decisions =
      source.trade.action === 'buy'
        ? await decideOpenings(tx, ctx, deps, source)
        : await decideClosings(tx, source);
    const { written, created } = await writeDecisions(tx, ctx, deps, source, decisions);
    const fresh = decisions.filter((d) => written.has(d.subscriptionId));
    await scheduleDriftCancels(tx, ctx, fresh, created);
    await notifyDecisions(
      tx,
      ctx,
      deps,
      source,
      fresh.filter((d) => d.previousSourceQuantity === null && d.reason !== 'at_target'),
    );
    if (source.trade.fillSeq !== null) {
      await tx.execute(sql`
        INSERT INTO copy_fan_outs (trade_id, copied_seq, updated_at)
        VALUES (${source.trade.id}, ${source.trade.fillSeq}, ${ctx.now().toISOString()}::timestamp)
        ON CONFLICT (trade_id) DO UPDATE SET copied_seq = GREATEST(copy_fan_outs.copied_seq, EXCLUDED.copied_seq),
                                             updated_at = EXCLUDED.updated_at`);
    }
    result.decided += fresh.length;
    result.executed += created.length;
    result.pendingApproval += fresh.filter((d) => d.outcome === 'pending_approval').length;
    result.skipped += fresh.filter((d) => d.outcome === 'skipped').length;
    return { source, created: created.map((c) => c.tradeId) };
  });
}

/**
 * The copy fan-out of one trader's trade (PRODUCT.md §3), run as a job each time the trader's
 * order fills (one queue per trader position). Earlier fills of the same position not fanned out
 * yet are decided first, in fill order, so whatever order the jobs arrive in, each sale's copies
 * are sized on the holdings its predecessors left. Each trade: one transaction decides every
 * active subscription set-based; then the copy orders go to the subscribers' brokers and each
 * result is recorded as it comes back. Idempotent: run again (a retry, a second worker, a
 * recovery after a crash) it decides nothing twice and sends only copies still unsent.
 */
export async function fanOutCopies({
  ctx,
  deps,
  input,
}: {
  ctx: ServiceContext;
  deps: CopyDeps;
  input: { tradeId: string };
}): Promise<FanOutResult> {
  const result: FanOutResult = { decided: 0, executed: 0, pendingApproval: 0, skipped: 0, sent: 0 };
  const target = await loadSourceTrade(ctx.db, input.tradeId);
  if (!target || !isCopyable(target)) return result;

  const { rows: behind } = await ctx.db.execute<{ id: string }>(sql`
    SELECT t.id FROM trades t LEFT JOIN copy_fan_outs f ON f.trade_id = t.id
     WHERE t.parent_trade_id = ${target.position.id} AND t.id <> ${target.trade.id}
       AND t.source = 'manual' AND t.fill_seq < ${target.trade.fillSeq ?? 0}
       AND (f.copied_seq IS NULL OR f.copied_seq < t.fill_seq)
     ORDER BY t.fill_seq`);
  let inFlightElsewhere = 0;
  for (const tradeId of [...behind.map((r) => r.id), input.tradeId]) {
    const own = tradeId === input.tradeId;
    const step: FanOutResult = { decided: 0, executed: 0, pendingApproval: 0, skipped: 0, sent: 0 };
    const decided = await decideTrade(ctx, deps, tradeId, own ? result : step);
    if (!decided) continue;
    if (own) deps.faults?.afterCopyDecisions?.();
    const placed = await placeCopyOrders({
      ctx,
      deps,
      input: { sourceTradeId: tradeId, owned: decided.created },
    });
    if (own) result.sent = placed.sent;
    inFlightElsewhere += placed.inFlightElsewhere;
  }
  if (inFlightElsewhere > 0) {
    // Another worker holds some copies; fail so the job is retried and finishes whatever it left.
    throw new Error(`${inFlightElsewhere} copy order(s) of ${input.tradeId} are still being sent elsewhere`);
  }
  return result;
}
