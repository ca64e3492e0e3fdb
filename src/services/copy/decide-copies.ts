import { sql } from 'drizzle-orm';
import { sqlSet } from '../../db/sql-sets';
import { decideClosingCopy, decideSizedOpeningCopy, driftLimitPrice } from '../../domain/copy-sizing';
import { easternDate, easternDayBounds } from '../../domain/market-calendar';
import { Dec } from '../../domain/money';
import { WORKING_ORDER_STATUSES } from '../../domain/order-status';
import type { CopyOutcome, CopyReason } from '../../domain/vocabulary';
import type { ServiceContext } from '../context';
import type { Transaction } from '../transaction';
import type { CopyDeps } from './deps';
import type { SourceTrade } from './source-trade';
import { readSettings } from './subscription-settings';

/** What the fan-out itself decides; approval, lapse and failure come later. */
export type DecisionOutcome = Extract<CopyOutcome, 'executed' | 'skipped' | 'pending_approval'>;

/**
 * One decision about one subscription, before it is written: a new row, or the next step of a
 * row already there (the trader's order filled further since).
 */
export type Decision = {
  subscriptionId: string;
  subscriberId: string;
  outcome: CopyOutcome;
  reason: CopyReason | null;
  /** The trader's filled quantity this decision mirrors (cumulative over the order's fills). */
  sourceQuantity: number;
  computedQuantity: number | null;
  /** Contracts copied (or offered) so far under this decision, cumulative. */
  copyQuantity: number | null;
  /** The copy order this step sends (0: none). */
  orderQuantity: number;
  /** The row's source quantity as read, when the row exists: it is updated only if unchanged. */
  previousSourceQuantity: number | null;
  /** Opening copies: the subscriber's selected account. Closing copies: the account holding the copy. */
  accountId: string | null;
  /** Closing copies: the subscriber's copied position. */
  positionId: string | null;
  /** The drift guard's Limit price (the copy order is a Limit, cancelled after `driftLimitSeconds`). */
  limitPrice?: string | null;
  driftLimitSeconds?: number;
};

/** Decisions that count against a subscription's daily limit: copies made or offered. */
const OPENINGS_COUNTED: readonly CopyOutcome[] = ['executed', 'pending_approval', 'approved'];
/** Decisions whose copies go on as the trader's order fills further (an approval was for its size). */
const FOLLOWING: readonly CopyOutcome[] = ['executed'];
/** Opening decisions whose copies mirror trader contracts (B_T of the closing rule). */
const MIRRORING: readonly CopyOutcome[] = ['executed', 'approved'];
/** Skips that a further fill may turn into a copy. */
const REDECIDED: readonly CopyReason[] = ['below_minimum', 'at_target', 'nothing_to_close'];

/**
 * Serialise the decisions (PRODUCT.md §3). Fan-outs of one trader position run one at a time
 * (an advisory lock, beside the job queue per position), and every active subscription of every
 * subscriber of the trader is locked in id order: two traders' fan-outs that share a subscriber
 * decide one after the other, so the duplicate rule sees the copy the other opened, and fan-outs
 * of one trader count each other's openings against the daily limit. Row locks, not advisory
 * locks, so ten thousand subscribers cost no shared lock memory. Two statements; the read that
 * follows takes its snapshot after both.
 */
export async function lockForDecisions(tx: Transaction, source: SourceTrade): Promise<void> {
  await lockPosition(tx, source);
  await tx.execute(sql`
    SELECT 1 FROM subscriptions
     WHERE status = 'active'
       AND subscriber_id IN (SELECT subscriber_id FROM subscriptions
                              WHERE trader_id = ${source.trade.userId} AND status = 'active')
     ORDER BY id
       FOR NO KEY UPDATE`);
}

/** Copy decisions about one trader position, one at a time (fan-outs and approvals). */
export async function lockPosition(tx: Transaction, source: SourceTrade): Promise<void> {
  await tx.execute(
    sql`SELECT pg_advisory_xact_lock(hashtextextended(${`copy-position:${source.position.id}`}, 0))`,
  );
}

