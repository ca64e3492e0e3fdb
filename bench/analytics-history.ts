/**
 * A year of trading history for the analytics benchmark, written with set-based SQL that goes
 * THROUGH the database's rules: positions and orders are inserted, and the fill trigger folds
 * every order into its position (average entry, P&L, cost basis, proceeds, close time), the
 * oversell guard checks every sale and the audit trigger logs every order, as for any writer.
 * Only the figures the trigger computes are never written here.
 *
 * Shape (defaults): 2,000 users of whom 100 traders; one trader with 20,000 positions, one with
 * 1,000, the others 250 each; subscribers with a few positions of their own; every non-trader
 * follows two traders, and copies a sample of their positions (copy orders linked to the
 * trader's orders, a decision row per copy, some skipped decisions), for 100,000 closed
 * positions and about 290,000 orders in all. About 5 % of positions expire worthless (closed by
 * the system's sale at 0 at 16:00 New York on their expiration day). Positions open during the
 * year before `now`, so the 24-hour to 30-day windows have closes in them.
 *
 * Deterministic: the same seed gives the same history (PostgreSQL's `setseed`).
 */
import pg from 'pg';

export type HistoryShape = {
  users: number;
  traders: number;
  /** Positions of the first two traders ("a user with 20,000 positions", "with 1,000"). */
  bigTraderPositions: [number, number];
  otherTraderPositions: number;
  /** Copies are drawn per (trader position, follower) pair with this probability. */
  copyRate: number;
};

export const BENCH_SHAPE: HistoryShape = {
  users: 2_000,
  traders: 100,
  bigTraderPositions: [20_000, 1_000],
  otherTraderPositions: 250,
  copyRate: 0.0317,
};

/** Positions per fold statement: a fixed number of statements, each of a bounded size. */
const CHUNK = 10_000;

const TICKERS = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'META', 'TSLA', 'GOOGL', 'AMD', 'SPY', 'QQQ', 'NFLX', 'IWM'];

export type SeededHistory = {
  /** The trader with the most positions, and the one with the second most. */
  bigTraderIds: [string, string];
  positions: number;
  orders: number;
  users: number;
};

/**
 * Write the history into an empty, migrated database. `existing` maps users of the shape (1 and
 * 2 are the big traders; above `traders`, followers) to users already signed up, so the
 * benchmark can sign in as them. Returns the ids the benchmark needs.
 */
