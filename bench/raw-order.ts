/**
 * The raw limit an order is measured against: one transaction shaped like the least a BTO needs
 * (upsert the position, insert the order, insert one order event, commit), run by plain `pg`
 * clients with prepared statements on the same database and tables (their triggers, indexes and
 * foreign keys included) as the product. What the product adds on top (HTTP, session, rate limit,
 * the broker and its answer, follow-up work) is what the ratio shows.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { percentile } from './support';

export type Rate = { perSecond: number; p50: number; p99: number };

const POSITION = {
  name: 'raw-position',
  text: `INSERT INTO parent_trades (user_id, underlying, option_type, strike, expiration, symbol)
         VALUES ($1, 'AAPL', 'call', 150, '2030-01-18', 'AAPL  300118C00150000')
         ON CONFLICT (user_id, symbol, COALESCE(source_parent_trade_id, '')) WHERE status = 'open'
         DO UPDATE SET updated_at = excluded.updated_at
         RETURNING id`,
};
const ORDER = {
  name: 'raw-order',
  text: `INSERT INTO trades (parent_trade_id, user_id, account_id, action, quantity, order_type)
         VALUES ($1, $2, $3, 'buy', 1, 'Market') RETURNING id`,
};
const EVENT = {
  name: 'raw-event',
  text: `INSERT INTO order_events (trade_id, type, to_status) VALUES ($1, 'submitted', 'pending')`,
};

/** Users with one account each, written directly: the raw clients' owners. */
async function seedOwners(url: string, count: number): Promise<Array<{ userId: string; accountId: string }>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tag = randomBytes(4).toString('hex');
    const { rows } = await client.query<{ user_id: string; account_id: string }>(
      `WITH u AS (
         INSERT INTO users (email, name)
         SELECT 'raw-' || $1 || '-' || n || '@example.test', 'Raw ' || n FROM generate_series(1, $2) n
         RETURNING id)
       INSERT INTO accounts (user_id, broker_name, broker_slug, account_number, snaptrade_account_id,
                             snaptrade_authorization_id, provider)
       SELECT id, 'Raw', 'raw', 'RAW-' || id, 'raw-' || id, 'raw', 'paper' FROM u
       RETURNING user_id, id AS account_id`,
      [tag, count],
    );
    return rows.map((row) => ({ userId: row.user_id, accountId: row.account_id }));
  } finally {
    await client.end();
  }
}

/** `transactions` raw order transactions spread over `clients` connections. */
export async function rawOrderRate(url: string, clients: number, transactions: number): Promise<Rate> {
  const owners = await seedOwners(url, clients);
  const connections = await Promise.all(
    owners.map(async () => {
      const connection = new pg.Client({ connectionString: url });
      await connection.connect();
      return connection;
    }),
  );
  const latencies: number[] = [];
  let remaining = transactions;
  const started = performance.now();
  try {
    await Promise.all(
      connections.map(async (connection, i) => {
        const owner = owners[i];
        if (!owner) return;
        while (remaining > 0) {
          remaining -= 1;
          const t0 = performance.now();
          await connection.query('BEGIN');
          const position = await connection.query<{ id: string }>({ ...POSITION, values: [owner.userId] });
          const order = await connection.query<{ id: string }>({
            ...ORDER,
            values: [position.rows[0]?.id, owner.userId, owner.accountId],
          });
          await connection.query({ ...EVENT, values: [order.rows[0]?.id] });
          await connection.query('COMMIT');
          latencies.push(performance.now() - t0);
        }
      }),
    );
  } finally {
    await Promise.all(connections.map((connection) => connection.end()));
  }
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}