/** What the trader holds of the position now: as recorded with its latest fill. */
export async function traderHoldingNow(tx: Transaction, source: SourceTrade): Promise<number> {
  const { rows } = await tx.execute<{ holding: number }>(sql`
    SELECT holding_after AS holding FROM trades
     WHERE parent_trade_id = ${source.position.id} AND fill_seq IS NOT NULL
     ORDER BY fill_seq DESC LIMIT 1`);
  return rows[0]?.holding ?? 0;
}

type Existing = {
  decision_id: string | null;
  decision_outcome: CopyOutcome | null;
  decision_reason: CopyReason | null;
  decision_source_quantity: number | null;
  decision_copy_quantity: number | null;
};

type OpeningFacts = Existing & {
  subscription_id: string;
  subscriber_id: string;
  settings: unknown;
  account_id: string | null;
  buying_power: string | null;
  openings_today: number;
  duplicate: boolean;
};

/**
 * PRODUCT.md §3 opening copies, for every active subscription of the trader whose decision on
 * this trade is missing or behind the trader's fill, from one set-based read. Sized on the
 * trader's cumulative fill, less what the decision already copied.
 */
export async function decideOpenings(
  tx: Transaction,
  ctx: ServiceContext,
  deps: CopyDeps,
  source: SourceTrade,
): Promise<Decision[]> {
  const now = ctx.now();
  const day = easternDayBounds(easternDate(now));
  const duplicateSince = new Date(now.getTime() - deps.copy.duplicateWindowMs);
  const { trade, position } = source;
  const filled = trade.filledQuantity ?? 0;
  const { rows } = await tx.execute<OpeningFacts>(sql`
    SELECT s.id AS subscription_id, s.subscriber_id, s.settings,
           a.id AS account_id, a.buying_power,
           (SELECT count(*) FROM subscription_trades d
             WHERE d.subscription_id = s.id AND d.action = 'buy'
               AND d.outcome IN ${sqlSet(OPENINGS_COUNTED)}
               AND d.created_at >= ${day.start.toISOString()}::timestamp
               AND d.created_at < ${day.end.toISOString()}::timestamp)::int AS openings_today,
           EXISTS (SELECT 1 FROM parent_trades p
                     JOIN parent_trades tp ON tp.id = p.source_parent_trade_id
                    WHERE p.user_id = s.subscriber_id AND p.symbol = ${position.symbol}
                      AND p.status = 'open' AND tp.user_id <> ${trade.userId}
                      AND p.opened_at > ${duplicateSince.toISOString()}::timestamp) AS duplicate,
           x.id AS decision_id, x.outcome AS decision_outcome, x.reason AS decision_reason,
           x.source_quantity AS decision_source_quantity, x.copy_quantity AS decision_copy_quantity
      FROM subscriptions s
      JOIN users u ON u.id = s.subscriber_id AND u.deleted_at IS NULL
      LEFT JOIN accounts a ON a.user_id = s.subscriber_id AND a.is_selected IS TRUE AND a.is_active IS TRUE
      LEFT JOIN subscription_trades x ON x.subscription_id = s.id AND x.source_trade_id = ${trade.id}
     WHERE s.trader_id = ${trade.userId} AND s.status = 'active'
       AND ${undecided(trade.id, filled)}
     ORDER BY s.id`);

  // One quote for every subscription, and only when some setting needs the ask.
  const settingsOf = new Map(rows.map((r) => [r.subscription_id, readSettings(r.settings)]));
  const needsAsk = [...settingsOf.values()].some(
    (x) => x.sizing.mode === 'premium' || x.sizing.mode === 'equity' || x.maxPriceDriftPercent !== null,
  );
  const ask = needsAsk ? ((await deps.marketData.quote(position.symbol, now))?.ask ?? null) : null;
  const stopped = await dailyLossStopped(tx, deps, now, day, rows, settingsOf);

  return rows.map((facts) => {
    const settings = settingsOf.get(facts.subscription_id) ?? readSettings(facts.settings);
    const sizing = decideSizedOpeningCopy({
      traderFilledQuantity: filled,
      scalingFactor: settings.scalingFactor,
      maxPositionSize: settings.maxPositionSize,
      sizing: settings.sizing,
      ask,
      buyingPower: facts.buying_power,
    });
    const limitPrice = trade.filledPrice
      ? driftLimitPrice({
          traderFillPrice: trade.filledPrice,
          ask,
          maxPriceDriftPercent: settings.maxPriceDriftPercent,
        })
      : null;
    const copiedSoFar = facts.decision_copy_quantity ?? 0;
    const base = {
      subscriptionId: facts.subscription_id,
      subscriberId: facts.subscriber_id,
      sourceQuantity: filled,
      computedQuantity: sizing.computed,
      previousSourceQuantity: facts.decision_source_quantity,
      accountId: facts.account_id,
      positionId: null,
      limitPrice,
      driftLimitSeconds: settings.driftLimitSeconds,
    };
    const decision = (outcome: DecisionOutcome, reason: CopyReason | null): Decision => ({
      ...base,
      outcome,
      reason,
      copyQuantity: sizing.quantity,
      orderQuantity: outcome === 'executed' ? sizing.quantity : 0,
    });
    const existing = facts.decision_outcome;
    if (existing && FOLLOWING.includes(existing)) {
      // The trader's order filled further: copy the increment (no new daily-limit or duplicate check).
      const more = Math.max(0, sizing.quantity - copiedSoFar);
      return {
        ...base,
        outcome: existing,
        reason: null,
        copyQuantity: copiedSoFar + more,
        orderQuantity: facts.account_id ? more : 0,
      };
    }
    if (existing === 'pending_approval') {
      return { ...base, outcome: existing, reason: null, copyQuantity: sizing.quantity, orderQuantity: 0 };
    }
    if (
      existing &&
      !(existing === 'skipped' && facts.decision_reason && REDECIDED.includes(facts.decision_reason))
    ) {
      // Dismissed, lapsed, failed or skipped for good: only the trader's quantity moves on.
      return {
        ...base,
        outcome: existing,
        reason: facts.decision_reason,
        copyQuantity: facts.decision_copy_quantity,
        orderQuantity: 0,
      };
    }
    if (sizing.outcome === 'skip') return decision('skipped', 'below_minimum');
    if (facts.openings_today >= settings.maxDailyTrades) return decision('skipped', 'daily_limit');
    if (stopped.has(facts.subscription_id)) return decision('skipped', 'daily_loss_limit');
    if (!facts.account_id) return decision('skipped', 'no_account');
    if (facts.duplicate) return decision('skipped', 'duplicate');
    return settings.autoExecute ? decision('executed', null) : decision('pending_approval', null);
  });
}

