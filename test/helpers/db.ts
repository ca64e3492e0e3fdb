import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { createDb, createPool, type Database } from '../../src/db/client';
import { databaseUrl } from './urls';

export type TestDatabase = {
  /** Connection string of this file's own database. */
  url: string;
  pool: pg.Pool;
  db: Database;
  /** Run plain SQL, as any other writer would. */
  sql: <R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    params?: unknown[],
  ) => Promise<pg.QueryResult<R>>;
};

/**
 * Give the calling test file its own database, cloned from the migrated template, and drop it
 * afterwards. Call at the top level of the file; use the returned object inside tests.
 */
export function useTestDatabase(): TestDatabase {
  const handle = {} as TestDatabase;
  const adminUrl = inject('pgAdminUrl');
  const template = inject('pgTemplate');
  const name = `${template}_t${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(
        `CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE ${pg.escapeIdentifier(template)}`,
      );
    } finally {
      await admin.end();
    }
    handle.url = databaseUrl(adminUrl, name);
    handle.pool = createPool(handle.url, 10);
    handle.db = createDb(handle.pool);
    handle.sql = (text, params) => handle.pool.query(text, params as unknown[]);
  });

  afterAll(async () => {
    await handle.pool?.end();
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  });

  return handle;
}
