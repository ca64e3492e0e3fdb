import { sql } from 'drizzle-orm';
import {
  type BatchOrder,
  type Broker,
  BrokerUnavailableError,
  type PlaceOrderResult,
} from '../../broker/port';
import type { BrokerAccountSource } from '../../broker/registry';
import type { AccountProvider, OrderAction } from '../../domain/vocabulary';
import { tradingBlock } from '../accounts/trading-permission';
import type { ServiceContext } from '../context';
import {
  applyOrderUpdates,
  type OrderReport,
  type OrderUpdate,
  reportFromBrokerOrder,
} from '../trading/apply-order-update';
import { reportForUnknownOutcome } from '../trading/submit-order';
import type { CopyDeps } from './deps';
import { reconcileStaleClaims } from './reconcile-stale-claims';
import { skipBlockedCopies } from './skip-blocked-copies';

type ClaimedCopy = {
  id: string;
  symbol: string;
  action: OrderAction;
  quantity: number;
  limit_price: string | null;
  account_id: string;
  provider: AccountProvider;
  snaptrade_account_id: string;
  snaptrade_user_id: string | null;
  snaptrade_user_secret: string | null;
  read_only: boolean;
  needs_reconnect: boolean;
  reconnect_reason: string | null;
  broker_name: string;
};

/** Results are written in groups of this size as they come back. */
const RECORD_BATCH = 2000;

function toReport(result: PlaceOrderResult): OrderReport {
  return result.ok
    ? reportFromBrokerOrder(result.order)
    : { status: 'rejected', filledQuantity: 0, averageFillPrice: null, reason: result.reason };
}

function unavailable(error: unknown): OrderReport {
  const message = error instanceof Error ? error.message : String(error);
  return {
    status: 'rejected',
    filledQuantity: 0,
    averageFillPrice: null,
    reason: `Broker unavailable: ${message}`,
  };
}

/** Refreshes a copy's claim to the moment it is sent (`queued_at` stays: it waited, once). */
async function markSent(ctx: ServiceContext, tradeId: string): Promise<Date> {
  const sentAt = ctx.now();
  await ctx.db.execute(
    sql`UPDATE trades SET submitted_at = ${sentAt.toISOString()}::timestamp WHERE id = ${tradeId}`,
  );
  return sentAt;
}

/** The copy waits for the broker's shared rate budget: the copy log shows it `queued`. */
async function markQueued(ctx: ServiceContext, tradeId: string): Promise<void> {
  await ctx.db.execute(
    sql`UPDATE trades SET queued_at = ${ctx.now().toISOString()}::timestamp WHERE id = ${tradeId} AND queued_at IS NULL`,
  );
}

/**
 * Send the copy orders of one trader's trade that are still unsent. Each is claimed first
 * (`submitted_at`), so two workers never send the same copy; a claim older than the timeout
 * belonged to a worker that died and is taken over (brokers that know client order ids, like
 * the paper broker, return the first order rather than placing it twice). Returns how many were
 * sent and how many remain claimed by someone else.
 */
