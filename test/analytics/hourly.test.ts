/**
 * analytics_hourly is kept by a trigger on positions: after every kind of change a writer can
 * make (closing fills one by one or many in one statement, a fill corrected after the close, an
 * expiry, a deleted position or user, two transactions closing into one bucket at once), it
 * holds exactly what aggregating the per-position facts from scratch gives. And a user's
 * figures count a close at once, with no refresh.
 */
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { getAnalyticsSummary } from '../../src/services/analytics/get-summary';
import { silentLogger } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { createAccount, createTrade, createUser } from '../helpers/factories';
import { type Contract, tradedPosition } from './support';

const t = useTestDatabase();
type Owner = { userId: string; accountId: string };
let u1: Owner;
let u2: Owner;

async function owner(): Promise<Owner> {
  const user = await createUser(t.db);
  return { userId: user.id, accountId: (await createAccount(t.db, user.id)).id };
}

let strikes = 100;
const contract = (expiration = '2030-01-18'): Contract => ({
  underlying: 'IWM',
  optionType: 'call',
  strike: String(strikes++),
  expiration,
});

/** The table, and the same sums aggregated from scratch from the facts view. */
async function compare(): Promise<void> {
  const columns = sql`user_id, source, day::text AS day, hour::integer AS hour, closed_positions, wins, losses,
                      pnl::numeric(18, 2)::text AS pnl, cost_basis::numeric(18, 2)::text AS cost_basis,
                      gross_wins::numeric(18, 2)::text AS gross_wins, hold_seconds::bigint::text AS hold_seconds`;
  const { rows: kept } = await t.db.execute(sql`
    SELECT ${columns} FROM analytics_hourly ORDER BY user_id, source, day, hour`);
  const { rows: fromScratch } = await t.db.execute(sql`
    SELECT ${columns} FROM (
      SELECT user_id, source, closed_at_eastern::date AS day, EXTRACT(HOUR FROM closed_at_eastern) AS hour,
             count(*)::integer AS closed_positions,
             (count(*) FILTER (WHERE result = 'win'))::integer AS wins,
             (count(*) FILTER (WHERE result = 'loss'))::integer AS losses,
             sum(pnl) AS pnl, sum(cost_basis) AS cost_basis,
             COALESCE(sum(pnl) FILTER (WHERE result = 'win'), 0) AS gross_wins, sum(hold_seconds) AS hold_seconds
        FROM analytics_position_facts GROUP BY 1, 2, 3, 4) x
     ORDER BY user_id, source, day, hour`);
  expect(kept).toEqual(fromScratch);
}

/** A position bought 2 at 1.00 an hour before `closedAt`, sold at `price` then. */
const roundTrip = (
  who: Owner,
  closedAt: string,
  price: string,
  extra: Partial<Parameters<typeof tradedPosition>[2]> = {},
) =>
  tradedPosition(t, who, {
    contract: contract(),
    openedAt: new Date(new Date(closedAt).getTime() - 3_600_000).toISOString(),
    buys: [
      { quantity: 2, price: '1.00', at: new Date(new Date(closedAt).getTime() - 3_600_000).toISOString() },
    ],
    sells: [{ quantity: 2, price, at: closedAt }],
    ...extra,
  });

beforeAll(async () => {
  u1 = await owner();
  u2 = await owner();
});

