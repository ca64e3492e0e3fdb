import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { Logger, runMigrations as runWorkerMigrations } from 'graphile-worker';
import pg from 'pg';
import { PROJECT_ROOT } from '../data-dir';

export const MIGRATIONS_FOLDER = join(PROJECT_ROOT, 'src', 'db', 'migrations');
// Serialises migrators started at once (several app processes booting together).
const MIGRATION_LOCK_ID = 724_417_001;

const quietLogger = new Logger(() => () => {});

/** Apply every committed migration not yet applied; safe to run again and from several processes. */
export async function runMigrations(connectionString: string): Promise<void> {
  const client = new pg.Client({ connectionString, options: '-c timezone=UTC' });
  await client.connect();
  try {
    await client.query('SET client_min_messages = warning');
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    try {
      await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
      // The job queue's own schema (graphile_worker), so jobs can be added in any transaction.
      await runWorkerMigrations({ connectionString, logger: quietLogger });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    }
  } finally {
    await client.end();
  }
}
