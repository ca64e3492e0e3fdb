import { sql } from 'drizzle-orm';
import { sqlSet } from '../../db/sql-sets';
import { closingCopyQuantity, decideOpeningCopy } from '../../domain/copy-sizing';
import { easternDate, easternDayBounds } from '../../domain/market-calendar';
import type { CopyOutcome, CopyReason } from '../../domain/vocabulary';
import type { ServiceContext } from '../context';
import type { Transaction } from '../transaction';
import { copiedHoldings } from './copied-holdings';
import type { CopyDeps } from './deps';
import type { SourceTrade } from './source-trade';
import { readSettings } from './subscription-settings';

/** What the fan-out itself decides; approval, lapse and failure come later. */
export type DecisionOutcome = Extract<CopyOutcome, 'executed' | 'skipped' | 'pending_approval'>;

/** One decision about one subscription, before it is written. */
export type Decision = {
  subscriptionId: string;
  subscriberId: string;
  outcome: DecisionOutcome;
  reason: CopyReason | null;
  computedQuantity: number | null;
  copyQuantity: number | null;
  /** Opening copies: the subscriber's selected account. Closing copies: the account holding the copy. */
  accountId: string | null;
  /** Closing copies: the subscriber's copied position. */
  positionId: string | null;
};

/** Decisions that count against a subscription's daily limit: copies made or offered. */
const OPENINGS_COUNTED: readonly CopyOutcome[] = ['executed', 'pending_approval', 'approved'];

type OpeningFacts = {
  subscription_id: string;
  subscriber_id: string;
  settings: unknown;
  account_id: string | null;
  openings_today: number;
  duplicate: boolean;
};

/**
 * PRODUCT.md §3 opening copies, for every active subscription of the trader still undecided
 * for this trade, from one set-based read. Subscriptions are locked, so fan-outs of one trader
 * count each other's openings against the daily limit.
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
  const { rows } = await tx.execute<OpeningFacts>(sql`
    SELECT s.id AS subscription_id, s.subscriber_id, s.settings,
           a.id AS account_id,
           (SELECT count(*) FROM subscription_trades d
             WHERE d.subscription_id = s.id AND d.action = 'buy'
               AND d.outcome IN ${sqlSet(OPENINGS_COUNTED)}
               AND d.created_at >= ${day.start.toISOString()}::timestamp
               AND d.created_at < ${day.end.toISOString()}::timestamp)::int AS openings_today,
           EXISTS (SELECT 1 FROM parent_trades p
                     JOIN parent_trades tp ON tp.id = p.source_parent_trade_id
                    WHERE p.user_id = s.subscriber_id AND p.symbol = ${position.symbol}
                      AND p.status = 'open' AND tp.user_id <> ${trade.userId}
                      AND p.opened_at > ${duplicateSince.toISOString()}::timestamp) AS duplicate
      FROM subscriptions s
      JOIN users u ON u.id = s.subscriber_id AND u.deleted_at IS NULL
      LEFT JOIN accounts a ON a.user_id = s.subscriber_id AND a.is_selected IS TRUE AND a.is_active IS TRUE
     WHERE s.trader_id = ${trade.userId} AND s.status = 'active'
       AND NOT EXISTS (SELECT 1 FROM subscription_trades x
                        WHERE x.subscription_id = s.id AND x.source_trade_id = ${trade.id})
     ORDER BY s.id
       FOR UPDATE OF s`);

  const filled = trade.filledQuantity ?? 0;
  return rows.map((facts) => {
    const settings = readSettings(facts.settings);
    const sizing = decideOpeningCopy({
      traderFilledQuantity: filled,
      scalingFactor: settings.scalingFactor,
      maxPositionSize: settings.maxPositionSize,
    });
    const decision = (outcome: DecisionOutcome, reason: CopyReason | null): Decision => ({
      subscriptionId: facts.subscription_id,
      subscriberId: facts.subscriber_id,
      outcome,
      reason,
      computedQuantity: sizing.computed,
      copyQuantity: sizing.quantity,
      accountId: facts.account_id,
      positionId: null,
    });
    if (sizing.outcome === 'skip') return decision('skipped', 'below_minimum');
    if (facts.openings_today >= settings.maxDailyTrades) return decision('skipped', 'daily_limit');
    if (!facts.account_id) return decision('skipped', 'no_account');
    if (facts.duplicate) return decision('skipped', 'duplicate');
    return settings.autoExecute ? decision('executed', null) : decision('pending_approval', null);
  });
}

type ClosingSubscription = { subscription_id: string; subscriber_id: string; settings: unknown };

/**
 * PRODUCT.md §3 closing copies: each subscriber still holding a copy of the trader's position
 * sells the same fraction (half up, at least 1 while held; everything once the trader is out),
 * never more than they can close; never blocked by the daily limit.
 */