describe('analytics_hourly', () => {
  it('adds closes one by one, in buckets of one Eastern hour', async () => {
    await roundTrip(u1, '2026-11-24T15:10:00Z', '1.50');
    await roundTrip(u1, '2026-11-24T15:50:00Z', '0.50');
    await roundTrip(u1, '2026-11-24T16:05:00Z', '1.00');
    await roundTrip(u2, '2026-11-25T04:30:00Z', '2.00');
    await compare();
    const { rows } = await t.db.execute<{ n: number }>(
      sql`SELECT count(*)::integer AS n FROM analytics_hourly`,
    );
    expect(rows[0]?.n).toBe(3);
  });

  it('counts a position only once its last contract is sold, and a copy as copied', async () => {
    const trader = await owner();
    const source = await roundTrip(trader, '2026-11-24T15:20:00Z', '1.20');
    const { positionId } = await tradedPosition(t, u1, {
      contract: contract(),
      openedAt: '2026-11-24T14:00:00Z',
      buys: [{ quantity: 4, price: '1.00', at: '2026-11-24T14:00:00Z' }],
      sells: [{ quantity: 1, price: '1.10', at: '2026-11-24T15:00:00Z' }],
      copiedFrom: { positionId: source.positionId, traderId: trader.userId, tradeIds: source.tradeIds },
    });
    await compare();
    await createTrade(t.db, { id: positionId, userId: u1.userId }, u1.accountId, {
      action: 'sell',
      quantity: 3,
      price: '1.30',
      filledAt: new Date('2026-11-24T15:25:00Z'),
    });
    await compare();
  });

  it('follows a fill corrected after the close, and many closes in one statement', async () => {
    const { tradeIds } = await roundTrip(u2, '2026-11-26T15:00:00Z', '3.00');
    await t.db.execute(sql`UPDATE trades SET filled_price = 0.25 WHERE id = ${tradeIds[1]}`);
    await compare();
    const open = await Promise.all(
      [0, 1, 2].map(() =>
        tradedPosition(t, u2, {
          contract: contract(),
          openedAt: '2026-11-26T14:00:00Z',
          buys: [{ quantity: 1, price: '1.00', at: '2026-11-26T14:00:00Z' }],
        }),
      ),
    );
    await t.db.execute(sql`
      INSERT INTO trades (parent_trade_id, user_id, account_id, action, quantity, filled_quantity, order_type,
                          filled_price, status, filled_at)
      SELECT p, ${u2.userId}, ${u2.accountId}, 'sell', 1, 1, 'Market', 1.75, 'filled', '2026-11-26T15:30:00'
        FROM unnest(${sql.param(open.map((o) => o.positionId))}::text[]) AS p`);
    await compare();
  });

  it('counts an expiry at its final P&L, and forgets deleted positions and users', async () => {
    const { positionId } = await tradedPosition(t, u1, {
      contract: contract('2026-11-27'),
      openedAt: '2026-11-25T15:00:00Z',
      buys: [{ quantity: 3, price: '0.80', at: '2026-11-25T15:00:00Z' }],
    });
    // As the expiry job does: expired first, then the system's sale at 0 at the close.
    await t.db.execute(sql`UPDATE parent_trades SET status = 'expired' WHERE id = ${positionId}`);
    await createTrade(t.db, { id: positionId, userId: u1.userId }, u1.accountId, {
      action: 'sell',
      quantity: 3,
      price: '0',
      source: 'auto',
      filledAt: new Date('2026-11-27T18:00:00Z'),
    });
    await compare();
    const { rows } = await t.db.execute<{ pnl: string }>(sql`
      SELECT pnl FROM analytics_hourly WHERE user_id = ${u1.userId} AND day = '2026-11-27' AND hour = 13`);
    expect(rows[0]?.pnl).toBe('-240.00');

    await t.db.execute(sql`DELETE FROM parent_trades WHERE id = ${positionId}`);
    await compare();
    await t.db.execute(sql`DELETE FROM users WHERE id = ${u2.userId}`);
    await compare();
    const { rows: left } = await t.db.execute(
      sql`SELECT 1 FROM analytics_hourly WHERE user_id = ${u2.userId}`,
    );
    expect(left).toEqual([]);
  });

  it('adds up two transactions closing into one bucket at once', async () => {
    const who = await owner();
    const positions = await Promise.all(
      [0, 1].map(() =>
        tradedPosition(t, who, {
          contract: contract(),
          openedAt: '2026-11-24T14:00:00Z',
          buys: [{ quantity: 1, price: '1.00', at: '2026-11-24T14:00:00Z' }],
        }),
      ),
    );
    const first = await t.pool.connect();
    const second = await t.pool.connect();
    try {
      const sell = (positionId: string) =>
        `INSERT INTO trades (parent_trade_id, user_id, account_id, action, quantity, filled_quantity, order_type,
                             filled_price, status, filled_at)
         VALUES ('${positionId}', '${who.userId}', '${who.accountId}', 'sell', 1, 1, 'Market', 2, 'filled',
                 '2026-11-24T15:45:00')`;
      await first.query('BEGIN');
      await second.query('BEGIN');
      await first.query(sell(positions[0]?.positionId ?? ''));
      // Waits for the first transaction's bucket row, then adds to what it committed.
      const waiting = second.query(sell(positions[1]?.positionId ?? ''));
      await first.query('COMMIT');
      await waiting;
      await second.query('COMMIT');
    } finally {
      first.release();
      second.release();
    }
    const { rows } = await t.db.execute<{ closed_positions: number; pnl: string }>(sql`
      SELECT closed_positions, pnl FROM analytics_hourly WHERE user_id = ${who.userId}`);
    expect(rows).toEqual([{ closed_positions: 2, pnl: '200.00' }]);
    await compare();
  });

  it("counts a close in the user's figures at once, with no refresh", async () => {
    const who = await owner();
    const ctx = {
      db: t.db,
      actor: { type: 'user' as const, userId: who.userId },
      now: () => new Date(),
      log: silentLogger(),
    };
    expect((await getAnalyticsSummary({ ctx, input: {} })).statistics.closedPositions).toBe(0);
    await roundTrip(who, '2026-11-24T15:00:00Z', '2.25');
    expect((await getAnalyticsSummary({ ctx, input: {} })).statistics).toMatchObject({
      closedPositions: 1,
      totalPnl: '250.00',
      biggestWin: '250.00',
    });
  });
});
