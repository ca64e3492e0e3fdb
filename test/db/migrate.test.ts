import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runMigrations } from '../../src/db/migrate';
import { databaseUrl } from '../helpers/urls';

const run = promisify(execFile);
const adminUrl = inject('pgAdminUrl');
const created: string[] = [];

async function emptyDatabase(): Promise<string> {
  const name = `${inject('pgTemplate')}_tmig${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  created.push(name);
  return databaseUrl(adminUrl, name);
}

async function appliedMigrations(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations',
    );
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  for (const name of created) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

describe('npm run db:migrate', () => {
  it('applies every migration to an empty database and is safe to run twice', async () => {
    const url = await emptyDatabase();
    const env = {
      ...process.env,
      DATABASE_URL: url,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'alertsify-mig-')),
      LOG_LEVEL: 'warn',
    };
    await run('npm', ['run', '-s', 'db:migrate'], { env });
    const first = await appliedMigrations(url);
    expect(first).toBeGreaterThanOrEqual(3);
    await run('npm', ['run', '-s', 'db:migrate'], { env });
    expect(await appliedMigrations(url)).toBe(first);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    await client.end();
    expect(rows[0]?.n).toBeGreaterThanOrEqual(14);
  }, 60_000);

  it('lets several processes migrate at once', async () => {
    const url = await emptyDatabase();
    await Promise.all([runMigrations(url), runMigrations(url), runMigrations(url)]);
    expect(await appliedMigrations(url)).toBeGreaterThanOrEqual(3);
  });
});
