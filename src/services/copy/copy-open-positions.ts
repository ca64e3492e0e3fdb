import { sql } from 'drizzle-orm';
import { decideSizedOpeningCopy, driftLimitPrice } from '../../domain/copy-sizing';
import type { ServiceContext } from '../context';
import { inTransaction } from '../transaction';
import { writeDecisions } from './create-copies';
import { type Decision, lockPosition } from './decide-copies';
import type { CopyDeps } from './deps';
import { scheduleDriftCancels } from './fan-out-copies';
import { placeCopyOrders } from './place-copies';
import { loadSourceTrade } from './source-trade';
import { readSettings } from './subscription-settings';

/**
 * `copyOpenPositions` on subscribe (PRODUCT.md §3): the trader's open positions are copied at
 * once, at what the trader still holds (sized by the subscription's sizing), with the drift guard
 * against the trader's average entry. Each is one decision on the trader's latest filled buy of
 * the position, mirroring the holding (B_T), so later sales close it by the target rule.
 * Idempotent: run again it decides nothing twice.
 */
export async function copyOpenPositions({
  ctx,
  deps,
  input,
}: {
  ctx: ServiceContext;
  deps: CopyDeps;
  input: { subscriptionId: string };
}): Promise<{ decided: number; sent: number }> {
  const { rows: positions } = await ctx.db.execute<{ trade_id: string }>(sql`
    SELECT (SELECT b.id FROM trades b
             WHERE b.parent_trade_id = p.id AND b.action = 'buy' AND b.source = 'manual' AND b.filled_quantity > 0
             ORDER BY b.fill_seq DESC NULLS LAST LIMIT 1) AS trade_id
      FROM subscriptions s JOIN parent_trades p ON p.user_id = s.trader_id
     WHERE s.id = ${input.subscriptionId} AND s.status = 'active'
       AND p.status = 'open' AND p.source_parent_trade_id IS NULL AND p.bought_quantity > p.sold_quantity
     ORDER BY p.opened_at`);
  let decided = 0;
  let sent = 0;
  for (const { trade_id: tradeId } of positions) {
    if (!tradeId) continue;
    const result = await inTransaction(ctx, async (tx) => {
      const source = await loadSourceTrade(tx, tradeId);
      if (!source) return null;
      await lockPosition(tx, source);
      const { rows } = await tx.execute<{
        subscriber_id: string;
        settings: unknown;
        account_id: string | null;
        buying_power: string | null;
        holding: number;
        entry: string | null;
      }>(sql`
        SELECT s.subscriber_id, s.settings, a.id AS account_id, a.buying_power::text,
               (p.bought_quantity - p.sold_quantity)::int AS holding, p.avg_entry_price::text AS entry
          FROM subscriptions s
          JOIN parent_trades p ON p.id = ${source.position.id}
          LEFT JOIN accounts a ON a.user_id = s.subscriber_id AND a.is_selected IS TRUE AND a.is_active IS TRUE
         WHERE s.id = ${input.subscriptionId} AND s.status = 'active'
           FOR UPDATE OF s`);
      const facts = rows[0];
      if (!facts || facts.holding < 1) return null;
      const settings = readSettings(facts.settings);
      const now = ctx.now();
      const ask = (await deps.marketData.quote(source.position.symbol, now))?.ask ?? null;
      const sizing = decideSizedOpeningCopy({
        traderFilledQuantity: facts.holding,
        scalingFactor: settings.scalingFactor,
        maxPositionSize: settings.maxPositionSize,
        sizing: settings.sizing,
        ask,
        buyingPower: facts.buying_power,
      });
      const limitPrice = facts.entry
        ? driftLimitPrice({
            traderFillPrice: facts.entry,
            ask,
            maxPriceDriftPercent: settings.maxPriceDriftPercent,
          })
        : null;
      const outcome: Decision['outcome'] =
        sizing.outcome === 'skip' || !facts.account_id
          ? 'skipped'
          : settings.autoExecute
            ? 'executed'
            : 'pending_approval';
      const decision: Decision = {
        subscriptionId: input.subscriptionId,
        subscriberId: facts.subscriber_id,
        outcome,
        reason: sizing.outcome === 'skip' ? 'below_minimum' : !facts.account_id ? 'no_account' : null,
        sourceQuantity: facts.holding,
        computedQuantity: sizing.computed,
        copyQuantity: sizing.quantity,
        orderQuantity: outcome === 'executed' ? sizing.quantity : 0,
        previousSourceQuantity: null,
        accountId: facts.account_id,
        positionId: null,
        limitPrice,
        driftLimitSeconds: settings.driftLimitSeconds,
      };
      const { written, created } = await writeDecisions(tx, ctx, deps, source, [decision]);
      const decisionId = written.get(input.subscriptionId);
      if (!decisionId) return null;
      await scheduleDriftCancels(tx, ctx, [decision], created);
      return { source, created: created.map((c) => c.tradeId) };
    });
    if (!result) continue;
    decided += 1;
    if (result.created.length > 0) {
      const placed = await placeCopyOrders({
        ctx,
        deps,
        input: { sourceTradeId: result.source.trade.id, owned: result.created, tradeIds: result.created },
      });
      sent += placed.sent;
    }
  }
  return { decided, sent };
}