export async function placeCopyOrders({
  ctx,
  deps,
  input,
}: {
  ctx: ServiceContext;
  deps: CopyDeps;
  /**
   * `owned`: copies this run created (already claimed by it). `tradeIds` limits placement to
   * these copies (an approval sends just its own).
   */
  input: { sourceTradeId: string; owned?: string[]; tradeIds?: string[] };
}): Promise<{ sent: number; inFlightElsewhere: number }> {
  const now = ctx.now();
  const staleBefore = new Date(now.getTime() - deps.copy.claimTimeoutMs);
  // A dead worker's copy may have reached the broker: adopt it rather than send it again.
  await reconcileStaleClaims({ ctx, deps, input: { sourceTradeId: input.sourceTradeId, staleBefore } });
  const { rows: claimed } = await ctx.db.execute<ClaimedCopy>(sql`
    WITH taken AS (
      UPDATE trades t SET submitted_at = ${now.toISOString()}::timestamp
       WHERE t.source_trade_id = ${input.sourceTradeId} AND t.source = 'copy' AND t.status = 'pending'
         AND t.broker_order_id IS NULL
         AND (t.submitted_at IS NULL OR t.submitted_at < ${staleBefore.toISOString()}::timestamp)
         AND NOT (t.id = ANY(${sql.param(input.owned ?? [])}::text[]))
         AND (${input.tradeIds ? sql.param(input.tradeIds) : null}::text[] IS NULL OR t.id = ANY(${input.tradeIds ? sql.param(input.tradeIds) : null}::text[]))
      RETURNING t.id, t.parent_trade_id, t.account_id, t.action, t.quantity, t.limit_price
    ), mine AS (
      SELECT t.id, t.parent_trade_id, t.account_id, t.action, t.quantity, t.limit_price FROM trades t
       WHERE t.id = ANY(${sql.param(input.owned ?? [])}::text[]) AND t.status = 'pending' AND t.broker_order_id IS NULL
    ), claimed AS (
      SELECT * FROM taken UNION ALL SELECT * FROM mine
    )
    SELECT c.id, p.symbol, c.action, c.quantity, c.limit_price::text, a.id AS account_id, a.provider,
           a.snaptrade_account_id, u.snaptrade_user_id, u.snaptrade_user_secret,
           a.read_only, a.needs_reconnect, a.reconnect_reason, a.broker_name
      FROM claimed c
      JOIN parent_trades p ON p.id = c.parent_trade_id
      JOIN accounts a ON a.id = c.account_id
      JOIN users u ON u.id = a.user_id
     ORDER BY c.id`);

  // Accounts that cannot trade now (broken connection, read-only) get no order (PRODUCT.md §1a).
  const blocked = claimed.flatMap((copy) => {
    const block = tradingBlock({
      readOnly: copy.read_only,
      needsReconnect: copy.needs_reconnect,
      reconnectReason: copy.reconnect_reason,
      brokerName: copy.broker_name,
    });
    return block ? [{ tradeId: copy.id, block }] : [];
  });
  await skipBlockedCopies({ ctx, input: { copies: blocked } });
  const blockedIds = new Set(blocked.map((b) => b.tradeId));

  // Group by broker implementation; each group goes in one batch when the broker can.
  const groups = new Map<Broker, { copy: ClaimedCopy; order: BatchOrder }[]>();
  for (const copy of claimed) {
    if (blockedIds.has(copy.id)) continue;
    const account: BrokerAccountSource = {
      id: copy.account_id,
      provider: copy.provider,
      snaptradeAccountId: copy.snaptrade_account_id,
      owner: { snaptradeUserId: copy.snaptrade_user_id, snaptradeUserSecret: copy.snaptrade_user_secret },
    };
    const { broker, ref } = deps.brokers.forAccount(account);
    const order: BatchOrder = {
      account: ref,
      request: {
        clientOrderId: copy.id,
        symbol: copy.symbol,
        side: copy.action,
        quantity: copy.quantity,
        ...(copy.limit_price
          ? { orderType: 'Limit', limitPrice: copy.limit_price }
          : { orderType: 'Market' }),
        timeInForce: 'Day',
      },
    };
    const group = groups.get(broker) ?? [];
    group.push({ copy, order });
    groups.set(broker, group);
  }

  let pending: OrderUpdate[] = [];
  const flush = async () => {
    const updates = pending;
    pending = [];
    if (updates.length > 0) await applyOrderUpdates({ ctx, input: { updates } });
  };
  const record = async (tradeId: string, report: OrderReport) => {
    pending.push({ tradeId, report, source: 'placement' });
    if (pending.length >= RECORD_BATCH) await flush();
  };

  for (const [broker, items] of groups) {
    if (broker.placeOrders) {
      let results: PlaceOrderResult[] | undefined;
      try {
        results = await broker.placeOrders(items.map((item) => item.order));
      } catch (error) {
        if (!(error instanceof BrokerUnavailableError)) throw error;
        for (const item of items) await record(item.copy.id, unavailable(error));
      }
      if (results) {
        for (const [index, item] of items.entries()) {
          const result = results[index];
          await record(item.copy.id, result ? toReport(result) : unavailable('no answer for this order'));
        }
      }
      continue;
    }
    // One by one, a bounded number at a time; each result recorded as it comes back.
    let next = 0;
    const lanes = Array.from({ length: Math.min(deps.copy.placementConcurrency, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++];
        if (!item) break;
        let report: OrderReport | null;
        // The claim's time becomes the moment it is sent: what a lost answer is reconciled against.
        let sentAt: Date | null = null;
        const request = {
          ...item.order.request,
          onQueued: () => markQueued(ctx, item.copy.id),
          onSend: async () => {
            sentAt = await markSent(ctx, item.copy.id);
          },
        };
        try {
          report = toReport(await broker.placeOrder(item.order.account, request));
          deps.faults?.afterCopySent?.();
        } catch (error) {
          if (!(error instanceof BrokerUnavailableError)) throw error;
          report =
            sentAt && !broker.deduplicatesClientOrderIds
              ? await reportForUnknownOutcome(ctx, broker, item.order.account, error, {
                  symbol: item.copy.symbol,
                  side: item.copy.action,
                  quantity: item.copy.quantity,
                  sentAt,
                })
              : unavailable(error);
        }
        // Unknown and unaskable: left claimed; once the claim expires it is reconciled again.
        if (report) await record(item.copy.id, report);
      }
    });
    await Promise.all(lanes);
  }
  await flush();

  const { rows: left } = await ctx.db.execute<{ n: number }>(sql`
    SELECT count(*)::int AS n FROM trades
     WHERE source_trade_id = ${input.sourceTradeId} AND source = 'copy' AND status = 'pending'
       AND broker_order_id IS NULL`);
  return { sent: claimed.length, inFlightElsewhere: left[0]?.n ?? 0 };
}
