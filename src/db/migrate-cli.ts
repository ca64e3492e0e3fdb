/**
 * `npm run db:migrate`: apply migrations to DATABASE_URL, or to the embedded PostgreSQL
 * under DATA_DIR when DATABASE_URL is unset.
 */
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { startEmbeddedPostgres } from './embedded';
import { APP_DATABASE, ensureDatabase } from './ensure-database';
import { runMigrations } from './migrate';

const config = loadConfig();
const log = createLogger(config);
const embedded = config.databaseUrl
  ? undefined
  : await startEmbeddedPostgres({
      dataDir: config.dataDir,
      port: config.embeddedPgPort,
      persistent: true,
      log,
    });
try {
  const url = config.databaseUrl ?? (await ensureDatabase(embedded?.url() ?? '', APP_DATABASE));
  await runMigrations(url);
  log.info('migrations applied');
} finally {
  await embedded?.stop();
}
