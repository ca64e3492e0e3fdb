import { sql } from 'drizzle-orm';
import type { ServiceContext } from '../context';
import type { Transaction } from '../transaction';
import type { Decision } from './decide-copies';
import type { CopyDeps } from './deps';
import type { SourceTrade } from './source-trade';

const iso = (date: Date) => date.toISOString();

/**
 * The CTEs that insert copy orders, `pending` and claimed (`submitted_at`) by the run that will
 * send them, with their `created` events, for the rows of the CTE `copies` (trade_id,
 * position_id, user_id, account_id, quantity, limit_price): a Market order, or the drift
 * guard's Limit, with `source = 'copy'`.
 */
function insertCopyOrders(source: SourceTrade, now: string) {
  const { trade } = source;
  return sql`
    inserted AS (
      INSERT INTO trades (id, parent_trade_id, user_id, account_id, action, quantity, order_type, limit_price, status,
                          source, source_trader_id, source_trade_id, created_at, updated_at, submitted_at)
      SELECT trade_id, position_id, user_id, account_id, ${trade.action}, quantity,
             CASE WHEN limit_price IS NULL THEN 'Market' ELSE 'Limit' END, limit_price, 'pending',
             'copy', ${trade.userId}, ${trade.id}, ${now}::timestamp, ${now}::timestamp, ${now}::timestamp
        FROM copies
      RETURNING id
    ), events AS (
      INSERT INTO order_events (trade_id, type, to_status, idempotency_key, detail, created_at)
      SELECT id, 'created', 'pending', 'created', jsonb_build_object('copyOf', ${trade.id}::text), ${now}::timestamp
        FROM inserted
    )`;
}

/**
 * For opening copies: each subscriber's copied position of the trader's position, found or
 * opened (linked to the trader's position). Returns the position ids by subscriber.
 */
async function copiedPositions(
  tx: Transaction,
  source: SourceTrade,
  subscribers: string[],
  now: string,
): Promise<Map<string, string>> {
  const { position } = source;
  if (subscribers.length === 0) return new Map();
  await tx.execute(sql`
    INSERT INTO parent_trades (user_id, underlying, option_type, strike, expiration, symbol, source_parent_trade_id, opened_at, created_at, updated_at)
    SELECT u, ${position.underlying}, ${position.optionType}, ${position.strike}, ${position.expiration}::date,
           ${position.symbol}, ${position.id}, ${now}::timestamp, ${now}::timestamp, ${now}::timestamp
      FROM unnest(${sql.param(subscribers)}::text[]) AS u
    ON CONFLICT (user_id, symbol, (COALESCE(source_parent_trade_id, ''))) WHERE status = 'open' DO NOTHING`);
  const { rows } = await tx.execute<{ id: string; user_id: string }>(sql`
    SELECT id, user_id FROM parent_trades
     WHERE user_id = ANY(${sql.param(subscribers)}::text[]) AND symbol = ${position.symbol}
       AND source_parent_trade_id = ${position.id} AND status = 'open'`);
  return new Map(rows.map((r) => [r.user_id, r.id]));
}

/** A copy order created with its decision, claimed by the run that wrote it. */
export type CreatedCopy = { subscriptionId: string; tradeId: string };

/** Decisions whose step sends a copy order. */
const sendsCopy = (d: Decision) => d.orderQuantity >= 1 && d.accountId !== null;

/**
 * Write the decisions, one row per (subscription, trader's trade): new rows, and rows moved on
 * by a further fill of the trader's order (their source quantity only ever grows); and, in the
 * same statement, the copy order of each decision that sends one, linked from its decision (a
 * later UPDATE of rows inserted in the same transaction would check all five of their foreign
 * keys again). The unique pair makes this idempotent: a decision already written as far (a
 * retried job, a second worker) is left as it was and not returned. Returns the decision ids
 * written, by subscription, and the copy orders created, with their subscriptions.
 */
