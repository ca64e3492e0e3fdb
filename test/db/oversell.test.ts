import pg from 'pg';
import { beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../helpers/db';
import { createAccount, createPosition, createTrade, createUser } from '../helpers/factories';

const t = useTestDatabase();

let positionId: string;
let userId: string;
let accountId: string;

beforeEach(async () => {
  userId = (await createUser(t.db)).id;
  accountId = (await createAccount(t.db, userId)).id;
  const position = await createPosition(t.db, userId);
  positionId = position.id;
  await createTrade(t.db, position, accountId, { action: 'buy', quantity: 10, price: '2.50' });
});

const sellSql = `INSERT INTO trades (parent_trade_id, user_id, account_id, action, quantity, order_type, status)
                 VALUES ($1, $2, $3, 'sell', $4, 'Market', 'pending') RETURNING id`;

async function sell(quantity: number): Promise<string> {
  const { rows } = await t.sql<{ id: string }>(sellSql, [positionId, userId, accountId, quantity]);
  const id = rows[0]?.id;
  if (!id) throw new Error('no id');
  return id;
}

async function sellCount(): Promise<number> {
  const { rows } = await t.sql<{ n: number }>(
    `SELECT count(*)::int AS n FROM trades WHERE parent_trade_id = $1 AND action = 'sell'`,
    [positionId],
  );
  return rows[0]?.n ?? -1;
}

describe('oversell guard', () => {
  it('refuses a sell larger than the filled contracts', async () => {
    await expect(sell(11)).rejects.toMatchObject({ code: '23514', constraint: 'trades_oversell_guard' });
    expect(await sellCount()).toBe(0);
  });

  it('counts pending sells as committed', async () => {
    await sell(6);
    await expect(sell(5)).rejects.toThrow(/oversell refused/);
    await sell(4);
    await expect(sell(1)).rejects.toThrow(/oversell refused/);
    expect(await sellCount()).toBe(2);
  });

  it('frees what a cancelled sell did not fill', async () => {
    const first = await sell(10);
    await t.sql(
      `UPDATE trades SET status = 'cancelled', filled_quantity = 3, filled_price = 3.00, filled_at = now() WHERE id = $1`,
      [first],
    );
    await expect(sell(8)).rejects.toThrow(/oversell refused/);
    await sell(7);
  });

  it('does not count unfilled buys', async () => {
    const position = await createPosition(t.db, userId, { symbol: 'AAPL  300118C00160000', strike: '160' });
    await createTrade(t.db, position, accountId, { action: 'buy', quantity: 10 });
    await expect(t.sql(sellSql, [position.id, userId, accountId, 1])).rejects.toThrow(/oversell refused/);
  });

  it('refuses an UPDATE that raises a sell above what is held', async () => {
    const id = await sell(5);
    await expect(t.sql(`UPDATE trades SET quantity = 11 WHERE id = $1`, [id])).rejects.toThrow(
      /oversell refused/,
    );
    const { rows } = await t.sql<{ quantity: number }>('SELECT quantity FROM trades WHERE id = $1', [id]);
    expect(rows[0]?.quantity).toBe(5);
  });

  it('lets exactly one of two concurrent sells of the last contracts through', async () => {
    const a = new pg.Client({ connectionString: t.url });
    const b = new pg.Client({ connectionString: t.url });
    await a.connect();
    await b.connect();
    try {
      await a.query('BEGIN');
      await b.query('BEGIN');
      await a.query(sellSql, [positionId, userId, accountId, 7]);
      // b blocks on the position lock until a commits, then sees a's sell.
      const bInsert = b.query(sellSql, [positionId, userId, accountId, 7]).then(
        () => 'inserted',
        (error: Error) => error.message,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      await a.query('COMMIT');
      expect(await bInsert).toMatch(/oversell refused/);
      await b.query('ROLLBACK');
    } finally {
      await a.end();
      await b.end();
    }
    expect(await sellCount()).toBe(1);
  });

  it('never oversells under many racing sells', async () => {
    const attempts = Array.from({ length: 12 }, async () => {
      const client = new pg.Client({ connectionString: t.url });
      await client.connect();
      try {
        await client.query('BEGIN');
        await client.query(sellSql, [positionId, userId, accountId, 3]);
        await client.query('COMMIT');
        return 'committed';
      } catch (error) {
        await client.query('ROLLBACK');
        return (error as Error).message;
      } finally {
        await client.end();
      }
    });
    const results = await Promise.all(attempts);
    expect(results.filter((r) => r === 'committed')).toHaveLength(3);
    // Every loser was refused by the guard: no deadlock, no other error.
    for (const r of results.filter((r) => r !== 'committed')) expect(r).toMatch(/oversell refused/);
    const { rows } = await t.sql<{ committed: number }>(
      `SELECT sum(quantity)::int AS committed FROM trades WHERE parent_trade_id = $1 AND action = 'sell'`,
      [positionId],
    );
    expect(rows[0]?.committed).toBe(9);
  });
});
