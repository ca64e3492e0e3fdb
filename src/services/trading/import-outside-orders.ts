/**
 * PRODUCT.md §1a "orders placed outside Alertsify": an option order at the broker that none of
 * our orders is (found by a sync, or the sync a TRADE_DETECTION starts) is imported as the
 * user's own order: `source = 'manual'`, the broker order id kept, in the user's open position
 * for the contract (opened for a buy), then brought to the broker's state like any order, so
 * its fills fold into the position and a trader's fills are copied. Idempotent by broker order
 * id (one of our orders per broker order, a unique index).
 */
import { sql } from 'drizzle-orm';
import type { BrokerOrder } from '../../broker/port';
import { buildOccSymbol, parseOccSymbol } from '../../domain/occ';
import type { ServiceContext } from '../context';
import { inTransaction } from '../transaction';
import { applyOrderUpdate, reportFromBrokerOrder } from './apply-order-update';
import type { AccountWithOwner } from './load-account';
import { RECONCILE_WINDOW_MS } from './reconcile-placement';

function contractOf(symbol: string) {
  try {
    const contract = parseOccSymbol(symbol.trim().toUpperCase());
    return { ...contract, symbol: buildOccSymbol(contract) };
  } catch {
    return null; // not an option order: not ours to import
  }
}

export async function importOutsideOrders({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { account: AccountWithOwner; orders: BrokerOrder[] };
}): Promise<{ imported: string[] }> {
  const { account } = input;
  const candidates = input.orders.filter(
    (order) => order.status !== 'rejected' && !(order.status === 'cancelled' && order.filledQuantity === 0),
  );
  if (candidates.length === 0) return { imported: [] };
  const { rows: known } = await ctx.db.execute<{ broker_order_id: string }>(sql`
    SELECT broker_order_id FROM trades
     WHERE account_id = ${account.id} AND broker_order_id = ANY(${sql.param(candidates.map((o) => o.brokerOrderId))}::text[])`);
  const knownIds = new Set(known.map((row) => row.broker_order_id));
  // Orders of ours whose answer is still unknown may be any of these: reconciliation decides.
  const { rows: unanswered } = await ctx.db.execute<{
    symbol: string;
    action: string;
    quantity: number;
    sent: Date;
  }>(sql`
    SELECT p.symbol, t.action, t.quantity, COALESCE(t.submitted_at, t.created_at) AS sent
      FROM trades t JOIN parent_trades p ON p.id = t.parent_trade_id
     WHERE t.account_id = ${account.id} AND t.status = 'pending' AND t.broker_order_id IS NULL`);
  const imported: string[] = [];
  for (const order of candidates) {
    if (knownIds.has(order.brokerOrderId)) continue;
    const contract = contractOf(order.symbol);
    if (!contract) continue;
    const placedAt = order.placedAt ?? order.updatedAt;
    const maybeOurs = unanswered.some(
      (mine) =>
        mine.symbol === contract.symbol &&
        mine.action === order.side &&
        mine.quantity === order.quantity &&
        Math.abs(new Date(mine.sent).getTime() - placedAt.getTime()) <= RECONCILE_WINDOW_MS,
    );
    if (maybeOurs) continue;
    try {
      const tradeId = await insertImported(ctx, account, order, contract, placedAt);
      if (!tradeId) continue;
      await applyOrderUpdate({
        ctx,
        input: { tradeId, report: reportFromBrokerOrder(order), source: 'sync' },
      });
      imported.push(tradeId);
    } catch (error) {
      // One order we cannot keep (a sale of more than we know held) must not stop the sync.
      ctx.log.warn(
        { accountId: account.id, brokerOrderId: order.brokerOrderId, err: error },
        'order not imported',
      );
    }
  }
  if (imported.length > 0)
    ctx.log.info({ accountId: account.id, imported }, 'orders placed at the broker imported');
  return { imported };
}

/** The imported order, `pending` in its position; null when already imported or nothing to sell from. */
async function insertImported(
  ctx: ServiceContext,
  account: AccountWithOwner,
  order: BrokerOrder,
  contract: NonNullable<ReturnType<typeof contractOf>>,
  placedAt: Date,
): Promise<string | null> {
  const now = ctx.now().toISOString();
  const at = placedAt.toISOString();
  return inTransaction(ctx, async (tx) => {
    const open = () =>
      tx.execute<{ id: string }>(sql`
        SELECT id FROM parent_trades
         WHERE user_id = ${account.userId} AND symbol = ${contract.symbol} AND status = 'open'
           AND source_parent_trade_id IS NULL
         FOR NO KEY UPDATE`);
    let [position] = (await open()).rows;
    if (!position && order.side === 'buy') {
      await tx.execute(sql`
        INSERT INTO parent_trades (user_id, underlying, option_type, strike, expiration, symbol, opened_at, created_at, updated_at)
        VALUES (${account.userId}, ${contract.underlying}, ${contract.optionType}, ${contract.strike},
                ${contract.expiration}::date, ${contract.symbol}, ${at}::timestamp, ${now}::timestamp, ${now}::timestamp)
        ON CONFLICT DO NOTHING`);
      [position] = (await open()).rows;
    }
    // A sale of contracts we never saw bought is not a position we can keep.
    if (!position) return null;
    const { rows } = await tx.execute<{ id: string }>(sql`
      WITH inserted AS (
        INSERT INTO trades (parent_trade_id, user_id, account_id, action, quantity, order_type, status,
                            broker_order_id, source, created_at, updated_at, submitted_at)
        VALUES (${position.id}, ${account.userId}, ${account.id}, ${order.side}, ${order.quantity},
                ${order.orderType}, 'pending', ${order.brokerOrderId}, 'manual', ${at}::timestamp,
                ${now}::timestamp, ${at}::timestamp)
        ON CONFLICT DO NOTHING
        RETURNING id
      ), events AS (
        INSERT INTO order_events (trade_id, type, to_status, idempotency_key, detail, created_at)
        SELECT id, 'created', 'pending', 'created',
               jsonb_build_object('importedFrom', 'broker', 'brokerOrderId', ${order.brokerOrderId}::text), ${now}::timestamp
          FROM inserted
      )
      SELECT id FROM inserted`);
    return rows[0]?.id ?? null;
  });
}
