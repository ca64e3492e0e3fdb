/**
 * The fill trigger computes every position figure in the database. These tests write rows the
 * way any writer could (plain SQL INSERT, UPDATE of fills, partial fills) and check the
 * figures to the cent, PRODUCT.md §2.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../helpers/db';
import { createAccount, createPosition, createTrade, createUser } from '../helpers/factories';

const t = useTestDatabase();

type PositionRow = {
  status: string;
  total_cost_basis: string;
  total_proceeds: string;
  total_pnl: string;
  bought_quantity: number;
  sold_quantity: number;
  avg_entry_price: string | null;
  closed_at: Date | null;
};

let userId: string;
let accountId: string;

beforeEach(async () => {
  const user = await createUser(t.db);
  userId = user.id;
  accountId = (await createAccount(t.db, userId)).id;
});

async function newPosition(): Promise<string> {
  return (await createPosition(t.db, userId)).id;
}

async function position(id: string): Promise<PositionRow> {
  const { rows } = await t.sql<PositionRow>('SELECT * FROM parent_trades WHERE id = $1', [id]);
  const row = rows[0];
  if (!row) throw new Error(`no position ${id}`);
  return row;
}

async function sells(positionId: string): Promise<{ pnl: string | null; pnl_percent: string | null }[]> {
  const { rows } = await t.sql<{ pnl: string | null; pnl_percent: string | null }>(
    `SELECT pnl, pnl_percent FROM trades WHERE parent_trade_id = $1 AND action = 'sell' ORDER BY filled_at, created_at`,
    [positionId],
  );
  return rows;
}

/** Plain SQL insert of one trade row, as psql would write it. */
async function insertTrade(
  positionId: string,
  action: 'buy' | 'sell',
  quantity: number,
  filledQuantity: number,
  price: string | null,
  status: string,
  filledAt: string | null,
  source = 'manual',
): Promise<string> {
  const { rows } = await t.sql<{ id: string }>(
    `INSERT INTO trades (parent_trade_id, user_id, account_id, action, quantity, filled_quantity,
                         order_type, filled_price, status, filled_at, source)
     VALUES ($1, $2, $3, $4, $5, $6, 'Market', $7, $8, $9, $10) RETURNING id`,
    [positionId, userId, accountId, action, quantity, filledQuantity, price, status, filledAt, source],
  );
  const id = rows[0]?.id;
  if (!id) throw new Error('insert failed');
  return id;
}