export async function seedAnalyticsHistory(
  url: string,
  existing: ReadonlyMap<number, string> = new Map(),
  shape: HistoryShape = BENCH_SHAPE,
): Promise<SeededHistory> {
  const existingNumbers = [...existing.keys()];
  const existingIds = [...existing.values()];
  const client = new pg.Client({ connectionString: url, options: '-c timezone=UTC' });
  await client.connect();
  const q = (text: string, params: unknown[] = []) => client.query(text, params);
  try {
    await q('SET client_min_messages = warning');
    await q('SELECT setseed(0.4242)');
    // Users (the first `traders` are traders), one selected paper account each.
    await q(
      `CREATE TEMP TABLE bench_users AS
       WITH u AS (
         INSERT INTO users (email, name, username, is_trader, trader_verified_at)
         SELECT 'bench-' || g || '@bench.test', 'Bench ' || g, 'bench_' || lpad(g::text, 4, '0'),
                g <= $2, CASE WHEN g <= $2 THEN now() AT TIME ZONE 'UTC' END
           FROM generate_series(1, $1) g
          WHERE g <> ALL($3::int[])
         RETURNING id, email
       )
       SELECT split_part(split_part(email, '@', 1), '-', 2)::int AS g, id FROM u
       UNION ALL
       SELECT g, id FROM unnest($3::int[], $4::text[]) AS x(g, id)`,
      [shape.users, shape.traders, existingNumbers, existingIds],
    );
    await q(
      `UPDATE users u SET username = 'bench_' || lpad(b.g::text, 4, '0'), is_trader = b.g <= $1,
              trader_verified_at = CASE WHEN b.g <= $1 THEN now() AT TIME ZONE 'UTC' END
         FROM bench_users b WHERE b.id = u.id AND b.id = ANY($2::text[])`,
      [shape.traders, existingIds],
    );
    await q(`CREATE TEMP TABLE bench_accounts AS
       WITH a AS (
         INSERT INTO accounts (user_id, provider, broker_name, broker_slug, account_number, snaptrade_account_id,
                               snaptrade_authorization_id, balance, buying_power, is_selected)
         SELECT id, 'paper', 'Alertsify Paper', 'paper', 'P-' || id, 'paper-' || id, 'paper', 1000000, 1000000, true
           FROM bench_users
         RETURNING id, user_id
       )
       SELECT u.g, a.user_id, a.id AS account_id FROM a JOIN bench_users u ON u.id = a.user_id`);
    // Every non-trader follows two traders (one in twenty has cancelled one of them).
    await q(
      `CREATE TEMP TABLE bench_subs AS
       WITH pairs AS (
         SELECT DISTINCT g AS subscriber_g, 1 + (g * k) % $1 AS trader_g
           FROM generate_series($1 + 1, $2) g, (VALUES (7), (13)) AS m(k)
       ), s AS (
         INSERT INTO subscriptions (subscriber_id, trader_id, status, cancelled_at)
         SELECT su.id, tu.id, CASE WHEN p.subscriber_g % 20 = 3 THEN 'cancelled' ELSE 'active' END,
                CASE WHEN p.subscriber_g % 20 = 3 THEN now() AT TIME ZONE 'UTC' END
           FROM pairs p JOIN bench_users su ON su.g = p.subscriber_g JOIN bench_users tu ON tu.g = p.trader_g
         RETURNING id, subscriber_id, trader_id
       )
       SELECT s.id AS subscription_id, su.g AS subscriber_g, tu.g AS trader_g, s.subscriber_id
         FROM s JOIN bench_users su ON su.id = s.subscriber_id JOIN bench_users tu ON tu.id = s.trader_id`,
      [shape.traders, shape.users],
    );

    // One planned position per row: who, which contract, when, how many, at which prices.
    await q(
      `CREATE TEMP TABLE bench_plan AS
       WITH owners AS (
         SELECT 1 AS g, k FROM generate_series(1, $1::int) k
         UNION ALL SELECT 2, k FROM generate_series(1, $2::int) k
         UNION ALL SELECT g, k FROM generate_series(3, $3::int) g, generate_series(1, $4::int) k
         UNION ALL SELECT g, k FROM generate_series($3::int + 1, $5::int) g, generate_series(1, g % 13) k
       ), drawn AS (
         -- Options trade on weekdays from 09:30 to 16:00 New York: orders are placed between
         -- 14:35 and 20:55 UTC on weekdays (the hour off in summer does not matter here).
         SELECT o.g, a.user_id, a.account_id, d.open_day,
                d.open_day + time '14:35' + random() * interval '6 hours' AS opened_at,
                (ARRAY[0, 0, 0, 1, 1, 2, 3, 5])[1 + floor(random() * 8)::int] AS hold_days,
                random() AS close_time,
                1 + floor(random() * 10)::int AS quantity,
                round((0.5 + random() * 7.5)::numeric, 2) AS buy_price,
                random() AS move1, random() AS move2,
                random() < 0.05 AS expires,
                ($6::text[])[1 + floor(random() * ${TICKERS.length})::int] AS underlying,
                CASE WHEN random() < 0.5 THEN 'call' ELSE 'put' END AS option_type,
                (20 + floor(random() * 480))::numeric AS strike,
                floor(random() * 50)::int AS expiry_days
           FROM owners o
           JOIN bench_accounts a ON a.g = o.g
          CROSS JOIN LATERAL (
            SELECT x - CASE extract(isodow FROM x)::int WHEN 6 THEN 1 WHEN 7 THEN 2 ELSE 0 END AS open_day
              FROM (SELECT current_date - 1 - floor(random() * 365)::int + o.k * 0 AS x) r
          ) d
       ), timed AS (
         SELECT dr.*, c.close_day,
                CASE WHEN dr.hold_days = 0
                     THEN dr.opened_at + dr.close_time * (dr.open_day + time '20:55' - dr.opened_at)
                     ELSE c.close_day + time '14:35' + dr.close_time * interval '6 hours 20 minutes' END AS closed_at
           FROM drawn dr
          CROSS JOIN LATERAL (
            SELECT y + CASE extract(isodow FROM y)::int WHEN 6 THEN 2 WHEN 7 THEN 1 ELSE 0 END AS close_day
              FROM (SELECT dr.open_day + dr.hold_days AS y) r
          ) c
       )
       SELECT row_number() OVER () AS seq, d.*, nanoid() AS position_id, nanoid() AS buy_id,
              nanoid() AS sell1_id, nanoid() AS sell2_id,
              CASE WHEN d.expires THEN d.open_day + (d.expiry_days % 3)
                   ELSE d.close_day + 7 + d.expiry_days END AS expiration
         FROM timed d`,
      [...shape.bigTraderPositions, shape.traders, shape.otherTraderPositions, shape.users, TICKERS],
    );
    await q(`ALTER TABLE bench_plan ADD COLUMN symbol text, ADD COLUMN sell1_quantity int,
             ADD COLUMN sell1_price numeric, ADD COLUMN sell2_price numeric, ADD COLUMN sell1_at timestamp,
             ADD COLUMN sell2_at timestamp`);
    await q(`UPDATE bench_plan SET
       symbol = rpad(underlying, 6) || to_char(expiration, 'YYMMDD') || CASE option_type WHEN 'call' THEN 'C' ELSE 'P' END
                || lpad((strike * 1000)::bigint::text, 8, '0'),
       sell1_quantity = CASE WHEN expires THEN quantity ELSE (quantity + 1) / 2 END,
       sell1_price = CASE WHEN expires THEN 0 ELSE GREATEST(0.01, round(buy_price * (0.6 + move1 * 0.9)::numeric, 2)) END,
       sell2_price = GREATEST(0.01, round(buy_price * (0.55 + move2 * 0.95)::numeric, 2)),
       sell1_at = CASE WHEN expires
                       THEN ((expiration + time '16:00') AT TIME ZONE 'America/New_York') AT TIME ZONE 'UTC'
                       WHEN quantity = 1 THEN closed_at
                       ELSE closed_at - (closed_at - opened_at) * move1 / 2 END,
       sell2_at = closed_at`);
    await q('CREATE INDEX ON bench_plan (seq)');

    // Copies: followers of the position's trader, drawn with copyRate, a little later and a
    // little dearer (or cheaper) than the trader.
    await q(
      `CREATE TEMP TABLE bench_copies AS
       SELECT row_number() OVER () AS seq, p.seq AS source_seq, s.subscription_id, s.subscriber_id,
              a.account_id, nanoid() AS position_id, nanoid() AS buy_id, nanoid() AS sell1_id, nanoid() AS sell2_id,
              (0.2 + random() * 2.8) * interval '1 second' AS delay,
              round(((random() - 0.3) * 0.06)::numeric, 2) AS buy_slip,
              round(((random() - 0.7) * 0.06)::numeric, 2) AS sell_slip
         FROM bench_plan p
         JOIN bench_subs s ON s.trader_g = p.g
         JOIN bench_accounts a ON a.user_id = s.subscriber_id
        WHERE p.g <= $1 AND random() < $2`,
      [shape.traders, shape.copyRate],
    );
    await q('CREATE INDEX ON bench_copies (seq)');

    const planned = Number((await q('SELECT max(seq) AS n FROM bench_plan')).rows[0]?.n ?? 0);
    for (let from = 1; from <= planned; from += CHUNK) {
      await writePositions(q, 'bench_plan', from, from + CHUNK - 1);
    }
    const copies = Number((await q('SELECT COALESCE(max(seq), 0) AS n FROM bench_copies')).rows[0]?.n ?? 0);
    for (let from = 1; from <= copies; from += CHUNK) {
      await writeCopies(q, from, from + CHUNK - 1);
    }
    // Decisions about trader openings that were not copied: skipped, for a reason.
    await q(`INSERT INTO subscription_trades (subscription_id, source_trade_id, subscriber_id, trader_id, action,
                                              outcome, reason, source_quantity, computed_quantity, copy_quantity, decided_at)
             SELECT s.subscription_id, p.buy_id, s.subscriber_id, tu.id, 'buy', 'skipped',
                    (ARRAY['below_minimum', 'daily_limit', 'no_account', 'duplicate'])[1 + (p.seq % 4)::int],
                    p.quantity, 0, 0, p.opened_at
               FROM bench_plan p
               JOIN bench_subs s ON s.trader_g = p.g
               JOIN bench_users tu ON tu.g = p.g
              WHERE p.g <= ${shape.traders} AND random() < 0.01
                AND NOT EXISTS (SELECT 1 FROM bench_copies c
                                 WHERE c.source_seq = p.seq AND c.subscription_id = s.subscription_id)`);
    const big = await q(`SELECT id FROM bench_users WHERE g IN (1, 2) ORDER BY g`);
    const [first, second] = big.rows.map((r: { id: string }) => r.id);
    if (!first || !second) throw new Error('no big traders');
    const counts = await q(`SELECT (SELECT count(*) FROM parent_trades) AS positions,
                                   (SELECT count(*) FROM trades) AS orders`);
    const row = counts.rows[0] as { positions: string; orders: string };
    await q('VACUUM ANALYZE');
    return {
      bigTraderIds: [first, second],
      positions: Number(row.positions),
      orders: Number(row.orders),
      users: shape.users,
    };
  } finally {
    await client.end();
  }
}

