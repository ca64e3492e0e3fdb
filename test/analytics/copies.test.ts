/**
 * Follower results and subscription statistics from copies the real copy engine made: the
 * trader trades through the trading services on the paper broker, the fan-out decides and
 * places the copies, and the figures come out as worked out by hand.
 *
 * Quotes 2.40 / 2.50 then 3.00 / 3.10. Trader T buys 4 at 2.50; the fan-out runs 2 s later:
 * S1 (×1) copies 4 at 2.50, S2 (×0.5) copies 2 at 2.50, S3 (×0.1) is skipped (below_minimum).
 * T sells 4 at 3.00 (+200.00); 3 s later S1 sells 4 at 3.00 (+200.00), S2 sells 2 (+100.00),
 * S3, holding nothing, gets its decision too (`at_target`: PRODUCT.md §3, one per trade).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { getSubscriptionStatistics } from '../../src/services/analytics/subscription-statistics';
import { fanOutCopies } from '../../src/services/copy/fan-out-copies';
import { getTraderProfile } from '../../src/services/subscriptions/get-trader-profile';
import { placeBto } from '../../src/services/trading/place-bto';
import { placeStc } from '../../src/services/trading/place-stc';
import { CONTRACT, type CopyWorld, copyWorld, SYMBOL, subscriber, trader } from '../copy/support';
import { useTestDatabase } from '../helpers/db';
import { refresh } from './support';

const t = useTestDatabase();
let w: CopyWorld;
let traderId: string;
const followers: Record<string, { userId: string; subscriptionId: string }> = {};

beforeAll(async () => {
  w = copyWorld(t);
  traderId = await trader(w);
  followers.S1 = await subscriber(w, traderId, { scalingFactor: 1 });
  followers.S2 = await subscriber(w, traderId, { scalingFactor: 0.5 });
  followers.S3 = await subscriber(w, traderId, { scalingFactor: 0.1 });

  // The fan-out runs as its job would, a moment after the trader's fill.
  const bought = await placeBto({
    ctx: w.as(traderId),
    deps: w.trading,
    input: { side: 'BTO', ...CONTRACT, quantity: 4 },
  });
  w.clock.advance(2_000);
  await fanOutCopies({ ctx: w.system, deps: w.trading, input: { tradeId: bought.id } });
  w.quotes.set(SYMBOL, { bid: '3.00', ask: '3.10' });
  w.clock.advance(60_000);
  const sold = await placeStc({
    ctx: w.as(traderId),
    deps: w.trading,
    input: { side: 'STC', positionId: bought.parentTradeId, quantity: 4 },
  });
  w.clock.advance(3_000);
  await fanOutCopies({ ctx: w.system, deps: w.trading, input: { tradeId: sold.id } });
  await refresh(t);
});

describe('copies made by the copy engine', () => {
  it("give the trader's follower results", async () => {
    const profile = await getTraderProfile({ ctx: w.system, input: { traderId } });
    expect(profile.statistics).toMatchObject({ closedPositions: 1, totalPnl: '200.00' });
    expect(profile.followerResults).toMatchObject({
      totalPnl: '300.00',
      closedPositions: 2,
      wins: 2,
      followersWithResults: 2,
      openings: 1,
      copiedOpenings: 1,
      copiedShare: '1.0000',
      // S1 and S2, a buy and a sale each.
      copyFills: 4,
      // 2 s for the buys, 3 s for the sales.
      medianCopyDelaySeconds: 2.5,
      averageSlippage: '0.0000',
      skipped: 2,
      skippedByReason: { below_minimum: 1, at_target: 1 },
      failed: 0,
    });
  });

  it('give each subscription its statistics', async () => {
    const of = (name: string) => {
      const follower = followers[name];
      if (!follower) throw new Error(`no ${name}`);
      return getSubscriptionStatistics({
        ctx: w.as(follower.userId),
        input: { subscriptionId: follower.subscriptionId },
      });
    };
    expect(await of('S1')).toMatchObject({
      decisions: 2,
      executed: 2,
      skipped: 0,
      closedPositions: 1,
      totalPnl: '200.00',
    });
    expect(await of('S2')).toMatchObject({
      decisions: 2,
      executed: 2,
      closedPositions: 1,
      totalPnl: '100.00',
    });
    // S3's opening was skipped, so it held nothing to close: already at its target.
    expect(await of('S3')).toMatchObject({
      decisions: 2,
      executed: 0,
      skipped: 2,
      skippedByReason: { below_minimum: 1, at_target: 1 },
      closedPositions: 0,
      totalPnl: '0.00',
      roi: null,
    });
  });
});
