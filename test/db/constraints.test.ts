/** Every CHECK of the seed refuses a bad value; keys and cascades behave as the seed declares. */
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../helpers/db';
import { createAccount, createPosition, createTrade, createUser } from '../helpers/factories';

const t = useTestDatabase();

async function fixture() {
  const user = await createUser(t.db);
  const account = await createAccount(t.db, user.id);
  const position = await createPosition(t.db, user.id);
  return { user, account, position };
}

describe('seed CHECK constraints', () => {
  it('parent_trades.option_type accepts call/put only', async () => {
    const { user } = await fixture();
    await expect(
      t.sql(
        `INSERT INTO parent_trades (user_id, underlying, option_type, strike, expiration, symbol)
         VALUES ($1, 'AAPL', 'straddle', 150, '2030-01-18', 'X')`,
        [user.id],
      ),
    ).rejects.toMatchObject({ code: '23514', constraint: 'parent_trades_option_type_check' });
  });

  it('parent_trades.status accepts open/closed/expired/cancelled only', async () => {
    const { position } = await fixture();
    for (const ok of ['closed', 'expired', 'cancelled', 'open']) {
      await t.sql('UPDATE parent_trades SET status = $2 WHERE id = $1', [position.id, ok]);
    }
    await expect(
      t.sql(`UPDATE parent_trades SET status = 'archived' WHERE id = $1`, [position.id]),
    ).rejects.toMatchObject({ constraint: 'parent_trades_status_check' });
  });

  const tradeChecks: [string, string, string][] = [
    ['action', `'hold'`, 'trades_action_check'],
    ['order_type', `'TrailingStop'`, 'trades_order_type_check'],
    ['status', `'expired'`, 'trades_status_check'],
    ['source', `'copied'`, 'trades_source_check'],
  ];
  for (const [column, bad, constraint] of tradeChecks) {
    it(`trades.${column} refuses ${bad}`, async () => {
      const { user, account, position } = await fixture();
      const columns = { action: `'buy'`, order_type: `'Market'`, status: `'pending'`, source: `'manual'` };
      const values = { ...columns, [column]: bad };
      await expect(
        t.sql(
          `INSERT INTO trades (parent_trade_id, user_id, account_id, quantity, action, order_type, status, source)
           VALUES ($1, $2, $3, 1, ${values.action}, ${values.order_type}, ${values.status}, ${values.source})`,
          [position.id, user.id, account.id],
        ),
      ).rejects.toMatchObject({ code: '23514', constraint });
    });
  }

  it('subscriptions.status accepts active/paused/cancelled only', async () => {
    const subscriber = await createUser(t.db);
    const trader = await createUser(t.db, { isTrader: true });
    await expect(
      t.sql(`INSERT INTO subscriptions (subscriber_id, trader_id, status) VALUES ($1, $2, 'deleted')`, [
        subscriber.id,
        trader.id,
      ]),
    ).rejects.toMatchObject({ constraint: 'subscriptions_status_check' });
  });

  it('subscriptions refuse subscribing to yourself', async () => {
    const user = await createUser(t.db);
    await expect(
      t.sql('INSERT INTO subscriptions (subscriber_id, trader_id) VALUES ($1, $1)', [user.id]),
    ).rejects.toMatchObject({ constraint: 'subscriptions_check' });
  });

  it('trades refuse zero quantities, over-fills and fills without a price', async () => {
    const { user, account, position } = await fixture();
    const insert = (quantity: number, filled: number, price: string | null) =>
      t.sql(
        `INSERT INTO trades (parent_trade_id, user_id, account_id, action, quantity, filled_quantity, filled_price, order_type)
         VALUES ($1, $2, $3, 'buy', $4, $5, $6, 'Market')`,
        [position.id, user.id, account.id, quantity, filled, price],
      );
    await expect(insert(0, 0, null)).rejects.toMatchObject({ constraint: 'trades_quantity_check' });
    await expect(insert(5, 6, '1.00')).rejects.toMatchObject({ constraint: 'trades_quantity_check' });
    await expect(insert(5, 2, null)).rejects.toMatchObject({ constraint: 'trades_filled_price_check' });
  });
});