type Query = (text: string, params?: unknown[]) => Promise<pg.QueryResult>;

/**
 * One chunk of planned positions: the rows (already closed or expired, so the one-open-position
 * index does not apply), then their buys, then their sales; each INSERT of orders runs the fold.
 */
async function writePositions(q: Query, plan: string, from: number, to: number): Promise<void> {
  const range = `seq BETWEEN ${from} AND ${to}`;
  await q(`INSERT INTO parent_trades (id, user_id, underlying, option_type, strike, expiration, symbol, status,
                                      opened_at, created_at, updated_at)
           SELECT position_id, user_id, underlying, option_type, strike, expiration, symbol,
                  CASE WHEN expires THEN 'expired' ELSE 'closed' END, opened_at, opened_at, opened_at
             FROM ${plan} WHERE ${range}`);
  await q(`INSERT INTO trades (id, parent_trade_id, user_id, account_id, action, quantity, filled_quantity,
                               order_type, filled_price, status, source, created_at, filled_at, updated_at)
           SELECT buy_id, position_id, user_id, account_id, 'buy', quantity, quantity, 'Market', buy_price,
                  'filled', 'manual', opened_at, opened_at + interval '1 second', opened_at + interval '1 second'
             FROM ${plan} WHERE ${range}`);
  await q(`INSERT INTO trades (id, parent_trade_id, user_id, account_id, action, quantity, filled_quantity,
                               order_type, filled_price, status, source, status_reason, created_at, filled_at, updated_at)
           SELECT sell1_id, position_id, user_id, account_id, 'sell', sell1_quantity, sell1_quantity, 'Market',
                  sell1_price, 'filled', CASE WHEN expires THEN 'auto' ELSE 'manual' END,
                  CASE WHEN expires THEN 'Expired worthless' END, sell1_at, sell1_at, sell1_at
             FROM ${plan} WHERE ${range}
           UNION ALL
           SELECT sell2_id, position_id, user_id, account_id, 'sell', quantity - sell1_quantity,
                  quantity - sell1_quantity, 'Market', sell2_price, 'filled', 'manual', NULL, sell2_at, sell2_at, sell2_at
             FROM ${plan} WHERE ${range} AND quantity > sell1_quantity`);
}