/**
 * The subscriptions whose maxDailyLoss is reached (PRODUCT.md §3): their copied positions lost
 * at least that much on the US/Eastern day, realised (sells filled today) plus unrealised at the
 * bid (open copies against their average entry). One statement for every such subscription, and
 * one quote per contract held.
 */
async function dailyLossStopped(
  tx: Transaction,
  deps: CopyDeps,
  now: Date,
  day: { start: Date; end: Date },
  rows: { subscription_id: string }[],
  settingsOf: Map<string, { maxDailyLoss: number | null }>,
): Promise<Set<string>> {
  const limited = rows.filter((r) => settingsOf.get(r.subscription_id)?.maxDailyLoss != null);
  if (limited.length === 0) return new Set();
  const { rows: facts } = await tx.execute<{
    subscription_id: string;
    realised: string;
    open: { symbol: string; held: number; entry: string | null }[] | null;
  }>(sql`
    SELECT s.id AS subscription_id,
           COALESCE((SELECT sum(t.pnl) FROM parent_trades p
                       JOIN parent_trades tp ON tp.id = p.source_parent_trade_id AND tp.user_id = s.trader_id
                       JOIN trades t ON t.parent_trade_id = p.id
                      WHERE p.user_id = s.subscriber_id AND t.action = 'sell' AND t.filled_quantity > 0
                        AND t.filled_at >= ${day.start.toISOString()}::timestamp
                        AND t.filled_at < ${day.end.toISOString()}::timestamp), 0)::text AS realised,
           (SELECT json_agg(json_build_object('symbol', p.symbol, 'held', p.bought_quantity - p.sold_quantity,
                                              'entry', p.avg_entry_price::text))
              FROM parent_trades p JOIN parent_trades tp ON tp.id = p.source_parent_trade_id AND tp.user_id = s.trader_id
             WHERE p.user_id = s.subscriber_id AND p.status = 'open' AND p.bought_quantity > p.sold_quantity) AS open
      FROM subscriptions s
     WHERE s.id = ANY(${sql.param(limited.map((r) => r.subscription_id))}::text[])`);
  const symbols = [...new Set(facts.flatMap((f) => (f.open ?? []).map((o) => o.symbol)))];
  const bids = new Map(
    await Promise.all(
      symbols.map(
        async (symbol) => [symbol, (await deps.marketData.quote(symbol, now))?.bid ?? null] as const,
      ),
    ),
  );
  const stopped = new Set<string>();
  for (const f of facts) {
    let result = new Dec(f.realised);
    for (const o of f.open ?? []) {
      const bid = bids.get(o.symbol);
      if (bid && o.entry) result = result.plus(new Dec(bid).minus(o.entry).times(o.held).times(100));
    }
    const limit = settingsOf.get(f.subscription_id)?.maxDailyLoss;
    if (limit != null && result.negated().gte(limit)) stopped.add(f.subscription_id);
  }
  return stopped;
}