describe('unique keys', () => {
  it('users.email and users.username are unique', async () => {
    const user = await createUser(t.db);
    await expect(createUser(t.db, { email: user.email })).rejects.toMatchObject({
      cause: expect.objectContaining({ constraint: 'users_email_key' }),
    });
    await expect(createUser(t.db, { username: user.username })).rejects.toMatchObject({
      cause: expect.objectContaining({ constraint: 'users_username_key' }),
    });
  });

  it('one brokerage account connects once per user', async () => {
    const user = await createUser(t.db);
    await createAccount(t.db, user.id, { snaptradeAccountId: 'acc-1' });
    await expect(createAccount(t.db, user.id, { snaptradeAccountId: 'acc-1' })).rejects.toMatchObject({
      cause: expect.objectContaining({ constraint: 'accounts_user_id_snaptrade_account_id_key' }),
    });
  });

  it('one subscription per subscriber and trader', async () => {
    const a = await createUser(t.db);
    const b = await createUser(t.db, { isTrader: true });
    await t.sql('INSERT INTO subscriptions (subscriber_id, trader_id) VALUES ($1, $2)', [a.id, b.id]);
    await expect(
      t.sql('INSERT INTO subscriptions (subscriber_id, trader_id) VALUES ($1, $2)', [a.id, b.id]),
    ).rejects.toMatchObject({ constraint: 'subscriptions_subscriber_id_trader_id_key' });
  });

  it('defaults: nanoid ids, subscription settings from the seed', async () => {
    const a = await createUser(t.db);
    const b = await createUser(t.db, { isTrader: true });
    const { rows } = await t.sql<{ id: string; settings: unknown; status: string }>(
      'INSERT INTO subscriptions (subscriber_id, trader_id) VALUES ($1, $2) RETURNING id, settings, status',
      [a.id, b.id],
    );
    expect(rows[0]?.id).toMatch(/^[A-Za-z0-9_-]{21}$/);
    expect(rows[0]?.status).toBe('active');
    expect(rows[0]?.settings).toEqual({
      autoExecute: false,
      maxPositionSize: 10,
      maxDailyTrades: 5,
      scalingFactor: 1.0,
    });
  });
});

describe('cascades', () => {
  it('deleting a user removes its accounts, positions, trades, subscriptions, notifications and sessions', async () => {
    const { user, account, position } = await fixture();
    await createTrade(t.db, position, account.id, { action: 'buy', quantity: 2, price: '1.00' });
    const trader = await createUser(t.db, { isTrader: true });
    const follower = await createUser(t.db);
    await t.sql('INSERT INTO subscriptions (subscriber_id, trader_id) VALUES ($1, $2), ($3, $1)', [
      user.id,
      trader.id,
      follower.id,
    ]);
    await t.sql(
      `INSERT INTO notifications (user_id, type, title, body) VALUES ($1, 'order_filled', 't', 'b')`,
      [user.id],
    );
    await t.sql(
      `INSERT INTO sessions (id, session_token, user_id, expires) VALUES ('s1', 'tok1', $1, now() + interval '1 day')`,
      [user.id],
    );
    await t.sql(`INSERT INTO push_subscriptions (user_id, subscription) VALUES ($1, '{"endpoint":"x"}')`, [
      user.id,
    ]);

    await t.sql('DELETE FROM users WHERE id = $1', [user.id]);

    const counts = await t.sql<Record<string, number>>(
      `SELECT (SELECT count(*) FROM accounts WHERE user_id = $1)::int AS accounts,
              (SELECT count(*) FROM parent_trades WHERE user_id = $1)::int AS positions,
              (SELECT count(*) FROM trades WHERE user_id = $1)::int AS trades,
              (SELECT count(*) FROM subscriptions WHERE subscriber_id = $1 OR trader_id = $1)::int AS subscriptions,
              (SELECT count(*) FROM notifications WHERE user_id = $1)::int AS notifications,
              (SELECT count(*) FROM sessions WHERE user_id = $1)::int AS sessions,
              (SELECT count(*) FROM push_subscriptions WHERE user_id = $1)::int AS push`,
      [user.id],
    );
    expect(counts.rows[0]).toEqual({
      accounts: 0,
      positions: 0,
      trades: 0,
      subscriptions: 0,
      notifications: 0,
      sessions: 0,
      push: 0,
    });
    // The other users are untouched.
    const others = await t.sql('SELECT id FROM users WHERE id = ANY($1)', [[trader.id, follower.id]]);
    expect(others.rowCount).toBe(2);
  });

  it('an account with trades cannot be deleted on its own (trades keep their account)', async () => {
    const { account, position } = await fixture();
    await createTrade(t.db, position, account.id, { action: 'buy', quantity: 1, price: '1.00' });
    await expect(t.sql('DELETE FROM accounts WHERE id = $1', [account.id])).rejects.toMatchObject({
      constraint: 'trades_account_id_fkey',
    });
  });
});

