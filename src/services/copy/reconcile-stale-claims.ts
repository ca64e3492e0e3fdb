/**
 * A copy claimed by a worker that died before recording the broker's answer (PRODUCT.md §1a):
 * its claim expired, and the placement would take it over and send it again. On a broker that
 * deduplicates client order ids (paper) that is safe; on SnapTrade it could place a second real
 * order. So before the takeover, each such copy is looked for among its account's recent orders
 * (reconcile-placement.ts) and, when found, adopted: its broker order id and fills recorded, so
 * it is not sent again.
 */
import { sql } from 'drizzle-orm';
import type { AccountProvider, OrderAction } from '../../domain/vocabulary';
import type { ServiceContext } from '../context';
import { applyOrderUpdates, reportFromBrokerOrder } from '../trading/apply-order-update';
import { findPlacedOrder } from '../trading/reconcile-placement';
import type { CopyDeps } from './deps';

type StaleCopy = {
  id: string;
  symbol: string;
  action: OrderAction;
  quantity: number;
  submitted_at: Date;
  account_id: string;
  provider: AccountProvider;
  snaptrade_account_id: string;
  snaptrade_user_id: string | null;
  snaptrade_user_secret: string | null;
};

export async function reconcileStaleClaims({
  ctx,
  deps,
  input,
}: {
  ctx: ServiceContext;
  deps: CopyDeps;
  input: { sourceTradeId: string; staleBefore: Date };
}): Promise<{ adopted: number }> {
  const { rows } = await ctx.db.execute<StaleCopy>(sql`
    SELECT t.id, p.symbol, t.action, t.quantity, t.submitted_at, a.id AS account_id, a.provider,
           a.snaptrade_account_id, u.snaptrade_user_id, u.snaptrade_user_secret
      FROM trades t
      JOIN parent_trades p ON p.id = t.parent_trade_id
      JOIN accounts a ON a.id = t.account_id
      JOIN users u ON u.id = a.user_id
     WHERE t.source_trade_id = ${input.sourceTradeId} AND t.source = 'copy' AND t.status = 'pending'
       AND t.broker_order_id IS NULL AND t.submitted_at < ${input.staleBefore.toISOString()}::timestamp
       AND a.provider <> 'paper'`);
  let adopted = 0;
  for (const copy of rows) {
    const { broker, ref } = deps.brokers.forAccount({
      id: copy.account_id,
      provider: copy.provider,
      snaptradeAccountId: copy.snaptrade_account_id,
      owner: { snaptradeUserId: copy.snaptrade_user_id, snaptradeUserSecret: copy.snaptrade_user_secret },
    });
    if (broker.deduplicatesClientOrderIds) continue;
    const found = await findPlacedOrder(ctx.db, broker, ref, {
      symbol: copy.symbol,
      side: copy.action,
      quantity: copy.quantity,
      sentAt: new Date(copy.submitted_at),
    });
    if (!found) continue;
    ctx.log.warn(
      { tradeId: copy.id, brokerOrderId: found.brokerOrderId },
      'copy claimed by a worker that died was placed: adopted, not sent again',
    );
    await applyOrderUpdates({
      ctx,
      input: { updates: [{ tradeId: copy.id, report: reportFromBrokerOrder(found), source: 'placement' }] },
    });
    adopted += 1;
  }
  return { adopted };
}
