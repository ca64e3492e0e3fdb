/**
 * The database a process works on, ready to use: DATABASE_URL as given, or the embedded
 * PostgreSQL (started here by the process that owns local services, reached on its port by the
 * others), with the migrations applied where the process migrates.
 *
 * Separate from the rest of the runtime so that `npm start` can begin it first and load the
 * server's code while PostgreSQL starts.
 */
import type { Config } from '../config';
import type { Logger } from '../logger';
import { startEmbeddedPostgres } from './embedded';
import { embeddedUrl } from './embedded-url';
import { APP_DATABASE, ensureDatabase } from './ensure-database';
import { runMigrations } from './migrate';
import { redactUrl } from './redact-url';

export type PreparedDatabase = {
  url: string;
  /** Where the data lives: the embedded cluster's folder, or the database URL without its password. */
  dataLocation: string;
  /** Stop what was started here (the embedded server); nothing for a database given by URL. */
  stop(): Promise<void>;
};

export async function prepareDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'embeddedPgPort'>,
  options: { log: Logger; ownsLocalServices: boolean; migrates: boolean },
): Promise<PreparedDatabase> {
  const { log } = options;
  if (config.databaseUrl) {
    if (options.migrates) await runMigrations(config.databaseUrl);
    return { url: config.databaseUrl, dataLocation: redactUrl(config.databaseUrl), stop: async () => {} };
  }
  if (!options.ownsLocalServices) {
    // Not ours to start: the embedded database of an `npm start` running on this machine.
    const url = embeddedUrl(config.embeddedPgPort, APP_DATABASE);
    if (options.migrates) await runMigrations(url);
    return { url, dataLocation: redactUrl(url), stop: async () => {} };
  }
  log.info({ dataDir: config.dataDir, port: config.embeddedPgPort }, 'starting embedded PostgreSQL');
  const embedded = await startEmbeddedPostgres({
    dataDir: config.dataDir,
    port: config.embeddedPgPort,
    persistent: true,
    log,
  });
  try {
    const url = await ensureDatabase(embedded.url(), APP_DATABASE);
    if (options.migrates) await runMigrations(url);
    return { url, dataLocation: embedded.clusterDir, stop: () => embedded.stop() };
  } catch (error) {
    await embedded.stop();
    throw error;
  }
}