/**
 * Subscriptions with no decision on this trade yet, or one made for fewer filled contracts. An
 * anti-join, not `x.id IS NULL OR …` on the outer join: PostgreSQL estimates that filter at one
 * row (the column is never null in its table), and the nested loops it then plans over 10,000
 * subscriptions took 90 s in a closing fan-out.
 */
function undecided(tradeId: string, filled: number) {
  return sql`NOT EXISTS (SELECT 1 FROM subscription_trades d
                          WHERE d.subscription_id = s.id AND d.source_trade_id = ${tradeId}
                            AND d.source_quantity >= ${filled})`;
}

type ClosingFacts = Existing & {
  subscription_id: string;
  subscriber_id: string;
  settings: unknown;
  position_id: string | null;
  account_id: string | null;
  bought: number | null;
  available: number | null;
  mirrored: number | null;
};

/**
 * The facts of the closing rule for a set of subscriptions, in one statement: each subscriber's
 * copy of the trader's position (B_S, filled bought over all its copies of that trader position,
 * and what is held and not already being sold),
 * and B_T, the trader contracts their filled openings mirrored.
 */
function closingFactsQuery(source: SourceTrade, where: ReturnType<typeof sql>) {
  const { trade, position } = source;
  // Per subscription, index lookups only (LATERAL): whatever PostgreSQL estimates, no plan can
  // compare every subscription with every holding (a nested loop over a CTE did, 90 s at 10,000).
  return sql`
    SELECT s.id AS subscription_id, s.subscriber_id, s.settings,
           h.position_id, h.account_id, h.bought, h.available, m.mirrored,
           x.id AS decision_id, x.outcome AS decision_outcome, x.reason AS decision_reason,
           x.source_quantity AS decision_source_quantity, x.copy_quantity AS decision_copy_quantity
      FROM subscriptions s
      JOIN users u ON u.id = s.subscriber_id AND u.deleted_at IS NULL
      LEFT JOIN LATERAL (
        SELECT p.id AS position_id,
               -- B_S counts every filled copied contract of this trader position, also those of
               -- an earlier copy that the subscriber closed before the trader bought again.
               (SELECT sum(q.bought_quantity) FROM parent_trades q
                 WHERE q.source_parent_trade_id = p.source_parent_trade_id
                   AND q.user_id = p.user_id)::int AS bought,
               (p.bought_quantity - p.sold_quantity
                 - COALESCE((SELECT sum(w.quantity - w.filled_quantity) FROM trades w
                              WHERE w.parent_trade_id = p.id AND w.action = 'sell'
                                AND w.status IN ${sqlSet(WORKING_ORDER_STATUSES)}), 0))::int AS available,
               (SELECT b.account_id FROM trades b
                 WHERE b.parent_trade_id = p.id AND b.action = 'buy' AND b.filled_quantity > 0
                 ORDER BY b.created_at LIMIT 1) AS account_id
          FROM parent_trades p
         WHERE p.user_id = s.subscriber_id AND p.source_parent_trade_id = ${position.id} AND p.status = 'open'
      ) h ON true
      LEFT JOIN LATERAL (
        SELECT sum(COALESCE(od.mirrored_quantity, od.source_quantity))::int AS mirrored
          FROM trades tb
          JOIN subscription_trades od ON od.subscription_id = s.id AND od.source_trade_id = tb.id
          JOIN trades c ON c.id = od.copy_trade_id AND c.filled_quantity > 0
         WHERE tb.parent_trade_id = ${position.id} AND tb.action = 'buy'
           AND od.outcome IN ${sqlSet(MIRRORING)}
      ) m ON true
      LEFT JOIN subscription_trades x ON x.subscription_id = s.id AND x.source_trade_id = ${trade.id}
     WHERE ${where}
     ORDER BY s.id`;
}

