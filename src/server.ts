import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type pg from 'pg';
import type { Config } from './config';
import { createDb, createPool, type Database } from './db/client';
import { type EmbeddedDatabase, startEmbeddedPostgres } from './db/embedded';
import { APP_DATABASE, ensureDatabase } from './db/ensure-database';
import { runMigrations } from './db/migrate';
import { createApp } from './http/app';
import type { Logger } from './logger';
import type { TradingDeps } from './services/trading/deps';
import { buildTradingDeps, startSnaptradeRuntime } from './trading-runtime';
import { WEB_DIST } from './web-build';

/** What a background part (job workers, schedulers, listeners) receives when it starts. */
export type RuntimeDeps = {
  config: Config;
  log: Logger;
  db: Database;
  pool: pg.Pool;
  databaseUrl: string;
  trading: TradingDeps;
  now: () => Date;
};

/**
 * Something that runs beside the HTTP server for the life of the process. Started after the
 * database is ready and before the server listens; stopped after the server stopped accepting.
 */
export type Startable = {
  name: string;
  start(deps: RuntimeDeps): Promise<void>;
  stop(): Promise<void>;
};

export type StartServerOptions = {
  config: Config;
  log: Logger;
  /** Background parts (workers). None by default. */
  startables?: Startable[];
  /** Serve this built web app instead of web/dist (or `null` for none). */
  staticDir?: string | null;
  now?: () => Date;
  /** Brokers to use; by default the paper broker on the seeded quote model. */
  buildTrading?: (db: Database) => TradingDeps;
};

export type RunningServer = {
  /** Where the server listens, e.g. http://localhost:3000. */
  url: string;
  /** Where the data lives: the embedded cluster's folder, or the database URL without its password. */
  dataLocation: string;
  stop(): Promise<void>;
};

/** A connection string fit for a log line: the password replaced. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable database URL)';
  }
}

/** After this long, connections still open at shutdown (streams, stuck requests) are cut. */
const DRAIN_TIMEOUT_MS = 10_000;

function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '127.0.0.1' || host === '::1') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * The composition root of a serving process: database (embedded unless DATABASE_URL is set),
 * migrations, pool, app, background parts, HTTP. Each step's undo is registered as soon as the
 * step succeeded, so a failure part way and `stop()` both release exactly what was acquired.
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config, log } = options;
  const undo: Array<{ what: string; run: () => Promise<void> }> = [];
  const release = async () => {
    for (const step of undo.splice(0).reverse()) {
      try {
        await step.run();
      } catch (error) {
        log.error({ err: error, step: step.what }, 'shutdown step failed');
      }
    }
  };

  try {
    let databaseUrl = config.databaseUrl;
    let dataLocation = databaseUrl ? redactUrl(databaseUrl) : '';
    if (!databaseUrl) {
      log.info({ dataDir: config.dataDir, port: config.embeddedPgPort }, 'starting embedded PostgreSQL');
      const embedded: EmbeddedDatabase = await startEmbeddedPostgres({
        dataDir: config.dataDir,
        port: config.embeddedPgPort,
        persistent: true,
        log,
      });
      undo.push({ what: 'embedded PostgreSQL', run: () => embedded.stop() });
      dataLocation = embedded.clusterDir;
      databaseUrl = await ensureDatabase(embedded.url(), APP_DATABASE);
    }

    await runMigrations(databaseUrl);
    const pool = createPool(databaseUrl, config.databasePoolSize);
    undo.push({ what: 'database pool', run: () => pool.end() });
    const db = createDb(pool);
    const now = options.now ?? (() => new Date());
    let trading = options.buildTrading?.(db);
    if (!trading) {
      const snaptrade = await startSnaptradeRuntime({ config, startSimulator: true });
      if (snaptrade) undo.push({ what: 'SnapTrade', run: snaptrade.stop });
      trading = buildTradingDeps({ db, config, now, snaptrade });
    }

    for (const part of options.startables ?? []) {
      await part.start({ config, log, db, pool, databaseUrl, trading, now });
      undo.push({ what: part.name, run: () => part.stop() });
    }

    const staticDir = options.staticDir === undefined ? WEB_DIST : (options.staticDir ?? undefined);
    const app = createApp({
      db,
      config,
      log,
      now,
      trading,
      // Served even before it exists: `npm start` builds the web app while the database starts.
      staticDir,
    });

    const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
      const started = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, () =>
        resolve(started),
      );
      started.once('error', reject);
    });
    undo.push({
      what: 'HTTP server',
      run: () =>
        new Promise<void>((resolve, reject) => {
          // Stop accepting; requests in flight finish. Connections still open later are cut.
          const force = setTimeout(() => {
            if ('closeAllConnections' in server) server.closeAllConnections();
          }, DRAIN_TIMEOUT_MS);
          force.unref();
          server.close((error) => {
            clearTimeout(force);
            if (error) reject(error);
            else resolve();
          });
          if ('closeIdleConnections' in server) server.closeIdleConnections();
        }),
    });

    const address = server.address() as AddressInfo;
    const url = `http://${displayHost(config.host)}:${address.port}`;
    log.info({ url }, 'HTTP server listening');
    let stopping: Promise<void> | undefined;
    return {
      url,
      dataLocation,
      stop: () => {
        stopping ??= release();
        return stopping;
      },
    };
  } catch (error) {
    await release();
    throw error;
  }
}