describe('worked example 1: BTO 10 @ 2.50, STC 5 @ 3.00, STC 5 @ 2.80', () => {
  const expectWorkedExample = async (id: string) => {
    const p = await position(id);
    expect(p.total_cost_basis).toBe('2500.00');
    expect(p.total_proceeds).toBe('2900.00');
    expect(p.total_pnl).toBe('400.00');
    expect(p.status).toBe('closed');
    expect(p.closed_at).toEqual(new Date('2026-01-05T15:00:00Z'));
    expect(p.bought_quantity).toBe(10);
    expect(p.sold_quantity).toBe(10);
    expect(await sells(id)).toEqual([
      { pnl: '250.00', pnl_percent: '20.0000' },
      { pnl: '150.00', pnl_percent: '12.0000' },
    ]);
  };

  it('holds when filled rows are INSERTed by plain SQL', async () => {
    const id = await newPosition();
    await insertTrade(id, 'buy', 10, 10, '2.50', 'filled', '2026-01-05 14:00:00');
    await insertTrade(id, 'sell', 5, 5, '3.00', 'filled', '2026-01-05 14:30:00');
    await insertTrade(id, 'sell', 5, 5, '2.80', 'filled', '2026-01-05 15:00:00');
    await expectWorkedExample(id);
  });

  it('holds when all three rows arrive in one multi-row INSERT', async () => {
    const id = await newPosition();
    await t.sql(
      `INSERT INTO trades (parent_trade_id, user_id, account_id, action, quantity, filled_quantity, order_type,
                           filled_price, status, filled_at)
       VALUES ($1, $2, $3, 'sell', 5, 5, 'Limit', 2.80, 'filled', '2026-01-05 15:00:00'),
              ($1, $2, $3, 'buy', 10, 10, 'Market', 2.50, 'filled', '2026-01-05 14:00:00'),
              ($1, $2, $3, 'sell', 5, 5, 'Limit', 3.00, 'filled', '2026-01-05 14:30:00')`,
      [id, userId, accountId],
    );
    await expectWorkedExample(id);
  });

  it('holds when pending orders are later UPDATEd with their fills', async () => {
    const id = await newPosition();
    const buy = await insertTrade(id, 'buy', 10, 0, null, 'pending', null);
    await t.sql(
      `UPDATE trades SET status = 'filled', filled_quantity = 10, filled_price = 2.50, filled_at = '2026-01-05 14:00:00' WHERE id = $1`,
      [buy],
    );
    const sell1 = await insertTrade(id, 'sell', 5, 0, null, 'pending', null);
    const sell2 = await insertTrade(id, 'sell', 5, 0, null, 'pending', null);
    expect((await position(id)).status).toBe('open');
    expect(await sells(id)).toEqual([
      { pnl: null, pnl_percent: null },
      { pnl: null, pnl_percent: null },
    ]);
    await t.sql(
      `UPDATE trades SET status = 'filled', filled_quantity = 5, filled_price = 3.00, filled_at = '2026-01-05 14:30:00' WHERE id = $1`,
      [sell1],
    );
    await t.sql(
      `UPDATE trades SET status = 'filled', filled_quantity = 5, filled_price = 2.80, filled_at = '2026-01-05 15:00:00' WHERE id = $1`,
      [sell2],
    );
    await expectWorkedExample(id);
  });

  it('holds when the fills come in pieces (partial, then filled)', async () => {
    const id = await newPosition();
    const buy = await insertTrade(id, 'buy', 10, 4, '2.50', 'partial', '2026-01-05 14:00:00');
    expect((await position(id)).total_cost_basis).toBe('1000.00');
    await t.sql(`UPDATE trades SET status = 'filled', filled_quantity = 10 WHERE id = $1`, [buy]);
    const sell1 = await insertTrade(id, 'sell', 5, 2, '3.00', 'partial', '2026-01-05 14:30:00');
    let p = await position(id);
    expect(p.total_proceeds).toBe('600.00');
    expect(p.total_pnl).toBe('100.00');
    expect(p.status).toBe('open');
    await t.sql(`UPDATE trades SET status = 'filled', filled_quantity = 5 WHERE id = $1`, [sell1]);
    await insertTrade(id, 'sell', 5, 5, '2.80', 'filled', '2026-01-05 15:00:00');
    p = await position(id);
    expect(p.total_pnl).toBe('400.00');
    await expectWorkedExample(id);
  });
});

describe('worked example 2: averaging in', () => {
  it('BTO 5 @ 3.00 and 5 @ 2.00, STC 10 @ 3.50 → average 2.50, pnl 1000.00', async () => {
    const id = await newPosition();
    await insertTrade(id, 'buy', 5, 5, '3.00', 'filled', '2026-01-05 14:00:00');
    await insertTrade(id, 'buy', 5, 5, '2.00', 'filled', '2026-01-05 14:10:00');
    expect((await position(id)).avg_entry_price).toBe('2.500000');
    await insertTrade(id, 'sell', 10, 10, '3.50', 'filled', '2026-01-05 15:00:00');
    const p = await position(id);
    expect(p.avg_entry_price).toBe('2.500000');
    expect(p.total_cost_basis).toBe('2500.00');
    expect(p.total_proceeds).toBe('3500.00');
    expect(p.total_pnl).toBe('1000.00');
    expect(p.status).toBe('closed');
    expect(await sells(id)).toEqual([{ pnl: '1000.00', pnl_percent: '40.0000' }]);
  });
});

