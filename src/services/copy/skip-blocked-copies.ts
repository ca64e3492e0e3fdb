/**
 * PRODUCT.md §1a at placement time: a copy order whose account cannot trade now (its SnapTrade
 * connection is broken, or it connects read-only) is not sent. The order ends `rejected` with
 * the reason in words, its decision becomes `skipped` with the reason code, and the subscriber
 * is told. Checked when the copy is about to be sent, so it covers openings, closings and
 * approved copies alike, and a connection that broke after the decision.
 */
import { sql } from 'drizzle-orm';
import type { TradingBlock } from '../accounts/trading-permission';
import type { ServiceContext } from '../context';
import { notifyMany } from '../notifications/notify';
import { applyOrderUpdates } from '../trading/apply-order-update';
import { inTransaction } from '../transaction';

export async function skipBlockedCopies({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { copies: Array<{ tradeId: string; block: TradingBlock }> };
}): Promise<void> {
  const { copies } = input;
  if (copies.length === 0) return;
  await inTransaction(ctx, async (tx) => {
    const inTx = { ...ctx, db: tx };
    await applyOrderUpdates({
      ctx: inTx,
      input: {
        updates: copies.map(({ tradeId, block }) => ({
          tradeId,
          report: { status: 'rejected', filledQuantity: 0, averageFillPrice: null, reason: block.message },
          source: 'placement',
        })),
      },
    });
    // The rejection made the decision `failed`; it is a skip with its own reason instead.
    const { rows } = await tx.execute<{
      subscriber_id: string;
      subscription_id: string;
      source_trade_id: string;
      reason: string;
    }>(sql`
      UPDATE subscription_trades st SET outcome = 'skipped', reason = x.reason, detail = x.detail,
             decided_at = ${ctx.now().toISOString()}::timestamp, updated_at = ${ctx.now().toISOString()}::timestamp
        FROM unnest(${sql.param(copies.map((c) => c.tradeId))}::text[],
                    ${sql.param(copies.map((c) => c.block.reason))}::text[],
                    ${sql.param(copies.map((c) => c.block.message))}::text[]) AS x(trade_id, reason, detail)
       WHERE st.copy_trade_id = x.trade_id
      RETURNING st.subscriber_id, st.subscription_id, st.source_trade_id, st.reason`);
    await notifyMany({
      tx,
      ctx,
      input: rows.map((row) => ({
        userId: row.subscriber_id,
        type: 'copy_trade_skipped' as const,
        title: 'Copy trade skipped',
        body:
          row.reason === 'account_read_only'
            ? 'A copy was not sent: your selected account connects read-only and cannot trade.'
            : 'A copy was not sent: your brokerage connection is broken. Reconnect it to resume copies.',
        data: { sourceTradeId: row.source_trade_id, subscriptionId: row.subscription_id, reason: row.reason },
      })),
    });
  });
}
