import { sql } from 'drizzle-orm';
import type { ServiceContext } from '../context';
import type { Transaction } from '../transaction';
import type { Decision } from './decide-copies';
import type { CopyDeps } from './deps';
import type { SourceTrade } from './source-trade';

const iso = (date: Date) => date.toISOString();

/**
 * Write the decisions, one row per (subscription, trader's trade): new rows, and rows moved on
 * by a further fill of the trader's order (their source quantity only ever grows). The unique
 * pair makes this idempotent: a decision already written as far (a retried job, a second
 * worker) is left as it was and not returned. Returns the decision ids written, by subscription.
 */
export async function writeDecisions(
  tx: Transaction,
  ctx: ServiceContext,
  deps: CopyDeps,
  source: SourceTrade,
  decisions: Decision[],
): Promise<Map<string, string>> {
  if (decisions.length === 0) return new Map();
  const now = ctx.now();
  const expiresAt = iso(new Date(now.getTime() + deps.copy.approvalWindowMs));
  const { trade } = source;
  const { rows } = await tx.execute<{ id: string; subscription_id: string }>(sql`
    INSERT INTO subscription_trades AS st
      (subscription_id, source_trade_id, subscriber_id, trader_id, action, outcome, reason,
       source_quantity, computed_quantity, copy_quantity, mirrored_quantity, expires_at, decided_at, created_at, updated_at)
    SELECT x.subscription_id, ${trade.id}, x.subscriber_id, ${trade.userId}, ${trade.action}, x.outcome, x.reason,
           x.source_quantity, x.computed, x.quantity,
           CASE WHEN ${trade.action} = 'buy' THEN x.source_quantity END,
           CASE WHEN x.outcome = 'pending_approval' THEN ${expiresAt}::timestamp END,
           CASE WHEN x.outcome <> 'pending_approval' THEN ${iso(now)}::timestamp END,
           ${iso(now)}::timestamp, ${iso(now)}::timestamp
      FROM unnest(
        ${sql.param(decisions.map((d) => d.subscriptionId))}::text[],
        ${sql.param(decisions.map((d) => d.subscriberId))}::text[],
        ${sql.param(decisions.map((d) => d.outcome))}::text[],
        ${sql.param(decisions.map((d) => d.reason))}::text[],
        ${sql.param(decisions.map((d) => d.sourceQuantity))}::int[],
        ${sql.param(decisions.map((d) => d.computedQuantity))}::int[],
        ${sql.param(decisions.map((d) => d.copyQuantity))}::int[]
      ) AS x(subscription_id, subscriber_id, outcome, reason, source_quantity, computed, quantity)
    ON CONFLICT (subscription_id, source_trade_id) DO UPDATE
       SET outcome = EXCLUDED.outcome, reason = EXCLUDED.reason, source_quantity = EXCLUDED.source_quantity,
           computed_quantity = EXCLUDED.computed_quantity, copy_quantity = EXCLUDED.copy_quantity,
           mirrored_quantity = EXCLUDED.mirrored_quantity,
           expires_at = CASE WHEN st.outcome = 'pending_approval' THEN st.expires_at ELSE EXCLUDED.expires_at END,
           decided_at = CASE WHEN st.outcome = EXCLUDED.outcome THEN st.decided_at ELSE EXCLUDED.decided_at END
     WHERE st.source_quantity < EXCLUDED.source_quantity
    RETURNING id, subscription_id`);
  return new Map(rows.map((row) => [row.subscription_id, row.id]));
}

export type CopyToCreate = {
  decisionId: string;
  subscriberId: string;
  accountId: string;
  quantity: number;
  /** For a closing copy: the subscriber's copied position. */
  positionId: string | null;
  /** The drift guard's Limit price; a Market order without it. */
  limitPrice?: string | null;
};

/**
 * The copy orders, `pending`, in a fixed number of statements: for opening copies each
 * subscriber's copied position is found or opened (linked to the trader's position); every
 * copy is a Market order (the drift guard's Limit) with `source = 'copy'`, linked from its decision. They are created
 * claimed (`submitted_at`) by the run that will send them.
 */
export async function createCopyOrders(
  tx: Transaction,
  ctx: ServiceContext,
  source: SourceTrade,
  copies: CopyToCreate[],
): Promise<string[]> {
  if (copies.length === 0) return [];
  const now = iso(ctx.now());
  const { trade, position } = source;
  let positionIds = copies.map((c) => c.positionId);
  if (trade.action === 'buy') {
    const subscribers = copies.map((c) => c.subscriberId);
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
    const byUser = new Map(rows.map((r) => [r.user_id, r.id]));
    positionIds = copies.map((c) => byUser.get(c.subscriberId) ?? null);
  }
  const { rows: created } = await tx.execute<{ id: string; decision_id: string }>(sql`
    WITH x AS (
      SELECT * FROM unnest(
        ${sql.param(copies.map((c) => c.decisionId))}::text[],
        ${sql.param(positionIds)}::text[],
        ${sql.param(copies.map((c) => c.subscriberId))}::text[],
        ${sql.param(copies.map((c) => c.accountId))}::text[],
        ${sql.param(copies.map((c) => c.quantity))}::int[],
        ${sql.param(copies.map((c) => c.limitPrice ?? null))}::numeric[]
      ) AS x(decision_id, position_id, user_id, account_id, quantity, limit_price)
    ), ids AS (
      SELECT x.*, nanoid() AS trade_id FROM x
    ), inserted AS (
      INSERT INTO trades (id, parent_trade_id, user_id, account_id, action, quantity, order_type, limit_price, status,
                          source, source_trader_id, source_trade_id, created_at, updated_at, submitted_at)
      SELECT trade_id, position_id, user_id, account_id, ${trade.action}, quantity,
             CASE WHEN limit_price IS NULL THEN 'Market' ELSE 'Limit' END, limit_price, 'pending',
             'copy', ${trade.userId}, ${trade.id}, ${now}::timestamp, ${now}::timestamp, ${now}::timestamp
        FROM ids
      RETURNING id
    ), events AS (
      INSERT INTO order_events (trade_id, type, to_status, idempotency_key, detail, created_at)
      SELECT id, 'created', 'pending', 'created', jsonb_build_object('copyOf', ${trade.id}::text), ${now}::timestamp
        FROM inserted
    )
    UPDATE subscription_trades st SET copy_trade_id = ids.trade_id, updated_at = ${now}::timestamp
      FROM ids WHERE st.id = ids.decision_id
    RETURNING ids.trade_id AS id, ids.decision_id`);
  return created.map((r) => r.id);
}
