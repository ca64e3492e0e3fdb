/**
 * Trader discovery, the leaderboard and trader profiles (PRODUCT.md §5), against figures
 * computed by hand. The leaderboard's rolling windows are measured from the refresh, so this
 * history is placed relative to the real clock (hours and days before now).
 *
 * Traders: A (verified) and B, C with no positions, D soft-deleted, N not a trader.
 * | pos | owner  | bought    | sold      | P&L      | closed    | copies (trader fill → copy fill, price)          |
 * |-----|--------|-----------|-----------|----------|-----------|--------------------------------------------------|
 * | A1  | A      | 2 @ 1.00  | 2 @ 2.50  | +300.00  | 2 h ago   | S1: 2 @ 1.02 (+1 s), 2 @ 2.48 (+3 s) → +292.00   |
 * |     |        |           |           |          |           | S2: 1 @ 1.01 (+2 s), 1 @ 2.50 (+5 s) → +149.00   |
 * | A2  | A      | 1 @ 2.00  | 1 @ 1.00  | −100.00  | 3 days    | S1: 1 @ 2.05 (+4 s), 1 @ 0.95 (+2 s) → −110.00   |
 * | A3  | A      | 1 @ 1.00  | 1 @ 1.50  | +50.00   | 20 days   | S1 skipped (daily_limit), S2 skipped (below_minimum) |
 * | A4  | A      | 5 @ 1.00  | 5 @ 2.00  | +500.00  | 60 days   | S2 failed (its copy order rejected, nothing filled) |
 * | B1  | B      | 1 @ 1.00  | 1 @ 3.00  | +200.00  | 1 h ago   | A copied it: 5 @ 1.00 → 5 @ 3.00, +1000.00 (A's copied position) |
 * | D1  | D      | 1 @ 1.00  | 1 @ 51.00 | +5000.00 | 1 h ago   |                                                  |
 * | N1  | N      | 1 @ 1.00  | 1 @ 91.00 | +9000.00 | 1 h ago   |                                                  |
 * Followers (active): A ← S1, S2 (S4 paused); B ← S3 (A cancelled).
 */
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { easternDate } from '../../src/domain/market-calendar';
import {
  getSubscriptionStatistics,
  listSubscriptionStatistics,
} from '../../src/services/analytics/subscription-statistics';
import { buildTestApp, HttpClient, inProcess, silentLogger, type TestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { createAccount, createPosition, createTrade, createUser } from '../helpers/factories';
import { expectError, expectJson, type Json } from '../subscriptions/helpers';
import { type Contract, refresh, tradedPosition } from './support';

const t = useTestDatabase();
let env: TestApp;
let anonymous: HttpClient;
const users: Record<string, { userId: string; accountId: string }> = {};
const subscriptions: Record<string, string> = {};
const positions: Record<string, string> = {};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Whole seconds, so delays are exact.
const now = Math.floor(Date.now() / 1000) * 1000;
const at = (msAgo: number, plusSeconds = 0) => new Date(now - msAgo + plusSeconds * 1000).toISOString();
const contract = (strike: string): Contract => ({
  underlying: 'SPY',
  optionType: 'put',
  strike,
  expiration: '2030-06-21',
});

async function person(name: string, options: { trader?: boolean; username?: string } = {}) {
  const user = await createUser(t.db, {
    isTrader: options.trader ?? false,
    username: options.username ?? null,
  });
  users[name] = { userId: user.id, accountId: (await createAccount(t.db, user.id)).id };
  return users[name];
}

/** A closed round trip: buy at `closedAgo` + 1 h, sell at `closedAgo`. */
async function roundTrip(
  owner: string,
  strike: string,
  closedAgo: number,
  buy: { quantity: number; price: string },
  sellPrice: string,
  copiedFrom?: { position: string; trader: string; tradeIds: string[]; delays: [number, number] },
) {
  const [buyDelay, sellDelay] = copiedFrom?.delays ?? [0, 0];
  const owned = users[owner];
  if (!owned) throw new Error(`no user ${owner}`);
  return tradedPosition(t, owned, {
    contract: contract(strike),
    openedAt: at(closedAgo + HOUR, buyDelay),
    buys: [{ ...buy, at: at(closedAgo + HOUR, buyDelay) }],
    sells: [{ quantity: buy.quantity, price: sellPrice, at: at(closedAgo, sellDelay) }],
    copiedFrom: copiedFrom
      ? {
          positionId: positions[copiedFrom.position] ?? '',
          traderId: users[copiedFrom.trader]?.userId ?? '',
          tradeIds: copiedFrom.tradeIds,
        }
      : undefined,
  });
}

async function subscribe(subscriber: string, trader: string, status = 'active') {
  const { rows } = await t.db.execute<{ id: string }>(sql`
    INSERT INTO subscriptions (subscriber_id, trader_id, status)
    VALUES (${users[subscriber]?.userId}, ${users[trader]?.userId}, ${status}) RETURNING id`);
  subscriptions[`${subscriber}>${trader}`] = rows[0]?.id ?? '';
}

async function decide(
  subscriber: string,
  trader: string,
  sourceTradeId: string,
  action: 'buy' | 'sell',
  outcome: string,
  extra: { reason?: string; copyTradeId?: string } = {},
) {
  await t.db.execute(sql`
    INSERT INTO subscription_trades (subscription_id, source_trade_id, subscriber_id, trader_id, action, outcome,
                                     reason, source_quantity, copy_quantity, copy_trade_id)
    VALUES (${subscriptions[`${subscriber}>${trader}`]}, ${sourceTradeId}, ${users[subscriber]?.userId},
            ${users[trader]?.userId}, ${action}, ${outcome}, ${extra.reason ?? null}, 1, 1, ${extra.copyTradeId ?? null})`);
}

beforeAll(async () => {
  env = buildTestApp(t);
  anonymous = new HttpClient(inProcess(env.app));
  await person('A', { trader: true, username: 'alpha_trades' });
  await person('B', { trader: true, username: 'bravo_bets' });
  await person('C', { trader: true, username: 'charlie_waits' });
  await person('D', { trader: true, username: 'delta_gone' });
  await person('N', { username: 'november_not_a_trader' });
  for (const name of ['S1', 'S2', 'S3', 'S4']) await person(name);
  await t.db.execute(sql`UPDATE users SET trader_verified_at = now() WHERE id = ${users.A?.userId}`);
  await subscribe('S1', 'A');
  await subscribe('S2', 'A');
  await subscribe('S4', 'A', 'paused');
  await subscribe('S3', 'B');
  // A once followed B (the copy of B1 below came through it).
  await subscribe('A', 'B', 'cancelled');

  const a1 = await roundTrip('A', '101', 2 * HOUR, { quantity: 2, price: '1.00' }, '2.50');
  const a2 = await roundTrip('A', '102', 3 * DAY, { quantity: 1, price: '2.00' }, '1.00');
  const a3 = await roundTrip('A', '103', 20 * DAY, { quantity: 1, price: '1.00' }, '1.50');
  const a4 = await roundTrip('A', '104', 60 * DAY, { quantity: 5, price: '1.00' }, '2.00');
  Object.assign(positions, { A1: a1.positionId, A2: a2.positionId, A3: a3.positionId, A4: a4.positionId });
  const b1 = await roundTrip('B', '201', HOUR, { quantity: 1, price: '1.00' }, '3.00');
  positions.B1 = b1.positionId;
  await roundTrip('D', '301', HOUR, { quantity: 1, price: '1.00' }, '51.00');
  await roundTrip('N', '401', HOUR, { quantity: 1, price: '1.00' }, '91.00');

  // Copies that filled.
  const s1a1 = await roundTrip('S1', '101', 2 * HOUR, { quantity: 2, price: '1.02' }, '2.48', {
    position: 'A1',
    trader: 'A',
    tradeIds: a1.tradeIds,
    delays: [1, 3],
  });
  const s2a1 = await roundTrip('S2', '101', 2 * HOUR, { quantity: 1, price: '1.01' }, '2.50', {
    position: 'A1',
    trader: 'A',
    tradeIds: a1.tradeIds,
    delays: [2, 5],
  });
  const s1a2 = await roundTrip('S1', '102', 3 * DAY, { quantity: 1, price: '2.05' }, '0.95', {
    position: 'A2',
    trader: 'A',
    tradeIds: a2.tradeIds,
    delays: [4, 2],
  });
  await roundTrip('A', '201', HOUR, { quantity: 5, price: '1.00' }, '3.00', {
    position: 'B1',
    trader: 'B',
    tradeIds: b1.tradeIds,
    delays: [0, 0],
  });
  const [a1Buy, a1Sell] = a1.tradeIds;
  const [a2Buy, a2Sell] = a2.tradeIds;
  if (!a1Buy || !a1Sell || !a2Buy || !a2Sell || !a3.tradeIds[0] || !a4.tradeIds[0])
    throw new Error('no trades');
  for (const [subscriber, copy, buy, sell] of [
    ['S1', s1a1, a1Buy, a1Sell],
    ['S2', s2a1, a1Buy, a1Sell],
    ['S1', s1a2, a2Buy, a2Sell],
  ] as const) {
    await decide(subscriber, 'A', buy, 'buy', 'executed', { copyTradeId: copy.tradeIds[0] });
    await decide(subscriber, 'A', sell, 'sell', 'executed', { copyTradeId: copy.tradeIds[1] });
  }
  // Decisions that copied nothing: skipped, and a copy the broker rejected.
  await decide('S1', 'A', a3.tradeIds[0], 'buy', 'skipped', { reason: 'daily_limit' });
  await decide('S2', 'A', a3.tradeIds[0], 'buy', 'skipped', { reason: 'below_minimum' });
  const s2 = users.S2;
  if (!s2) throw new Error('no S2');
  const rejectedPosition = await createPosition(t.db, s2.userId, {
    underlying: 'SPY',
    optionType: 'put',
    strike: '104',
    expiration: '2030-06-21',
    symbol: 'SPY   300621P00104000',
    sourceParentTradeId: positions.A4,
    status: 'cancelled',
  });
  const rejected = await createTrade(t.db, rejectedPosition, s2.accountId, {
    action: 'buy',
    quantity: 5,
    status: 'rejected',
    source: 'copy',
    sourceTraderId: users.A?.userId,
    sourceTradeId: a4.tradeIds[0],
  });
  await decide('S2', 'A', a4.tradeIds[0], 'buy', 'failed', {
    reason: 'broker_rejected',
    copyTradeId: rejected.id,
  });

  await t.db.execute(
    sql`UPDATE users SET deleted_at = now() AT TIME ZONE 'UTC' WHERE id = ${users.D?.userId}`,
  );
  await refresh(t);
});

const board = async (query = '') => expectJson(await anonymous.get(`/api/traders${query}`), 200);
const names = (body: Json) => (body.traders as Json[]).map((row) => [row.username, row.rank]);

describe('GET /api/traders', () => {
  it('lists every active trader, never a deleted user or a non-trader, with their own figures', async () => {
    const body = await board();
    expect(body).toMatchObject({ period: 'all', sort: 'pnl', order: 'desc', nextCursor: null });
    expect(typeof body.asOf).toBe('string');
    expect(body.traders).toEqual([
      {
        rank: 1,
        rankChange: 0,
        id: users.A?.userId,
        username: 'alpha_trades',
        name: expect.any(String),
        avatarUrl: null,
        verified: true,
        followers: 2,
        // A's own positions only: the +1,000.00 copied from B is not A's trading.
        closedPositions: 4,
        winRate: '0.7500',
        pnl: '750.00',
        averagePnl: '187.50',
        totalPnl: '750.00',
        pnl24h: '300.00',
        pnl7d: '200.00',
        pnl30d: '250.00',
      },
      expect.objectContaining({
        rank: 2,
        username: 'bravo_bets',
        followers: 1,
        pnl: '200.00',
        winRate: '1.0000',
      }),
      expect.objectContaining({
        rank: 3,
        username: 'charlie_waits',
        followers: 0,
        closedPositions: 0,
        winRate: null,
        pnl: '0.00',
        averagePnl: null,
      }),
    ]);
  });

  it('takes its figures over the period asked for', async () => {
    const day = await board('?period=24h');
    expect(day.traders).toEqual([
      expect.objectContaining({
        username: 'alpha_trades',
        rank: 1,
        closedPositions: 1,
        pnl: '300.00',
        winRate: '1.0000',
      }),
      expect.objectContaining({ username: 'bravo_bets', rank: 2, pnl: '200.00' }),
      expect.objectContaining({ username: 'charlie_waits', rank: 3, pnl: '0.00' }),
    ]);
    const month = await board('?period=30d');
    expect((month.traders as Json[])[0]).toMatchObject({
      username: 'alpha_trades',
      closedPositions: 3,
      pnl: '250.00',
      winRate: '0.6667',
      averagePnl: '83.33',
    });
    // Over 7 days A and B both made 200.00: they share the rank.
    const week = await board('?period=7d');
    expect((week.traders as Json[]).map((row) => [row.pnl, row.rank])).toEqual([
      ['200.00', 1],
      ['200.00', 1],
      ['0.00', 3],
    ]);
  });

  it('sorts and ranks by any figure, traders without the figure last', async () => {
    expect(names(await board('?sort=winRate'))).toEqual([
      ['bravo_bets', 1],
      ['alpha_trades', 2],
      ['charlie_waits', 3],
    ]);
    expect(names(await board('?sort=averagePnl'))).toEqual([
      ['bravo_bets', 1],
      ['alpha_trades', 2],
      ['charlie_waits', 3],
    ]);
    expect(names(await board('?sort=followers'))).toEqual([
      ['alpha_trades', 1],
      ['bravo_bets', 2],
      ['charlie_waits', 3],
    ]);
    expect(names(await board('?sort=pnl24h'))).toEqual([
      ['alpha_trades', 1],
      ['bravo_bets', 2],
      ['charlie_waits', 3],
    ]);
    // Ascending keeps each trader's rank (1 is the best).
    expect(names(await board('?sort=pnl&order=asc'))).toEqual([
      ['charlie_waits', 3],
      ['bravo_bets', 2],
      ['alpha_trades', 1],
    ]);
  });

  it('tells how many places each trader moved on the all-time P&L board over 24 hours', async () => {
    // A day ago: A +450.00 first, B and C at 0.00 sharing second; B's +200.00 today passed C.
    const moves = (body: Json) => (body.traders as Json[]).map((row) => [row.username, row.rankChange]);
    const expected = [
      ['alpha_trades', 0],
      ['bravo_bets', 0],
      ['charlie_waits', -1],
    ];
    expect(moves(await board())).toEqual(expected);
    expect(moves(await board('?sort=totalPnl&period=7d'))).toEqual(expected);
    expect(moves(await board('?sort=pnl&order=asc')).reverse()).toEqual(expected);
    // Other rankings have no yesterday to compare with.
    for (const query of ['?sort=winRate', '?period=7d', '?sort=followers']) {
      expect(moves(await board(query)).map(([, change]) => change)).toEqual([null, null, null]);
    }
  });

  it('searches usernames, keeps the rank on the whole board, and pages with a cursor', async () => {
    expect(names(await board('?q=BRAVO'))).toEqual([['bravo_bets', 2]]);
    expect(names(await board('?q=a_%25'))).toEqual([]);
    expect((await board('?q=delta')).traders).toEqual([]);
    expect((await board('?q=november')).traders).toEqual([]);
    for (const query of ['sort=pnl', 'sort=winRate', 'sort=closedPositions&order=asc', 'period=7d']) {
      const whole = names(await board(`?${query}`));
      const paged: unknown[] = [];
      let cursor: string | null = null;
      do {
        const page = await board(`?${query}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
        paged.push(...names(page));
        cursor = page.nextCursor as string | null;
      } while (cursor);
      expect(paged).toEqual(whole);
    }
  });

  it('answers 400 naming the parameter', async () => {
    for (const [query, field] of [
      ['period=1y', 'period'],
      ['sort=luck', 'sort'],
      ['order=sideways', 'order'],
      ['limit=101', 'limit'],
      ['limit=-1', 'limit'],
      [`q=${'x'.repeat(51)}`, 'q'],
      ['cursor=garbage', 'cursor'],
      [`cursor=${Buffer.from(JSON.stringify(['1; DROP', 'x'])).toString('base64url')}`, 'cursor'],
    ]) {
      const error = await expectError(await anonymous.get(`/api/traders?${query}`), 400, 'VALIDATION');
      expect({ query, field: error.field }).toEqual({ query, field });
    }
  });
});

describe('GET /api/traders/{id}', () => {
  it("shows the trader's own statistics, curve and latest closed positions", async () => {
    const profile = await expectJson(await anonymous.get(`/api/traders/${users.A?.userId}`), 200);
    expect(profile).toMatchObject({
      id: users.A?.userId,
      username: 'alpha_trades',
      verified: true,
      followers: 2,
      statistics: {
        closedPositions: 4,
        wins: 3,
        losses: 1,
        totalPnl: '750.00',
        totalCostBasis: '1000.00',
        winRate: '0.7500',
        roi: '0.7500',
        biggestWin: '500.00',
        biggestLoss: '-100.00',
        profitFactor: '8.5000',
        expectancy: '187.50',
        maxDrawdown: '100.00',
      },
    });
    const dayOf = (msAgo: number) => easternDate(new Date(now - msAgo));
    expect((profile.curve as Json[]).map((p) => [p.date, p.pnl, p.cumulativePnl, p.drawdown])).toEqual([
      [dayOf(60 * DAY), '500.00', '500.00', '0.00'],
      [dayOf(20 * DAY), '50.00', '550.00', '0.00'],
      [dayOf(3 * DAY), '-100.00', '450.00', '100.00'],
      [dayOf(2 * HOUR), '300.00', '750.00', '0.00'],
    ]);
    expect((profile.recentPositions as Json[]).map((p) => p.id)).toEqual([
      positions.A1,
      positions.A2,
      positions.A3,
      positions.A4,
    ]);
  });

  it('shows what followers actually got: real copies only, the rest counted apart', async () => {
    const profile = await expectJson(await anonymous.get(`/api/traders/${users.A?.userId}`), 200);
    expect(profile.followerResults).toEqual({
      // +292.00 + 149.00 − 110.00, on a cost of 204.00 + 101.00 + 205.00.
      totalPnl: '331.00',
      roi: '0.6490',
      closedPositions: 3,
      wins: 2,
      losses: 1,
      followersWithResults: 2,
      // A1 and A2 of A's four openings had a copy fill.
      openings: 4,
      copiedOpenings: 2,
      copiedShare: '0.5000',
      copyFills: 6,
      // Delays 1, 2, 2, 3, 4, 5 s.
      medianCopyDelaySeconds: 2.5,
      // Buys +0.02, +0.01, +0.05; sells −0.02, 0.00, −0.05.
      averageSlippage: '0.0017',
      averageBuySlippage: '0.0267',
      averageSellSlippage: '-0.0233',
      skipped: 2,
      skippedByReason: { below_minimum: 1, daily_limit: 1 },
      failed: 1,
      lapsed: 0,
      dismissed: 0,
    });
    const bravo = await expectJson(await anonymous.get(`/api/traders/${users.B?.userId}`), 200);
    // A's copy of B1 (+1,000.00, no decision row): a follower's result all the same.
    expect(bravo.followerResults).toMatchObject({
      totalPnl: '1000.00',
      copyFills: 2,
      openings: 1,
      copiedShare: '1.0000',
    });
  });

  it('does not find a deleted trader or a user who is not a trader', async () => {
    await expectError(await anonymous.get(`/api/traders/${users.D?.userId}`), 404, 'NOT_FOUND');
    await expectError(await anonymous.get(`/api/traders/${users.N?.userId}`), 404, 'NOT_FOUND');
  });
});

describe('subscription statistics', () => {
  const as = (name: string) => ({
    db: t.db,
    actor: { type: 'user' as const, userId: users[name]?.userId ?? '' },
    now: () => new Date(),
    log: silentLogger(),
  });

  it('counts what each subscription got: copies executed, skipped by reason, P&L', async () => {
    // S1: A1 and A2 both ways (4 filled copies), A3 skipped; +292.00 − 110.00 on 204.00 + 205.00.
    expect(
      await getSubscriptionStatistics({ ctx: as('S1'), input: { subscriptionId: subscriptions['S1>A'] } }),
    ).toEqual({
      subscriptionId: subscriptions['S1>A'],
      traderId: users.A?.userId,
      decisions: 5,
      executed: 4,
      skipped: 1,
      skippedByReason: { daily_limit: 1 },
      failed: 0,
      pendingApproval: 0,
      dismissed: 0,
      lapsed: 0,
      closedPositions: 2,
      wins: 1,
      losses: 1,
      totalPnl: '182.00',
      roi: '0.4450',
      asOf: expect.any(String),
    });
    // S2: A1 both ways, A3 skipped, A4 failed (its rejected order is no copy).
    const { subscriptions: mine } = await listSubscriptionStatistics({ ctx: as('S2') });
    expect(mine).toEqual([
      expect.objectContaining({
        subscriptionId: subscriptions['S2>A'],
        decisions: 4,
        executed: 2,
        skipped: 1,
        skippedByReason: { below_minimum: 1 },
        failed: 1,
        closedPositions: 1,
        totalPnl: '149.00',
        roi: '1.4752',
      }),
    ]);
  });

  it("never gives another subscriber's statistics", async () => {
    await expect(
      getSubscriptionStatistics({ ctx: as('S2'), input: { subscriptionId: subscriptions['S1>A'] } }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await listSubscriptionStatistics({ ctx: as('C') })).subscriptions).toEqual([]);
  });
});