export async function decideClosings(tx: Transaction, source: SourceTrade): Promise<Decision[]> {
  const { trade, position } = source;
  const sold = trade.filledQuantity ?? 0;
  // The trader's position after this sell, as the fill trigger left it.
  const { rows: traderRows } = await tx.execute<{
    bought: number;
    sold_total: number;
    sold_after: number;
  }>(sql`
    SELECT p.bought_quantity AS bought, p.sold_quantity AS sold_total,
           (SELECT COALESCE(sum(t.filled_quantity), 0)::int FROM trades t
             WHERE t.parent_trade_id = p.id AND t.action = 'sell' AND t.filled_quantity > 0
               AND (t.filled_at, t.created_at, t.id) > (${trade.filledAt?.toISOString() ?? null}::timestamp, ${trade.createdAt?.toISOString() ?? null}::timestamp, ${trade.id})
           ) AS sold_after
      FROM parent_trades p WHERE p.id = ${position.id}`);
  const trader = traderRows[0];
  if (!trader) return [];
  // Held just before this sell: what was bought less every sell up to and including this one, plus it.
  const heldBefore = trader.bought - (trader.sold_total - trader.sold_after) + sold;
  const closed = trader.bought - trader.sold_total <= 0;

  // The subscriptions still undecided, locked in id order, and what each subscriber holds.
  const { rows } = await tx.execute<ClosingSubscription>(sql`
    SELECT s.id AS subscription_id, s.subscriber_id, s.settings
      FROM subscriptions s
      JOIN users u ON u.id = s.subscriber_id AND u.deleted_at IS NULL
     WHERE s.trader_id = ${trade.userId} AND s.status = 'active'
       AND NOT EXISTS (SELECT 1 FROM subscription_trades x
                        WHERE x.subscription_id = s.id AND x.source_trade_id = ${trade.id})
     ORDER BY s.id
       FOR UPDATE OF s`);
  const holdings = new Map((await copiedHoldings(tx, position.id)).map((h) => [h.userId, h]));

  return rows.flatMap((facts) => {
    const holding = holdings.get(facts.subscriber_id);
    // Only subscribers holding a copy of this position have anything to close.
    if (!holding) return [];
    const settings = readSettings(facts.settings);
    const sizing = closingCopyQuantity({
      traderSoldQuantity: sold,
      traderHeldBeforeSell: Math.max(heldBefore, sold),
      traderPositionClosed: closed,
      subscriberHeld: Math.max(0, holding.held),
      subscriberAvailableToClose: Math.max(0, holding.held - holding.workingSells),
    });
    const base = {
      subscriptionId: facts.subscription_id,
      subscriberId: facts.subscriber_id,
      computedQuantity: sizing.quantity,
      copyQuantity: sizing.quantity,
      accountId: holding.accountId,
      positionId: holding.positionId,
    };
    if (sizing.outcome === 'skip') return { ...base, outcome: 'skipped', reason: sizing.reason };
    return { ...base, outcome: settings.autoExecute ? 'executed' : 'pending_approval', reason: null };
  });
}