describe('one selected account per user', () => {
  it('selecting an account deselects the others, by plain SQL', async () => {
    const user = await createUser(t.db);
    const a = await createAccount(t.db, user.id, { isSelected: true });
    const b = await createAccount(t.db, user.id);
    const other = await createAccount(t.db, (await createUser(t.db)).id, { isSelected: true });
    await t.sql('UPDATE accounts SET is_selected = TRUE WHERE id = $1', [b.id]);
    const { rows } = await t.sql<{ id: string; is_selected: boolean }>(
      'SELECT id, is_selected FROM accounts WHERE id = ANY($1) ORDER BY id',
      [[a.id, b.id, other.id]],
    );
    const selected = Object.fromEntries(rows.map((r) => [r.id, r.is_selected]));
    expect(selected).toEqual({ [a.id]: false, [b.id]: true, [other.id]: true });
  });

  it('inserting a selected account deselects the previous one', async () => {
    const user = await createUser(t.db);
    const a = await createAccount(t.db, user.id, { isSelected: true });
    const b = await createAccount(t.db, user.id, { isSelected: true });
    const { rows } = await t.sql<{ id: string }>(
      'SELECT id FROM accounts WHERE user_id = $1 AND is_selected',
      [user.id],
    );
    expect(rows.map((r) => r.id)).toEqual([b.id]);
    expect(a.id).not.toBe(b.id);
  });
});

describe('unread notifications counter', () => {
  const count = async (userId: string) =>
    (await t.sql<{ n: number }>('SELECT unread_notifications AS n FROM users WHERE id = $1', [userId]))
      .rows[0]?.n;

  it('follows inserts, reads, unreads and deletes', async () => {
    const user = await createUser(t.db);
    await t.sql(
      `INSERT INTO notifications (user_id, type, title, body)
       SELECT $1, 'order_filled', 'Filled', 'n' || g FROM generate_series(1, 5) g`,
      [user.id],
    );
    expect(await count(user.id)).toBe(5);
    await t.sql(
      `UPDATE notifications SET read = TRUE WHERE id IN (SELECT id FROM notifications WHERE user_id = $1 LIMIT 2)`,
      [user.id],
    );
    expect(await count(user.id)).toBe(3);
    const readAt = await t.sql<{ n: number }>(
      'SELECT count(*)::int AS n FROM notifications WHERE user_id = $1 AND read AND read_at IS NOT NULL',
      [user.id],
    );
    expect(readAt.rows[0]?.n).toBe(2);
    await t.sql(
      `UPDATE notifications SET read_at = now() WHERE id IN (SELECT id FROM notifications WHERE user_id = $1 AND NOT read LIMIT 1)`,
      [user.id],
    );
    expect(await count(user.id)).toBe(2);
    await t.sql('UPDATE notifications SET read = FALSE, read_at = NULL WHERE user_id = $1', [user.id]);
    expect(await count(user.id)).toBe(5);
    await t.sql(
      `INSERT INTO notifications (user_id, type, title, body, read) VALUES ($1, 'x', 't', 'b', TRUE)`,
      [user.id],
    );
    expect(await count(user.id)).toBe(5);
    await t.sql(
      'DELETE FROM notifications WHERE id IN (SELECT id FROM notifications WHERE user_id = $1 AND NOT read LIMIT 3)',
      [user.id],
    );
    expect(await count(user.id)).toBe(2);
  });
});

describe('audit log', () => {
  it('records who changed trades and subscriptions, with old and new rows', async () => {
    const { user, account, position } = await fixture();
    const client = await t.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT set_config('app.actor_id', $1, true)`, [user.id]);
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO trades (parent_trade_id, user_id, account_id, action, quantity, order_type)
         VALUES ($1, $2, $3, 'buy', 3, 'Market') RETURNING id`,
        [position.id, user.id, account.id],
      );
      const tradeId = rows[0]?.id;
      await client.query(`UPDATE trades SET status = 'cancelled' WHERE id = $1`, [tradeId]);
      await client.query('COMMIT');
      const audit = await t.sql<{
        operation: string;
        actor_id: string;
        old_status: string;
        new_status: string;
      }>(
        `SELECT operation, actor_id, old_row->>'status' AS old_status, new_row->>'status' AS new_status
           FROM audit_log WHERE table_name = 'trades' AND row_id = $1 ORDER BY id`,
        [tradeId],
      );
      expect(audit.rows).toEqual([
        { operation: 'INSERT', actor_id: user.id, old_status: null, new_status: 'pending' },
        { operation: 'UPDATE', actor_id: user.id, old_status: 'pending', new_status: 'cancelled' },
      ]);
    } finally {
      client.release();
    }
  });

  it('records subscription changes and deletes without an actor as system (null)', async () => {
    const a = await createUser(t.db);
    const b = await createUser(t.db, { isTrader: true });
    const { rows } = await t.sql<{ id: string }>(
      'INSERT INTO subscriptions (subscriber_id, trader_id) VALUES ($1, $2) RETURNING id',
      [a.id, b.id],
    );
    const id = rows[0]?.id;
    await t.sql(`UPDATE subscriptions SET status = 'paused', paused_at = now() WHERE id = $1`, [id]);
    await t.sql('DELETE FROM subscriptions WHERE id = $1', [id]);
    const audit = await t.sql<{ operation: string; actor_id: string | null }>(
      `SELECT operation, actor_id FROM audit_log WHERE table_name = 'subscriptions' AND row_id = $1 ORDER BY id`,
      [id],
    );
    expect(audit.rows).toEqual([
      { operation: 'INSERT', actor_id: null },
      { operation: 'UPDATE', actor_id: null },
      { operation: 'DELETE', actor_id: null },
    ]);
  });

  it('does not log the P&L the position refresh derives', async () => {
    const { account, position } = await fixture();
    await createTrade(t.db, position, account.id, { action: 'buy', quantity: 2, price: '1.00' });
    const sell = await createTrade(t.db, position, account.id, {
      action: 'sell',
      quantity: 2,
      price: '1.50',
    });
    const audit = await t.sql<{ operation: string }>(
      `SELECT operation FROM audit_log WHERE table_name = 'trades' AND row_id = $1`,
      [sell.id],
    );
    expect(audit.rows.map((r) => r.operation)).toEqual(['INSERT']);
  });
});

