import { tradeSideOf } from '../../domain/vocabulary';
import type { ServiceContext } from '../context';
import { notifyMany } from '../notifications/notify';
import { describeContract } from '../notifications/notify-order-update';
import { inTransaction, type Transaction } from '../transaction';
import { describeApprovalWindow } from './approval-window';
import { createCopyOrders, writeDecisions } from './create-copies';
import { type Decision, decideClosings, decideOpenings } from './decide-copies';
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

/** Tell subscribers about copies waiting for them and copies skipped, in one statement. */
async function notifyDecisions(
  tx: Transaction,
  ctx: ServiceContext,
  deps: CopyDeps,
  source: SourceTrade,
  decisions: Decision[],
) {
  const told = decisions.filter((d) => d.outcome !== 'executed');
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
      return {
        userId: d.subscriberId,
        type: waiting ? 'copy_trade_alert' : 'copy_trade_skipped',
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
 * The copy fan-out of one trader's trade (PRODUCT.md §3), run as a job. One transaction decides
 * every active subscription set-based, writes all decisions and the copy orders in batches;
 * then the copy orders go to the subscribers' brokers and each result is recorded as it comes
 * back. Idempotent: run again (a retry, a second worker, a recovery after a crash) it decides
 * nothing twice and sends only copies still unsent.
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
  const source = await loadSourceTrade(ctx.db, input.tradeId);
  const result: FanOutResult = { decided: 0, executed: 0, pendingApproval: 0, skipped: 0, sent: 0 };
  if (!source || !isCopyable(source)) return result;

  const created = await inTransaction(ctx, async (tx) => {
    const decisions =
      source.trade.action === 'buy'
        ? await decideOpenings(tx, ctx, deps, source)
        : await decideClosings(tx, source);
    const written = await writeDecisions(tx, ctx, deps, source, decisions);
    const fresh = decisions.filter((d) => written.has(d.subscriptionId));
    const copies = fresh.flatMap((d) => {
      const decisionId = written.get(d.subscriptionId);
      if (d.outcome !== 'executed' || !decisionId || !d.accountId || !d.copyQuantity) return [];
      return [
        {
          decisionId,
          subscriberId: d.subscriberId,
          accountId: d.accountId,
          quantity: d.copyQuantity,
          positionId: d.positionId,
        },
      ];
    });
    const tradeIds = await createCopyOrders(tx, ctx, source, copies);
    await notifyDecisions(tx, ctx, deps, source, fresh);
    result.decided = fresh.length;
    result.executed = copies.length;
    result.pendingApproval = fresh.filter((d) => d.outcome === 'pending_approval').length;
    result.skipped = fresh.filter((d) => d.outcome === 'skipped').length;
    return tradeIds;
  });

  deps.faults?.afterCopyDecisions?.();
  const placed = await placeCopyOrders({
    ctx,
    deps,
    input: { sourceTradeId: source.trade.id, owned: created },
  });
  result.sent = placed.sent;
  if (placed.inFlightElsewhere > 0) {
    // Another worker holds some copies; fail so the job is retried and finishes whatever it left.
    throw new Error(
      `${placed.inFlightElsewhere} copy order(s) of ${source.trade.id} are still being sent elsewhere`,
    );
  }
  return result;
}
