import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Config } from './config';
import type { Database } from './db/client';
import type { PreparedDatabase } from './db/prepare';
import { createApp } from './http/app';
import type { Logger } from './logger';
import { createRuntime, createTeardown, type Runtime } from './runtime';
import { createLiveHub, listenConnection } from './services/live/hub';
import type { TradingDeps } from './services/trading/deps';
import { WEB_DIST } from './web-build';

/**
 * Something that runs beside the HTTP server for the life of the process. Started after the
 * database is ready and before the server listens; stopped after the server stopped accepting.
 */
export type Startable = {
  name: string;
  start(runtime: Runtime): Promise<void>;
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
  /** The database, when the caller began preparing it already. */
  database?: Promise<PreparedDatabase>;
};

export type RunningServer = {
  /** Where the server listens, e.g. http://localhost:3000. */
  url: string;
  /** Where the data lives: the embedded cluster's folder, or the database URL without its password. */
  dataLocation: string;
  stop(): Promise<void>;
};

/** After this long, connections still open at shutdown (streams, stuck requests) are cut. */
const DRAIN_TIMEOUT_MS = 10_000;

function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '127.0.0.1' || host === '::1') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * A serving process: the runtime (database, brokers, services, jobs), background parts, HTTP.
 * Each step's undo is registered as soon as the step succeeded, so a failure part way and
 * `stop()` both release exactly what was acquired.
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config, log } = options;
  const teardown = createTeardown(log);
  try {
    const runtime = await createRuntime(config, {
      log,
      role: 'server',
      now: options.now,
      buildTrading: options.buildTrading,
      database: options.database,
    });
    teardown.add('runtime', runtime.stop);
    const { db, now, trading } = runtime;

    for (const part of options.startables ?? []) {
      await part.start(runtime);
      teardown.add(part.name, () => part.stop());
    }

    // One LISTEN connection serves every open event stream of this process.
    const live = createLiveHub({
      db,
      connect: listenConnection(runtime.databaseUrl),
      log: log.child({ component: 'live-events' }),
    });
    await live.start();
    teardown.add('live events', () => live.stop());

    const staticDir = options.staticDir === undefined ? WEB_DIST : (options.staticDir ?? undefined);
    const app = createApp({
      db,
      config,
      log,
      now,
      trading,
      delivery: runtime.delivery,
      live,
      // Served even before it exists: `npm start` builds the web app while the database starts.
      staticDir,
    });

    const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
      const started = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, () =>
        resolve(started),
      );
      started.once('error', reject);
    });
    teardown.add('HTTP server', async () => {
      // Event streams never finish on their own: end them first, so closing does not wait on them.
      await live.stop();
      await new Promise<void>((resolve, reject) => {
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
      });
    });

    const address = server.address() as AddressInfo;
    const url = `http://${displayHost(config.host)}:${address.port}`;
    log.info({ url }, 'HTTP server listening');
    return { url, dataLocation: runtime.dataLocation, stop: () => teardown.run() };
  } catch (error) {
    await teardown.run();
    throw error;
  }
}