describe('fills by filled_quantity whatever the final status', () => {
  it('a cancelled sell that half-filled counts its half', async () => {
    const id = await newPosition();
    await insertTrade(id, 'buy', 10, 10, '2.50', 'filled', '2026-01-05 14:00:00');
    const sell = await insertTrade(id, 'sell', 10, 4, '3.00', 'partial', '2026-01-05 14:30:00');
    await t.sql(`UPDATE trades SET status = 'cancelled' WHERE id = $1`, [sell]);
    const p = await position(id);
    expect(p.status).toBe('open');
    expect(p.sold_quantity).toBe(4);
    expect(p.total_proceeds).toBe('1200.00');
    expect(p.total_pnl).toBe('200.00');
    expect(await sells(id)).toEqual([{ pnl: '200.00', pnl_percent: '20.0000' }]);
  });

  it('a cancelled buy that partly filled counts in the cost basis', async () => {
    const id = await newPosition();
    const buy = await insertTrade(id, 'buy', 10, 3, '1.20', 'partial', '2026-01-05 14:00:00');
    await t.sql(`UPDATE trades SET status = 'cancelled' WHERE id = $1`, [buy]);
    const p = await position(id);
    expect(p.total_cost_basis).toBe('360.00');
    expect(p.bought_quantity).toBe(3);
    expect(p.status).toBe('open');
  });

  it('a rejected order with nothing filled changes nothing', async () => {
    const id = await newPosition();
    await insertTrade(id, 'buy', 10, 10, '2.50', 'filled', '2026-01-05 14:00:00');
    await insertTrade(id, 'buy', 5, 0, null, 'rejected', null);
    const p = await position(id);
    expect(p.total_cost_basis).toBe('2500.00');
    expect(p.bought_quantity).toBe(10);
  });
});

