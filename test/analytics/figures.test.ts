/**
 * Every figure of PRODUCT.md §5 against values computed by hand, for each source, on a small
 * history written out below. The positions are written as any writer would (rows inserted, the
 * fill trigger folding them); the expired one goes through the real expiry job.
 *
 * User U (clock: Wednesday 2026-11-25 12:00 UTC). New York is on EST (UTC−5) in winter and EDT
 * (UTC−4) from Sunday 2026-03-08 02:00 to Sunday 2026-11-01 02:00.
 *
 * | pos | source | underlying | bought            | sold                          | P&L     | cost    | closed (UTC)       | closed (New York)         |
 * |-----|--------|------------|-------------------|-------------------------------|---------|---------|--------------------|---------------------------|
 * | P1  | manual | AAPL       | 10 @ 2.50         | 5 @ 3.00, 5 @ 2.80            | +400.00 | 2500.00 | 03-08 06:30        | Sun 03-08 01:30 EST       |
 * | P2  | manual | AAPL       | 2 @ 1.00          | 2 @ 0.40                      | −120.00 | 200.00  | 03-08 07:30        | Sun 03-08 03:30 EDT       |
 * | P3  | manual | MSFT       | 1 @ 2.00          | 1 @ 3.00                      | +100.00 | 200.00  | 11-25 04:30        | Tue 11-24 23:30 EST       |
 * | P4  | copied | AAPL       | 3 @ 1.50          | 3 @ 2.00                      | +150.00 | 450.00  | 07-01 03:30        | Tue 06-30 23:30 EDT       |
 * | P5  | manual | TSLA       | 4 @ 0.50          | expired: 4 @ 0 (system sale)  | −200.00 | 200.00  | 11-06 21:00        | Fri 11-06 16:00 EST       |
 * | P6  | manual | MSFT       | 1 @ 1.00          | 1 @ 1.00                      | 0.00    | 100.00  | 11-02 15:00        | Mon 11-02 10:00 EST       |
 * | P7  | manual | NVDA       | 1 @ 1.00 (open)   |                               |         |         |                    |                           |
 *
 * Another user (V) has positions of their own; none of them may appear in U's figures.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { expirePositions } from '../../src/services/trading/expire-positions';
import { buildTestApp, silentLogger, type TestApp, TestClock } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { createAccount } from '../helpers/factories';
import { expectError, expectJson, type Json, type Member, signUp } from '../subscriptions/helpers';
import { refresh, tradedPosition } from './support';

const t = useTestDatabase();
const clock = new TestClock(new Date('2026-11-25T12:00:00Z'));
let env: TestApp;
let u: Member;
let v: Member;
const ids: Record<string, string> = {};

const contract = (underlying: string, expiration = '2030-01-18') =>
  ({ underlying, optionType: 'call', strike: '150', expiration }) as const;

beforeAll(async () => {
  env = buildTestApp(t, { clock });
  u = await signUp(env.app, 'analyst');
  v = await signUp(env.app, 'other');
  const trader = await signUp(env.app, 'trader');
  const owner = { userId: u.id, accountId: (await createAccount(t.db, u.id)).id };
  const traderOwner = { userId: trader.id, accountId: (await createAccount(t.db, trader.id)).id };
  const other = { userId: v.id, accountId: (await createAccount(t.db, v.id)).id };

  ids.P1 = (
    await tradedPosition(t, owner, {
      contract: contract('AAPL'),
      openedAt: '2026-03-06T15:00:00Z',
      buys: [{ quantity: 10, price: '2.50', at: '2026-03-06T15:00:00Z' }],
      sells: [
        { quantity: 5, price: '3.00', at: '2026-03-07T16:00:00Z' },
        { quantity: 5, price: '2.80', at: '2026-03-08T06:30:00Z' },
      ],
    })
  ).positionId;
  ids.P2 = (
    await tradedPosition(t, owner, {
      contract: { ...contract('AAPL'), strike: '160' },
      openedAt: '2026-03-08T05:30:00Z',
      buys: [{ quantity: 2, price: '1.00', at: '2026-03-08T05:30:00Z' }],
      sells: [{ quantity: 2, price: '0.40', at: '2026-03-08T07:30:00Z' }],
    })
  ).positionId;
  ids.P3 = (
    await tradedPosition(t, owner, {
      contract: contract('MSFT'),
      openedAt: '2026-11-24T20:30:00Z',
      buys: [{ quantity: 1, price: '2.00', at: '2026-11-24T20:30:00Z' }],
      sells: [{ quantity: 1, price: '3.00', at: '2026-11-25T04:30:00Z' }],
    })
  ).positionId;
  const traderPosition = await tradedPosition(t, traderOwner, {
    contract: { ...contract('AAPL'), strike: '170' },
    openedAt: '2026-06-29T14:00:00Z',
    buys: [{ quantity: 3, price: '1.50', at: '2026-06-29T14:00:00Z' }],
    sells: [{ quantity: 3, price: '2.00', at: '2026-07-01T03:30:00Z' }],
  });
  ids.P4 = (
    await tradedPosition(t, owner, {
      contract: { ...contract('AAPL'), strike: '170' },
      openedAt: '2026-06-29T14:00:00Z',
      buys: [{ quantity: 3, price: '1.50', at: '2026-06-29T14:00:00Z' }],
      sells: [{ quantity: 3, price: '2.00', at: '2026-07-01T03:30:00Z' }],
      copiedFrom: {
        positionId: traderPosition.positionId,
        traderId: trader.id,
        tradeIds: traderPosition.tradeIds,
      },
    })
  ).positionId;
  ids.P5 = (
    await tradedPosition(t, owner, {
      contract: contract('TSLA', '2026-11-06'),
      openedAt: '2026-11-05T15:00:00Z',
      buys: [{ quantity: 4, price: '0.50', at: '2026-11-05T15:00:00Z' }],
    })
  ).positionId;
  ids.P6 = (
    await tradedPosition(t, owner, {
      contract: contract('MSFT', '2030-02-15'),
      openedAt: '2026-11-02T14:40:00Z',
      buys: [{ quantity: 1, price: '1.00', at: '2026-11-02T14:40:00Z' }],
      sells: [{ quantity: 1, price: '1.00', at: '2026-11-02T15:00:00Z' }],
    })
  ).positionId;
  ids.P7 = (
    await tradedPosition(t, owner, {
      contract: contract('NVDA'),
      openedAt: '2026-11-20T15:00:00Z',
      buys: [{ quantity: 1, price: '1.00', at: '2026-11-20T15:00:00Z' }],
    })
  ).positionId;
  // V's positions: a big win the same day as P1, and one still open.
  await tradedPosition(t, other, {
    contract: contract('AAPL'),
    openedAt: '2026-03-06T15:00:00Z',
    buys: [{ quantity: 10, price: '1.00', at: '2026-03-06T15:00:00Z' }],
    sells: [{ quantity: 10, price: '9.00', at: '2026-03-08T06:30:00Z' }],
  });
  await tradedPosition(t, other, {
    contract: contract('NVDA'),
    openedAt: '2026-11-20T15:00:00Z',
    buys: [{ quantity: 1, price: '1.00', at: '2026-11-20T15:00:00Z' }],
  });

  // P5 expires through the real job: worthless after 16:00 New York on 2026-11-06.
  const ctx = {
    db: t.db,
    actor: { type: 'system' as const, job: 'test' },
    now: clock.now,
    log: silentLogger(),
  };
  const { expired } = await expirePositions({ ctx, deps: env.trading });
  expect(expired).toEqual([ids.P5]);
  await refresh(t);
});

const get = async (member: Member, path: string): Promise<Json> =>
  expectJson(await member.client.get(path), 200);
const statistics = async (source: string) =>
  (await get(u, `/api/analytics/summary?source=${source}`)).statistics as Json;

describe('summary', () => {
  it('gives every figure for all positions', async () => {
    // Hold times: P1 1 d 15 h 30 m = 142,200 s; P2 2 h = 7,200 s; P3 8 h = 28,800 s;
    // P4 1 d 13 h 30 m = 135,000 s; P5 1 d 6 h = 108,000 s; P6 20 m = 1,200 s → 422,400 ÷ 6.
    expect(await statistics('all')).toEqual({
      closedPositions: 6,
      openPositions: 1,
      wins: 3,
      losses: 2,
      even: 1,
      totalPnl: '330.00',
      totalCostBasis: '3650.00',
      grossWins: '650.00',
      grossLosses: '-320.00',
      winRate: '0.5000',
      roi: '0.0904',
      biggestWin: '400.00',
      biggestLoss: '-200.00',
      averageWin: '216.67',
      averageLoss: '-160.00',
      profitFactor: '2.0313',
      expectancy: '55.00',
      // Curve by Eastern day: 03-08 +280 → 280; 06-30 +150 → 430; 11-02 0 → 430;
      // 11-06 −200 → 230 (200 below the peak); 11-24 +100 → 330.
      maxDrawdown: '200.00',
      averageHoldSeconds: 70400,
      firstCloseDay: '2026-03-08',
      lastCloseDay: '2026-11-24',
    });
  });

  it('gives the figures of the positions the user opened (manual)', async () => {
    expect(await statistics('manual')).toMatchObject({
      closedPositions: 5,
      openPositions: 1,
      wins: 2,
      losses: 2,
      even: 1,
      totalPnl: '180.00',
      totalCostBasis: '3200.00',
      winRate: '0.4000',
      roi: '0.0563',
      biggestWin: '400.00',
      biggestLoss: '-200.00',
      averageWin: '250.00',
      averageLoss: '-160.00',
      profitFactor: '1.5625',
      expectancy: '36.00',
      // 03-08 +280 → 280; 11-02 → 280; 11-06 −200 → 80; 11-24 +100 → 180.
      maxDrawdown: '200.00',
      // (422,400 − 135,000) ÷ 5.
      averageHoldSeconds: 57480,
    });
  });

  it('gives the figures of the positions copies opened, with no loss for a profit factor', async () => {
    expect(await statistics('copied')).toMatchObject({
      closedPositions: 1,
      openPositions: 0,
      wins: 1,
      losses: 0,
      even: 0,
      totalPnl: '150.00',
      totalCostBasis: '450.00',
      winRate: '1.0000',
      roi: '0.3333',
      biggestWin: '150.00',
      biggestLoss: null,
      averageWin: '150.00',
      averageLoss: null,
      profitFactor: null,
      expectancy: '150.00',
      maxDrawdown: '0.00',
      averageHoldSeconds: 135000,
    });
  });

  it("never shows another user's positions, and a user with none gets zeros", async () => {
    const stranger = await signUp(env.app, 'stranger');
    expect(await get(stranger, '/api/analytics/summary')).toMatchObject({
      statistics: {
        closedPositions: 0,
        openPositions: 0,
        totalPnl: '0.00',
        winRate: null,
        maxDrawdown: '0.00',
      },
    });
    const theirs = (await get(v, '/api/analytics/summary')).statistics as Json;
    expect(theirs).toMatchObject({ closedPositions: 1, openPositions: 1, totalPnl: '8000.00' });
  });
});

describe('periods', () => {
  it('counts closes in rolling windows ending now and the year since 1 January in New York', async () => {
    const body = await get(u, '/api/analytics/periods');
    const periods = body.periods as Json[];
    expect(periods.map((p) => [p.period, p.from, p.closedPositions, p.totalPnl])).toEqual([
      ['24h', '2026-11-24T12:00:00.000Z', 1, '100.00'],
      ['7d', '2026-11-18T12:00:00.000Z', 1, '100.00'],
      ['30d', '2026-10-26T12:00:00.000Z', 3, '-100.00'],
      ['90d', '2026-08-27T12:00:00.000Z', 3, '-100.00'],
      ['ytd', '2026-01-01T05:00:00.000Z', 6, '330.00'],
      ['all', null, 6, '330.00'],
    ]);
    expect(periods[2]).toMatchObject({ wins: 1, losses: 1, winRate: '0.3333', roi: '-0.2000' });
    const copied = (await get(u, '/api/analytics/periods?source=copied')).periods as Json[];
    expect(copied.map((p) => p.closedPositions)).toEqual([0, 0, 0, 0, 1, 1]);
  });
});

describe('closed positions', () => {
  const list = async (query: string) => {
    const body = await get(u, `/api/analytics/positions${query}`);
    return { ids: (body.positions as Json[]).map((p) => p.id), body };
  };

  it('lists newest close first, pages with a cursor, and carries each position’s facts', async () => {
    const pages: unknown[] = [];
    let cursor: string | null = null;
    do {
      const { ids: page, body } = await list(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(...page);
      cursor = body.nextCursor as string | null;
    } while (cursor);
    expect(pages).toEqual([ids.P3, ids.P5, ids.P6, ids.P4, ids.P2, ids.P1]);
    const { body } = await list('?underlying=tsla');
    expect(body.positions).toEqual([
      expect.objectContaining({
        id: ids.P5,
        status: 'expired',
        source: 'manual',
        quantity: 4,
        costBasis: '200.00',
        proceeds: '0.00',
        pnl: '-200.00',
        pnlPercent: '-100.0000',
        result: 'loss',
        closedAt: '2026-11-06T21:00:00.000Z',
        closeDay: '2026-11-06',
        holdSeconds: 108000,
      }),
    ]);
  });

  it('filters by underlying, result, source and Eastern close days', async () => {
    expect((await list('?underlying=AAPL')).ids).toEqual([ids.P4, ids.P2, ids.P1]);
    expect((await list('?result=loss')).ids).toEqual([ids.P5, ids.P2]);
    expect((await list('?result=even')).ids).toEqual([ids.P6]);
    expect((await list('?source=copied')).ids).toEqual([ids.P4]);
    // Closed 2026-11-25 04:30 UTC: the 24th in New York, not the 25th.
    expect((await list('?from=2026-11-24&to=2026-11-24')).ids).toEqual([ids.P3]);
    expect((await list('?from=2026-11-25')).ids).toEqual([]);
    // Both sides of the spring-forward hour fall on 2026-03-08.
    expect((await list('?from=2026-03-08&to=2026-03-08')).ids).toEqual([ids.P2, ids.P1]);
    expect((await list('?to=2026-03-07')).ids).toEqual([]);
  });

  it('sorts by P&L and by P&L %, both ways, across pages', async () => {
    const all = async (query: string) => {
      const found: unknown[] = [];
      let cursor: string | null = null;
      do {
        const { ids: page, body } = await list(`${query}&limit=4${cursor ? `&cursor=${cursor}` : ''}`);
        found.push(...page);
        cursor = body.nextCursor as string | null;
      } while (cursor);
      return found;
    };
    expect(await all('?sort=pnl')).toEqual([ids.P1, ids.P4, ids.P3, ids.P6, ids.P2, ids.P5]);
    expect(await all('?sort=pnl&order=asc')).toEqual([ids.P5, ids.P2, ids.P6, ids.P3, ids.P4, ids.P1]);
    // P&L %: P3 50, P4 33.3333, P1 16, P6 0, P2 −60, P5 −100.
    expect(await all('?sort=pnlPercent')).toEqual([ids.P3, ids.P4, ids.P1, ids.P6, ids.P2, ids.P5]);
    expect(await all('?sort=closedAt&order=asc')).toEqual([ids.P1, ids.P2, ids.P4, ids.P6, ids.P5, ids.P3]);
  });
});

describe('per underlying', () => {
  it('adds up each underlying, best total first', async () => {
    const body = await get(u, '/api/analytics/underlyings');
    expect(body.underlyings).toEqual([
      {
        underlying: 'AAPL',
        closedPositions: 3,
        wins: 2,
        losses: 1,
        totalPnl: '430.00',
        totalCostBasis: '3150.00',
        winRate: '0.6667',
        roi: '0.1365',
        averagePnl: '143.33',
      },
      {
        underlying: 'MSFT',
        closedPositions: 2,
        wins: 1,
        losses: 0,
        totalPnl: '100.00',
        totalCostBasis: '300.00',
        winRate: '0.5000',
        roi: '0.3333',
        averagePnl: '50.00',
      },
      {
        underlying: 'TSLA',
        closedPositions: 1,
        wins: 0,
        losses: 1,
        totalPnl: '-200.00',
        totalCostBasis: '200.00',
        winRate: '0.0000',
        roi: '-1.0000',
        averagePnl: '-200.00',
      },
    ]);
    const manual = (await get(u, '/api/analytics/underlyings?source=manual')).underlyings as Json[];
    expect(manual[0]).toMatchObject({ underlying: 'AAPL', closedPositions: 2, totalPnl: '280.00' });
  });
});

describe('daily P&L, curve and heatmap', () => {
  it('puts each close on its Eastern day, across midnight and both daylight-saving changes', async () => {
    const body = await get(u, '/api/analytics/daily?from=2026-03-01&to=2026-11-30');
    expect(body.entries).toEqual([
      { date: '2026-03-08', closedPositions: 2, wins: 1, losses: 1, pnl: '280.00' },
      { date: '2026-06-30', closedPositions: 1, wins: 1, losses: 0, pnl: '150.00' },
      { date: '2026-11-02', closedPositions: 1, wins: 0, losses: 0, pnl: '0.00' },
      { date: '2026-11-06', closedPositions: 1, wins: 0, losses: 1, pnl: '-200.00' },
      { date: '2026-11-24', closedPositions: 1, wins: 1, losses: 0, pnl: '100.00' },
    ]);
    expect(body.totals).toEqual({ closedPositions: 6, wins: 3, losses: 2, pnl: '330.00' });
    // The default range: the 90 days to today in New York.
    expect(await get(u, '/api/analytics/daily?source=manual')).toMatchObject({
      from: '2026-08-28',
      to: '2026-11-25',
      totals: { closedPositions: 3, pnl: '-100.00' },
    });
  });

  it('groups by Monday-to-Sunday Eastern weeks', async () => {
    const body = await get(u, '/api/analytics/daily?interval=week&from=2026-03-01&to=2026-11-30');
    expect((body.entries as Json[]).map((e) => [e.date, e.closedPositions, e.pnl])).toEqual([
      ['2026-03-02', 2, '280.00'],
      ['2026-06-29', 1, '150.00'],
      ['2026-11-02', 2, '-200.00'],
      ['2026-11-23', 1, '100.00'],
    ]);
  });

  it('draws the cumulative curve with its drawdown, per source', async () => {
    const curve = async (query: string) =>
      ((await get(u, `/api/analytics/curve${query}`)).points as Json[]).map((p) => [
        p.date,
        p.cumulativePnl,
        p.drawdown,
      ]);
    expect(await curve('')).toEqual([
      ['2026-03-08', '280.00', '0.00'],
      ['2026-06-30', '430.00', '0.00'],
      ['2026-11-02', '430.00', '0.00'],
      ['2026-11-06', '230.00', '200.00'],
      ['2026-11-24', '330.00', '100.00'],
    ]);
    expect(await curve('?source=copied')).toEqual([['2026-06-30', '150.00', '0.00']]);
    // A range keeps its days; the running total still starts at the first close.
    expect(await curve('?source=manual&from=2026-11-01')).toEqual([
      ['2026-11-02', '280.00', '0.00'],
      ['2026-11-06', '80.00', '200.00'],
      ['2026-11-24', '180.00', '100.00'],
    ]);
  });

  it('maps closes to Eastern weekday and hour', async () => {
    const body = await get(u, '/api/analytics/heatmap');
    expect((body.cells as Json[]).map((c) => [c.weekday, c.hour, c.closedPositions, c.pnl])).toEqual([
      [1, 10, 1, '0.00'],
      [2, 23, 2, '250.00'],
      [5, 16, 1, '-200.00'],
      [7, 1, 1, '400.00'],
      [7, 3, 1, '-120.00'],
    ]);
    const manual = (await get(u, '/api/analytics/heatmap?source=manual')).cells as Json[];
    expect(manual.find((c) => c.weekday === 2 && c.hour === 23)).toMatchObject({
      closedPositions: 1,
      pnl: '100.00',
    });
  });
});

describe('bad query parameters', () => {
  it('answer 400 naming the parameter', async () => {
    const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const cases: Array<[string, string]> = [
      ['/api/analytics/summary?source=mine', 'source'],
      ['/api/analytics/periods?source=', 'source'],
      ['/api/analytics/positions?sort=size', 'sort'],
      ['/api/analytics/positions?order=up', 'order'],
      ['/api/analytics/positions?result=draw', 'result'],
      ['/api/analytics/positions?underlying=AAPL1', 'underlying'],
      ['/api/analytics/positions?limit=0', 'limit'],
      ['/api/analytics/positions?limit=ten', 'limit'],
      ['/api/analytics/positions?from=2026-02-30', 'from'],
      ['/api/analytics/positions?from=2026-11-02&to=2026-11-01', 'from'],
      ['/api/analytics/positions?cursor=nonsense', 'cursor'],
      // A close-time cursor is no P&L cursor.
      [`/api/analytics/positions?sort=pnl&cursor=${cursorOf(['2026-11-02 15:00:00', 'x'])}`, 'cursor'],
      [`/api/analytics/positions?cursor=${cursorOf(["2026-11-02'; --", 'x'])}`, 'cursor'],
      ['/api/analytics/underlyings?to=yesterday', 'to'],
      ['/api/analytics/daily?interval=month', 'interval'],
      ['/api/analytics/daily?from=2020-01-01&to=2026-01-01', 'from'],
      ['/api/analytics/curve?to=2026-13-01', 'to'],
      ['/api/analytics/heatmap?source=COPIED', 'source'],
    ];
    for (const [path, field] of cases) {
      const error = await expectError(await u.client.get(path), 400, 'VALIDATION');
      expect({ path, field: error.field }).toEqual({ path, field });
    }
  });
});