describe('updated_at', () => {
  it('moves on a real change only', async () => {
    const { position } = await fixture();
    await t.sql(`UPDATE parent_trades SET updated_at = '2000-01-01' WHERE id = $1`, [position.id]);
    const before = await t.sql<{ updated_at: Date }>('SELECT updated_at FROM parent_trades WHERE id = $1', [
      position.id,
    ]);
    await t.sql('UPDATE parent_trades SET status = status WHERE id = $1', [position.id]);
    const same = await t.sql<{ updated_at: Date }>('SELECT updated_at FROM parent_trades WHERE id = $1', [
      position.id,
    ]);
    expect(same.rows[0]?.updated_at).toEqual(before.rows[0]?.updated_at);
    await t.sql(`UPDATE parent_trades SET status = 'closed' WHERE id = $1`, [position.id]);
    const after = await t.sql<{ updated_at: Date }>('SELECT updated_at FROM parent_trades WHERE id = $1', [
      position.id,
    ]);
    expect(after.rows[0]?.updated_at.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('is kept on every table that has the column', async () => {
    const { rows } = await t.sql<{ table_name: string }>(
      `SELECT c.table_name FROM information_schema.columns c
        WHERE c.table_schema = 'public' AND c.column_name = 'updated_at'
          AND NOT EXISTS (SELECT 1 FROM information_schema.triggers tr
                           WHERE tr.event_object_table = c.table_name AND tr.trigger_name = c.table_name || '_updated_at')`,
    );
    expect(rows).toEqual([]);
  });

  it('a new unread notification does not touch the profile updated_at', async () => {
    const user = await createUser(t.db);
    await t.sql(`UPDATE users SET updated_at = '2000-01-01' WHERE id = $1`, [user.id]);
    await t.sql(`INSERT INTO notifications (user_id, type, title, body) VALUES ($1, 'x', 't', 'b')`, [
      user.id,
    ]);
    const { rows } = await t.sql<{ updated_at: Date; unread_notifications: number }>(
      'SELECT updated_at, unread_notifications FROM users WHERE id = $1',
      [user.id],
    );
    expect(rows[0]).toEqual({ updated_at: new Date('2000-01-01T00:00:00Z'), unread_notifications: 1 });
  });
});

describe('soft delete', () => {
  it('ends the user’s subscriptions both ways and removes its sessions, keeping the rows', async () => {
    const user = await createUser(t.db, { isTrader: true });
    const trader = await createUser(t.db, { isTrader: true });
    const follower = await createUser(t.db);
    await t.sql('INSERT INTO subscriptions (subscriber_id, trader_id) VALUES ($1, $2), ($3, $1)', [
      user.id,
      trader.id,
      follower.id,
    ]);
    await t.sql(
      `INSERT INTO sessions (id, session_token, user_id, expires) VALUES ('sd1', 'sdtok', $1, now() + interval '1 day')`,
      [user.id],
    );
    await t.sql('UPDATE users SET deleted_at = now() WHERE id = $1', [user.id]);
    const subs = await t.sql<{ status: string; cancelled: boolean }>(
      `SELECT status, cancelled_at IS NOT NULL AS cancelled FROM subscriptions
        WHERE subscriber_id = $1 OR trader_id = $1`,
      [user.id],
    );
    expect(subs.rows).toEqual([
      { status: 'cancelled', cancelled: true },
      { status: 'cancelled', cancelled: true },
    ]);
    const sessions = await t.sql('SELECT 1 FROM sessions WHERE user_id = $1', [user.id]);
    expect(sessions.rowCount).toBe(0);
    const still = await t.sql('SELECT 1 FROM users WHERE id = $1', [user.id]);
    expect(still.rowCount).toBe(1);
  });
});