describe('realised P&L', () => {
  it('uses the moving average: buying more after a partial close leaves the earlier sale alone', async () => {
    const id = await newPosition();
    await insertTrade(id, 'buy', 10, 10, '2.00', 'filled', '2026-01-05 14:00:00');
    await insertTrade(id, 'sell', 5, 5, '3.00', 'filled', '2026-01-05 14:10:00');
    await insertTrade(id, 'buy', 5, 5, '4.00', 'filled', '2026-01-05 14:20:00');
    let p = await position(id);
    expect(p.avg_entry_price).toBe('3.000000');
    expect(p.total_pnl).toBe('500.00');
    await insertTrade(id, 'sell', 10, 10, '3.50', 'filled', '2026-01-05 14:30:00');
    p = await position(id);
    expect(await sells(id)).toEqual([
      { pnl: '500.00', pnl_percent: '50.0000' },
      { pnl: '500.00', pnl_percent: '16.6667' },
    ]);
    expect(p.total_pnl).toBe('1000.00');
    expect(p.total_proceeds).toBe('5000.00');
    expect(p.total_cost_basis).toBe('4000.00');
    expect(p.status).toBe('closed');
  });

  it('equals proceeds − cost basis to the cent when averages do not divide evenly', async () => {
    const id = await newPosition();
    await insertTrade(id, 'buy', 3, 3, '1.00', 'filled', '2026-01-05 14:00:00');
    await insertTrade(id, 'buy', 3, 3, '1.01', 'filled', '2026-01-05 14:01:00');
    await insertTrade(id, 'buy', 1, 1, '1.05', 'filled', '2026-01-05 14:02:00');
    await insertTrade(id, 'sell', 2, 2, '1.10', 'filled', '2026-01-05 14:03:00');
    await insertTrade(id, 'sell', 2, 2, '0.95', 'filled', '2026-01-05 14:04:00');
    await insertTrade(id, 'sell', 3, 3, '1.20', 'filled', '2026-01-05 14:05:00');
    const p = await position(id);
    expect(p.total_cost_basis).toBe('708.00');
    expect(p.total_proceeds).toBe('770.00');
    expect(p.total_pnl).toBe('62.00');
    const rows = await sells(id);
    // Exact values 17.7143, −12.2857, 56.5714: each sell is within a cent, together exactly 62.00.
    expect(rows.map((r) => r.pnl)).toEqual(['17.71', '-12.28', '56.57']);
    expect(rows.map((r) => r.pnl_percent)).toEqual(['8.7571', '-6.0734', '18.6441']);
  });

  it('records a loss as a negative pnl', async () => {
    const id = await newPosition();
    await insertTrade(id, 'buy', 2, 2, '5.00', 'filled', '2026-01-05 14:00:00');
    await insertTrade(id, 'sell', 2, 2, '3.75', 'filled', '2026-01-05 15:00:00');
    const p = await position(id);
    expect(p.total_pnl).toBe('-250.00');
    expect(await sells(id)).toEqual([{ pnl: '-250.00', pnl_percent: '-25.0000' }]);
  });

  it('keeps an expired position expired when the system sell at 0 closes it', async () => {
    const id = await newPosition();
    await insertTrade(id, 'buy', 4, 4, '1.25', 'filled', '2026-01-05 14:00:00');
    await t.sql(`UPDATE parent_trades SET status = 'expired' WHERE id = $1`, [id]);
    await insertTrade(id, 'sell', 4, 4, '0', 'filled', '2026-01-16 21:00:00', 'auto');
    const p = await position(id);
    expect(p.status).toBe('expired');
    expect(p.total_pnl).toBe('-500.00');
    expect(p.closed_at).toEqual(new Date('2026-01-16T21:00:00Z'));
    expect(await sells(id)).toEqual([{ pnl: '-500.00', pnl_percent: '-100.0000' }]);
  });

  it('folds a buy and a sell of the same instant buys first, whatever their ids', async () => {
    const id = await newPosition();
    await t.sql(
      `INSERT INTO trades (id, parent_trade_id, user_id, account_id, action, quantity, filled_quantity, order_type,
                           filled_price, status, filled_at, created_at)
       VALUES ('zzzz-buy', $1, $2, $3, 'buy', 4, 4, 'Market', 2.00, 'filled', '2026-01-05 14:00:00', '2026-01-05 14:00:00'),
              ('aaaa-sell', $1, $2, $3, 'sell', 4, 4, 'Market', 2.50, 'filled', '2026-01-05 14:00:00', '2026-01-05 14:00:00')`,
      [id, userId, accountId],
    );
    const p = await position(id);
    expect(p.total_pnl).toBe('200.00');
    expect(await sells(id)).toEqual([{ pnl: '200.00', pnl_percent: '25.0000' }]);
  });

  it('recomputes when a filled trade is deleted', async () => {
    const id = await newPosition();
    await insertTrade(id, 'buy', 5, 5, '3.00', 'filled', '2026-01-05 14:00:00');
    const second = await insertTrade(id, 'buy', 5, 5, '2.00', 'filled', '2026-01-05 14:10:00');
    await t.sql('DELETE FROM trades WHERE id = $1', [second]);
    const p = await position(id);
    expect(p.total_cost_basis).toBe('1500.00');
    expect(p.bought_quantity).toBe(5);
    expect(p.avg_entry_price).toBe('3.000000');
  });
});

describe('factories agree with plain SQL', () => {
  it('drizzle-written trades produce the same figures', async () => {
    const pos = await createPosition(t.db, userId);
    await createTrade(t.db, pos, accountId, {
      action: 'buy',
      quantity: 10,
      price: '2.50',
      filledAt: new Date('2026-01-05T14:00:00Z'),
    });
    await createTrade(t.db, pos, accountId, {
      action: 'sell',
      quantity: 5,
      price: '3.00',
      filledAt: new Date('2026-01-05T14:30:00Z'),
    });
    await createTrade(t.db, pos, accountId, {
      action: 'sell',
      quantity: 5,
      price: '2.80',
      filledAt: new Date('2026-01-05T15:00:00Z'),
    });
    const p = await position(pos.id);
    expect([p.total_cost_basis, p.total_proceeds, p.total_pnl, p.status]).toEqual([
      '2500.00',
      '2900.00',
      '400.00',
      'closed',
    ]);
  });
});