export async function writeDecisions(
  tx: Transaction,
  ctx: ServiceContext,
  deps: CopyDeps,
  source: SourceTrade,
  decisions: Decision[],
): Promise<{ written: Map<string, string>; created: CreatedCopy[] }> {
  if (decisions.length === 0) return { written: new Map(), created: [] };
  const now = ctx.now();
  const at = iso(now);
  const expiresAt = iso(new Date(now.getTime() + deps.copy.approvalWindowMs));
  const { trade } = source;
  const positions =
    trade.action === 'buy'
      ? await copiedPositions(
          tx,
          source,
          decisions.filter(sendsCopy).map((d) => d.subscriberId),
          at,
        )
      : null;
  // The copy order each decision sends, if any: for a closing copy, on the copied position it sells.
  const orders = decisions.map((d) =>
    sendsCopy(d)
      ? {
          quantity: d.orderQuantity,
          accountId: d.accountId,
          positionId: (positions ? positions.get(d.subscriberId) : d.positionId) ?? null,
          limitPrice: d.limitPrice ?? null,
        }
      : null,
  );
  const { rows } = await tx.execute<{ id: string; subscription_id: string; trade_id: string | null }>(sql`
    WITH x AS (
      SELECT * FROM unnest(
        ${sql.param(decisions.map((d) => d.subscriptionId))}::text[],
        ${sql.param(decisions.map((d) => d.subscriberId))}::text[],
        ${sql.param(decisions.map((d) => d.outcome))}::text[],
        ${sql.param(decisions.map((d) => d.reason))}::text[],
        ${sql.param(decisions.map((d) => d.sourceQuantity))}::int[],
        ${sql.param(decisions.map((d) => d.computedQuantity))}::int[],
        ${sql.param(decisions.map((d) => d.copyQuantity))}::int[],
        ${sql.param(orders.map((o) => o?.quantity ?? null))}::int[],
        ${sql.param(orders.map((o) => o?.accountId ?? null))}::text[],
        ${sql.param(orders.map((o) => o?.positionId ?? null))}::text[],
        ${sql.param(orders.map((o) => o?.limitPrice ?? null))}::numeric[]
      ) AS x(subscription_id, subscriber_id, outcome, reason, source_quantity, computed, copy_quantity,
             order_quantity, account_id, position_id, limit_price)
    ), ids AS MATERIALIZED (
      SELECT x.*, CASE WHEN x.order_quantity IS NOT NULL THEN nanoid() END AS trade_id FROM x
    ), written AS (
      INSERT INTO subscription_trades AS st
        (subscription_id, source_trade_id, subscriber_id, trader_id, action, outcome, reason, source_quantity,
         computed_quantity, copy_quantity, mirrored_quantity, copy_trade_id, expires_at, decided_at, created_at, updated_at)
      SELECT subscription_id, ${trade.id}, subscriber_id, ${trade.userId}, ${trade.action}, outcome, reason,
             source_quantity, computed, copy_quantity,
             CASE WHEN ${trade.action} = 'buy' THEN source_quantity END, trade_id,
             CASE WHEN outcome = 'pending_approval' THEN ${expiresAt}::timestamp END,
             CASE WHEN outcome <> 'pending_approval' THEN ${at}::timestamp END,
             ${at}::timestamp, ${at}::timestamp
        FROM ids
      ON CONFLICT (subscription_id, source_trade_id) DO UPDATE
         SET outcome = EXCLUDED.outcome, reason = EXCLUDED.reason, source_quantity = EXCLUDED.source_quantity,
             computed_quantity = EXCLUDED.computed_quantity, copy_quantity = EXCLUDED.copy_quantity,
             mirrored_quantity = EXCLUDED.mirrored_quantity,
             copy_trade_id = COALESCE(EXCLUDED.copy_trade_id, st.copy_trade_id),
             expires_at = CASE WHEN st.outcome = 'pending_approval' THEN st.expires_at ELSE EXCLUDED.expires_at END,
             decided_at = CASE WHEN st.outcome = EXCLUDED.outcome THEN st.decided_at ELSE EXCLUDED.decided_at END
       WHERE st.source_quantity < EXCLUDED.source_quantity
      RETURNING id, subscription_id, copy_trade_id
    ), copies AS (
      SELECT ids.trade_id, ids.position_id, ids.subscriber_id AS user_id, ids.account_id,
             ids.order_quantity AS quantity, ids.limit_price
        FROM written w JOIN ids ON ids.trade_id = w.copy_trade_id
    ), ${insertCopyOrders(source, at)}
    SELECT w.id, w.subscription_id, c.trade_id
      FROM written w LEFT JOIN copies c ON c.trade_id = w.copy_trade_id`);
  return {
    written: new Map(rows.map((row) => [row.subscription_id, row.id])),
    created: rows.flatMap((row) =>
      row.trade_id ? [{ subscriptionId: row.subscription_id, tradeId: row.trade_id }] : [],
    ),
  };
}

export type CopyToCreate = {
  decisionId: string;
  subscriberId: string;
  accountId: string;
  quantity: number;
  /** For a closing copy: the subscriber's copied position. */
  positionId: string | null;
};

/**
 * The copy order of a decision already written (an approval): for an opening copy the
 * subscriber's copied position is found or opened; the order is linked from its decision.
 */
export async function createCopyOrder(
  tx: Transaction,
  ctx: ServiceContext,
  source: SourceTrade,
  copy: CopyToCreate,
): Promise<string> {
  const now = iso(ctx.now());
  const positionId =
    source.trade.action === 'buy'
      ? ((await copiedPositions(tx, source, [copy.subscriberId], now)).get(copy.subscriberId) ?? null)
      : copy.positionId;
  const { rows } = await tx.execute<{ id: string }>(sql`
    WITH copies AS (
      SELECT nanoid() AS trade_id, ${positionId}::text AS position_id, ${copy.subscriberId}::text AS user_id,
             ${copy.accountId}::text AS account_id, ${copy.quantity}::int AS quantity, NULL::numeric AS limit_price
    ), ${insertCopyOrders(source, now)}
    UPDATE subscription_trades st SET copy_trade_id = copies.trade_id, updated_at = ${now}::timestamp
      FROM copies WHERE st.id = ${copy.decisionId}
    RETURNING copies.trade_id AS id`);
  const id = rows[0]?.id;
  if (!id) throw new Error(`no decision ${copy.decisionId} to link its copy order to`);
  return id;
}