/** The sale beyond the target for one subscription's facts (PRODUCT.md §3 closing rule). */
function closingSale(facts: ClosingFacts, traderHoldingAfter: number) {
  return decideClosingCopy({
    traderHoldingAfter,
    traderMirrored: facts.mirrored ?? 0,
    subscriberBought: facts.bought ?? 0,
    subscriberAvailable: Math.max(0, facts.available ?? 0),
  });
}

/**
 * PRODUCT.md §3 closing copies: every active subscription gets its decision on every trader
 * sale. With R_T recorded with the sale's fill, each subscriber's target holding is
 * min(held, round_half_down(B_S × R_T ÷ B_T)) and the copy sells what is held beyond it, or
 * nothing (`at_target`). A sale that fills further moves its decisions on with the new R_T.
 * Never blocked by daily limits or risk controls.
 */
export async function decideClosings(tx: Transaction, source: SourceTrade): Promise<Decision[]> {
  const { trade } = source;
  const sold = trade.filledQuantity ?? 0;
  const holdingAfter = trade.holdingAfter ?? 0;
  const { rows } = await tx.execute<ClosingFacts>(
    closingFactsQuery(
      source,
      sql`s.trader_id = ${trade.userId} AND s.status = 'active' AND ${undecided(trade.id, sold)}`,
    ),
  );
  return rows.map((facts) => {
    const sale = closingSale(facts, holdingAfter);
    const existing = facts.decision_outcome;
    const base = {
      subscriptionId: facts.subscription_id,
      subscriberId: facts.subscriber_id,
      sourceQuantity: sold,
      previousSourceQuantity: facts.decision_source_quantity,
      accountId: facts.account_id,
      positionId: facts.position_id,
    };
    const copiedSoFar = facts.decision_copy_quantity ?? 0;
    if (existing && FOLLOWING.includes(existing)) {
      return {
        ...base,
        outcome: existing,
        reason: null,
        computedQuantity: copiedSoFar + sale.quantity,
        copyQuantity: copiedSoFar + sale.quantity,
        orderQuantity: facts.account_id ? sale.quantity : 0,
      };
    }
    const redecided =
      !existing ||
      (existing === 'skipped' && facts.decision_reason && REDECIDED.includes(facts.decision_reason));
    if (!redecided) {
      return {
        ...base,
        outcome: existing,
        reason: facts.decision_reason,
        computedQuantity: sale.quantity,
        copyQuantity: existing === 'pending_approval' ? sale.quantity : facts.decision_copy_quantity,
        orderQuantity: 0,
      };
    }
    if (sale.outcome === 'skip' || !facts.account_id) {
      return {
        ...base,
        outcome: 'skipped',
        reason: 'at_target',
        computedQuantity: 0,
        copyQuantity: 0,
        orderQuantity: 0,
      };
    }
    const auto = readSettings(facts.settings).autoExecute;
    return {
      ...base,
      outcome: auto ? 'executed' : 'pending_approval',
      reason: null,
      computedQuantity: sale.quantity,
      copyQuantity: sale.quantity,
      orderQuantity: auto ? sale.quantity : 0,
    };
  });
}

/**
 * What one subscriber should sell now to reach the target after a trader's sale (approving a
 * pending closing copy): everything once the trader's position is closed. Null when the
 * subscriber holds no copy.
 */
export async function closingSaleFor(
  tx: Transaction,
  source: SourceTrade,
  subscriptionId: string,
): Promise<{ quantity: number; accountId: string | null; positionId: string | null } | null> {
  const { rows } = await tx.execute<ClosingFacts>(closingFactsQuery(source, sql`s.id = ${subscriptionId}`));
  const facts = rows[0];
  if (!facts?.position_id) return null;
  const sale = closingSale(facts, await traderHoldingNow(tx, source));
  return { quantity: sale.quantity, accountId: facts.account_id, positionId: facts.position_id };
}
