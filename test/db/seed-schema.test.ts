/**
 * The seed (../shared/seed/database-schema.md) is the contract: every table, column (type,
 * nullability, default), key (with its ON DELETE rule), CHECK and index in it must exist in our
 * migrated schema under the same name. This applies the seed's own DDL to a scratch database
 * and compares the two catalogs.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { useTestDatabase } from '../helpers/db';
import { databaseUrl } from '../helpers/urls';

const t = useTestDatabase();
const seedDdl = readFileSync(new URL('../fixtures/seed-schema.sql', import.meta.url), 'utf8');
const seedDbName = `${inject('pgTemplate')}_tseed${randomBytes(3).toString('hex')}`;
let seed: pg.Client;

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${seedDbName}`);
  await admin.end();
  seed = new pg.Client({ connectionString: databaseUrl(inject('pgAdminUrl'), seedDbName) });
  await seed.connect();
  // The seed calls nanoid() without defining it; any definition will do for its DDL.
  await seed.query(`CREATE FUNCTION nanoid() RETURNS text LANGUAGE sql AS $$ SELECT md5(random()::text) $$`);
  await seed.query(seedDdl);
});

afterAll(async () => {
  await seed?.end();
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${seedDbName} WITH (FORCE)`);
  await admin.end();
});

type Query = (sql: string) => Promise<string[]>;
const lines =
  (client: { query: (sql: string) => Promise<pg.QueryResult> }): Query =>
  async (sql) =>
    (await client.query(sql)).rows.map((r) => Object.values(r).join(' | '));

const seedTables = `SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = 'public' AND c.relkind = 'r'
                       AND c.relname IN ('users', 'accounts', 'parent_trades', 'trades', 'subscriptions',
                                         'notifications', 'push_subscriptions', 'rate_limits', 'sessions')`;

const catalog = {
  tables: `SELECT relname FROM pg_class WHERE oid IN (${seedTables}) ORDER BY 1`,
  columns: `SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                   COALESCE(pg_get_expr(d.adbin, d.adrelid), '')
              FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
              LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
             WHERE a.attrelid IN (${seedTables}) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1, 2`,
  constraints: `SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid)
                  FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
                 WHERE k.conrelid IN (${seedTables}) ORDER BY 1, 2`,
  indexes: `SELECT tablename, indexname, indexdef FROM pg_indexes
             WHERE schemaname = 'public' AND tablename IN (SELECT relname FROM pg_class WHERE oid IN (${seedTables}))
             ORDER BY 1, 2`,
};

describe('migrated schema contains the seed', () => {
  for (const [kind, sql] of Object.entries(catalog)) {
    it(`every seed ${kind.slice(0, -1)} exists identically`, async () => {
      const expected = await lines(seed)(sql);
      const actual = new Set(await lines(t.pool)(sql));
      expect(expected.length).toBeGreaterThan(0);
      const missing = expected.filter((row) => !actual.has(row));
      expect(missing).toEqual([]);
    });
  }

  it('counts what it compares (9 tables, 29 indexes and keys in the seed DDL)', async () => {
    const tables = await lines(seed)(catalog.tables);
    expect(tables).toHaveLength(9);
    const indexes = await lines(seed)(catalog.indexes);
    expect(indexes.length).toBeGreaterThanOrEqual(20);
  });
});
