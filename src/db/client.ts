import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema';

export type Schema = typeof schema;
export type Database = NodePgDatabase<Schema>;
/** An open transaction, as `db.transaction` hands it to its callback. */
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
/** A database handle or an open transaction: services accept either, so they can join an outer one. */
export type Executor = Database | Transaction;

/**
 * Every connection runs in UTC: the seed's TIMESTAMP columns hold UTC wall-clock time. JIT off:
 * PostgreSQL compiles any statement whose estimated cost passes `jit_above_cost`, and a fan-out's
 * statements over 10,000 subscriptions spent 0.9–1.5 s compiling to run in under 1 s
 * (auto_explain in the fan-out benchmark); no statement of ours gains from it.
 */
export function createPool(connectionString: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, options: '-c timezone=UTC -c jit=off' });
  // An idle client losing its connection (server restart) must not crash the process.
  pool.on('error', () => {});
  return pool;
}

export function createDb(pool: pg.Pool): Database {
  return drizzle(pool, { schema });
}