/** One chunk of copies: positions linked to the trader's, orders linked to the trader's orders, decisions. */
async function writeCopies(q: Query, from: number, to: number): Promise<void> {
  const range = `c.seq BETWEEN ${from} AND ${to}`;
  const joined = `bench_copies c JOIN bench_plan p ON p.seq = c.source_seq JOIN bench_users tu ON tu.g = p.g`;
  await q(`INSERT INTO parent_trades (id, user_id, underlying, option_type, strike, expiration, symbol, status,
                                      source_parent_trade_id, opened_at, created_at, updated_at)
           SELECT c.position_id, c.subscriber_id, p.underlying, p.option_type, p.strike, p.expiration, p.symbol,
                  CASE WHEN p.expires THEN 'expired' ELSE 'closed' END, p.position_id,
                  p.opened_at + c.delay, p.opened_at + c.delay, p.opened_at + c.delay
             FROM ${joined} WHERE ${range}`);
  await q(`INSERT INTO trades (id, parent_trade_id, user_id, account_id, action, quantity, filled_quantity,
                               order_type, filled_price, status, source, source_trader_id, source_trade_id,
                               created_at, filled_at, updated_at)
           SELECT c.buy_id, c.position_id, c.subscriber_id, c.account_id, 'buy', p.quantity, p.quantity, 'Market',
                  GREATEST(0.01, p.buy_price + c.buy_slip), 'filled', 'copy', tu.id, p.buy_id,
                  p.opened_at + c.delay, p.opened_at + interval '1 second' + c.delay, p.opened_at + c.delay
             FROM ${joined} WHERE ${range}`);
  await q(`INSERT INTO trades (id, parent_trade_id, user_id, account_id, action, quantity, filled_quantity,
                               order_type, filled_price, status, source, source_trader_id, source_trade_id,
                               status_reason, created_at, filled_at, updated_at)
           SELECT c.sell1_id, c.position_id, c.subscriber_id, c.account_id, 'sell', p.sell1_quantity, p.sell1_quantity,
                  'Market', CASE WHEN p.expires THEN 0 ELSE GREATEST(0.01, p.sell1_price + c.sell_slip) END, 'filled',
                  CASE WHEN p.expires THEN 'auto' ELSE 'copy' END,
                  CASE WHEN p.expires THEN NULL ELSE tu.id END, CASE WHEN p.expires THEN NULL ELSE p.sell1_id END,
                  CASE WHEN p.expires THEN 'Expired worthless' END,
                  p.sell1_at + CASE WHEN p.expires THEN interval '0' ELSE c.delay END,
                  p.sell1_at + CASE WHEN p.expires THEN interval '0' ELSE c.delay END,
                  p.sell1_at + CASE WHEN p.expires THEN interval '0' ELSE c.delay END
             FROM ${joined} WHERE ${range}
           UNION ALL
           SELECT c.sell2_id, c.position_id, c.subscriber_id, c.account_id, 'sell', p.quantity - p.sell1_quantity,
                  p.quantity - p.sell1_quantity, 'Market', GREATEST(0.01, p.sell2_price + c.sell_slip), 'filled',
                  'copy', tu.id, p.sell2_id, NULL, p.sell2_at + c.delay, p.sell2_at + c.delay, p.sell2_at + c.delay
             FROM ${joined} WHERE ${range} AND p.quantity > p.sell1_quantity`);
  await q(`INSERT INTO subscription_trades (subscription_id, source_trade_id, subscriber_id, trader_id, action, outcome,
                                            source_quantity, computed_quantity, copy_quantity, copy_trade_id, decided_at)
           SELECT c.subscription_id, x.source_id, c.subscriber_id, tu.id, x.action, 'executed', x.quantity, x.quantity,
                  x.quantity, x.copy_id, x.at
             FROM ${joined}
             CROSS JOIN LATERAL (VALUES
               ('buy', p.buy_id, c.buy_id, p.quantity, p.opened_at),
               ('sell', p.sell1_id, c.sell1_id, p.sell1_quantity, p.sell1_at),
               ('sell', p.sell2_id, c.sell2_id, p.quantity - p.sell1_quantity, p.sell2_at)
             ) AS x(action, source_id, copy_id, quantity, at)
            WHERE ${range} AND x.quantity > 0 AND NOT (p.expires AND x.action = 'sell')`);
}
