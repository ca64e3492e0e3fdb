/**
 * The closing rule as a property: over random sequences of a trader's buys and sells and random
 * scaling factors, after every step each subscriber holds exactly the rule's target (PRODUCT.md
 * §3), never less than nothing and never more than the trader's fraction, through the real
 * fan-out, paper broker and PostgreSQL. A model keeps B_S, B_T and the target by hand.
 */

import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../helpers/db';
import { copyWorld, subscriber, trader, traderBuys, traderSells } from './support';

const t = useTestDatabase();
/** More with PROPERTY_RUNS=200 when hunting; the default keeps the suite fast. */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 6);
/**
 * A fixed seed by default, so CI runs the same cases each time; PROPERTY_SEED=random (or a
 * number) to hunt. A counterexample it found is kept as a case in closing.test.ts.
 */
const SEED =
  process.env.PROPERTY_SEED === 'random' ? undefined : Number(process.env.PROPERTY_SEED ?? 20261130);

type Step = { buy: boolean; quantity: number };

const roundHalfDown = (n: number, d: number) => Math.floor((2 * n + d - 1) / (2 * d));

describe('closing copies, property', () => {
  it('after every step each subscriber holds the target, never negative, never oversold', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 2, maxLength: 3 }),
        fc.array(fc.record({ buy: fc.boolean(), quantity: fc.integer({ min: 1, max: 7 }) }), {
          minLength: 2,
          maxLength: 7,
        }),
        async (factors: number[], steps: Step[]) => {
          const w = copyWorld(t);
          const boss = await trader(w);
          const subs = [];
          for (const f of factors) {
            const scalingFactor = (f / 100).toFixed(2);
            subs.push({
              ...(await subscriber(w, boss, { scalingFactor, maxPositionSize: 1000, maxDailyTrades: 1000 })),
              scale: f,
              held: 0,
              bought: 0,
              mirrored: 0,
            });
          }
          let traderHeld = 0;
          let positionId: string | null = null;
          for (const step of [{ buy: true, quantity: 4 }, ...steps]) {
            if (step.buy || traderHeld === 0 || !positionId) {
              const { trade } = await traderBuys(w, boss, step.quantity);
              if (traderHeld === 0)
                for (const s of subs) Object.assign(s, { held: 0, bought: 0, mirrored: 0 });
              positionId = trade.parentTradeId;
              traderHeld += step.quantity;
              for (const s of subs) {
                const copy = Math.floor((step.quantity * s.scale) / 100);
                if (copy >= 1) {
                  s.held += copy;
                  s.bought += copy;
                  s.mirrored += step.quantity;
                }
              }
            } else {
              const quantity = Math.min(step.quantity, traderHeld);
              const { trade } = await traderSells(w, boss, positionId, quantity);
              traderHeld -= quantity;
              const { rows } = await t.db.execute<{
                subscriber_id: string;
                outcome: string;
                reason: string | null;
              }>(
                sql`SELECT subscriber_id, outcome, reason FROM subscription_trades WHERE source_trade_id = ${trade.id}`,
              );
              // Exactly one decision per subscription and sale, with its reason when nothing sold.
              expect(rows).toHaveLength(subs.length);
              for (const row of rows) if (row.outcome === 'skipped') expect(row.reason).toBe('at_target');
              for (const s of subs) {
                const target =
                  traderHeld === 0 || s.mirrored === 0
                    ? 0
                    : Math.min(s.held, roundHalfDown(s.bought * traderHeld, s.mirrored));
                s.held = Math.min(s.held, target);
              }
            }
            const { rows: holdings } = await t.db.execute<{ user_id: string; held: number }>(sql`
              SELECT user_id, (bought_quantity - sold_quantity)::int AS held FROM parent_trades
               WHERE source_parent_trade_id = ${positionId}`);
            const actual = new Map(holdings.map((h) => [h.user_id, h.held]));
            for (const s of subs) {
              const held = actual.get(s.userId) ?? 0;
              expect(held).toBeGreaterThanOrEqual(0);
              expect(held).toBe(s.held);
            }
          }
        },
      ),
      { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
  }, 120_000);
});
