/**
 * The composition root: from the configuration to a running database, brokers, the services'
 * dependencies and the jobs, built once. The server (`src/server.ts`), the worker
 * (`src/worker.ts`) and the admin CLI (`src/cli/admin.ts`) each call `createRuntime` and add
 * only what is theirs (HTTP, job workers, a command).
 */
import type { TaskList } from 'graphile-worker';
import type pg from 'pg';
import { PaperBroker } from './broker/paper/paper-broker';
import { createQuoteModel, type QuoteSource } from './broker/paper/quotes';
import type { Broker } from './broker/port';
import { createPgRateBudget } from './broker/rate-budget';
import { createBrokerRegistry } from './broker/registry';
import type { Config } from './config';
import { createDb, createPool, type Database } from './db/client';
import { type PreparedDatabase, prepareDatabase } from './db/prepare';
import { CRON, type PeriodicJob } from './jobs/catalogue';
import { buildTasks } from './jobs/tasks';
import type { Logger } from './logger';
import { createMailer, type Mailer } from './mail/mailer';
import { createPaperMarketData } from './market-data/paper';
import type { MarketData } from './market-data/port';
import { type ServiceContext, systemClock, systemContext } from './services/context';
import { type DeliveryDeps, deliveryDeps } from './services/notifications/deps';
import {
  type CopySettings,
  DEFAULT_COPY_SETTINGS,
  type SnapTradeConnector,
  type TradingDeps,
} from './services/trading/deps';

/**
 * Which process the runtime serves. The server owns the local services: without DATABASE_URL
 * it starts the embedded PostgreSQL, with BROKER=snaptrade-sim the SnapTrade simulator. A
 * worker reaches those of a running server on their ports. Both apply the migrations; the admin
 * CLI expects a database already set up and needs one connection.
 */
export type RuntimeRole = 'server' | 'worker' | 'cli';

const ROLES: Record<RuntimeRole, { ownsLocalServices: boolean; migrates: boolean; poolSize?: number }> = {
  server: { ownsLocalServices: true, migrates: true },
  worker: { ownsLocalServices: false, migrates: true },
  cli: { ownsLocalServices: false, migrates: false, poolSize: 1 },
};

/** Crash tests: called at the named points. Only with NODE_ENV=test. */
export type TestFaults = NonNullable<TradingDeps['faults']>;

export type RuntimeOptions = {
  log: Logger;
  role: RuntimeRole;
  /** The clock services read; the system clock by default. */
  now?: () => Date;
  /** Brokers to use instead of the configured ones. */
  buildTrading?: (db: Database) => TradingDeps;
  /** Refused (an error) unless NODE_ENV=test. */
  faults?: TestFaults;
  /** Where email goes instead of the configured mailer. */
  mailer?: Mailer;
  /** The database, when the caller began preparing it already (`npm start` does, while loading). */
  database?: Promise<PreparedDatabase>;
};

export type Runtime = {
  config: Config;
  log: Logger;
  /** The database actually used: DATABASE_URL, or the embedded one's. */
  databaseUrl: string;
  /** Where the data lives: the embedded cluster's folder, or the database URL without its password. */
  dataLocation: string;
  pool: pg.Pool;
  db: Database;
  now: () => Date;
  /** What the trading and copy services need beyond their context. */
  trading: TradingDeps;
  /** Where the `send-email` job sends. */
  mailer: Mailer;
  /** What push and Discord delivery need. */
  delivery: DeliveryDeps;
  /** The worker's task list (every job of the catalogue with its handler) and periodic jobs. */
  jobs: { tasks: TaskList; cron: readonly PeriodicJob[] };
  /** A context for work the system does on its own, named for the audit log. */
  systemContext(job: string): ServiceContext;
  /** Release what was acquired, in reverse order; safe to call twice. */
  stop(): Promise<void>;
};

/** Steps to undo in reverse order of acquisition; a failing step is logged and the rest still run. */
export function createTeardown(log: Logger) {
  const steps: Array<{ what: string; run: () => Promise<void> }> = [];
  let running: Promise<void> | undefined;
  const release = async () => {
    for (const step of steps.splice(0).reverse()) {
      try {
        await step.run();
      } catch (error) {
        log.error({ err: error, step: step.what }, 'shutdown step failed');
      }
    }
  };
  return {
    add(what: string, run: () => Promise<void>): void {
      steps.push({ what, run });
    },
    run(): Promise<void> {
      running ??= release();
      return running;
    },
  };
}

/**
 * Build everything a process needs, once. A failure part way releases what was acquired
 * before it is thrown.
 */
export async function createRuntime(config: Config, options: RuntimeOptions): Promise<Runtime> {
  if (options.faults && config.env !== 'test') {
    throw new Error(`fault injection is for tests only (NODE_ENV=test), not NODE_ENV=${config.env}`);
  }
  const { log } = options;
  const role = ROLES[options.role];
  const teardown = createTeardown(log);
  try {
    const database = await (options.database ??
      prepareDatabase(config, { log, ownsLocalServices: role.ownsLocalServices, migrates: role.migrates }));
    teardown.add('database', database.stop);
    const { url: databaseUrl, dataLocation } = database;

    const pool = createPool(databaseUrl, role.poolSize ?? config.databasePoolSize);
    teardown.add('database pool', () => pool.end());
    const db = createDb(pool);
    const now = options.now ?? systemClock;

    let trading = options.buildTrading?.(db);
    if (!trading) {
      const snaptrade = await startSnaptradeRuntime({ config, db, startSimulator: role.ownsLocalServices });
      if (snaptrade) teardown.add('SnapTrade', snaptrade.stop);
      trading = buildTradingDeps({ db, config, now, snaptrade });
    }
    if (options.faults) trading = { ...trading, faults: options.faults };
    const mailer = options.mailer ?? createMailer(config, log);
    teardown.add('mailer', async () => mailer.close());
    if (mailer.kind === 'disabled' && role.ownsLocalServices) {
      log.warn('email is disabled: SMTP_URL is not set (verification and password reset mails are not sent)');
    }
    const delivery = deliveryDeps(config);
    const jobDeps = { db, log, now, trading, delivery, mailer };

    return {
      config,
      log,
      databaseUrl,
      dataLocation,
      pool,
      db,
      now,
      trading,
      mailer,
      delivery,
      jobs: { tasks: buildTasks(jobDeps), cron: CRON },
      systemContext: (job) => systemContext({ db, now, log }, job),
      stop: () => teardown.run(),
    };
  } catch (error) {
    await teardown.run();
    throw error;
  }
}

/**
 * The brokers this process talks to: the paper broker always (quotes from the seeded model
 * unless given), and SnapTrade when configured.
 */
export function buildTradingDeps(options: {
  db: Database;
  config: Pick<Config, 'encryptionKey' | 'paperQuoteSeed'> & Partial<Pick<Config, 'copyClaimTimeoutMs'>>;
  now?: () => Date;
  quotes?: QuoteSource;
  marketData?: MarketData;
  snaptrade?: { broker: Broker; connector: SnapTradeConnector; consumerKey: string };
  copy?: Partial<CopySettings>;
}): TradingDeps & { paper: PaperBroker } {
  const model = createQuoteModel({ seed: options.config.paperQuoteSeed });
  const quotes = options.quotes ?? model;
  const paper = new PaperBroker({ db: options.db, quotes, now: options.now });
  return {
    paper,
    // The paper broker's market until a data vendor is configured: the chain shows what paper fills at.
    marketData: options.marketData ?? createPaperMarketData({ model, quotes }),
    brokers: createBrokerRegistry({
      paper,
      snaptrade: options.snaptrade?.broker,
      encryptionKey: options.config.encryptionKey,
    }),
    snaptrade: options.snaptrade?.connector,
    snaptradeWebhookKey: options.snaptrade?.consumerKey,
    copy: {
      ...DEFAULT_COPY_SETTINGS,
      ...(options.config.copyClaimTimeoutMs ? { claimTimeoutMs: options.config.copyClaimTimeoutMs } : {}),
      ...options.copy,
    },
    encryptionKey: options.config.encryptionKey,
  };
}

export type SnapTradeRuntime = {
  broker: Broker;
  connector: SnapTradeConnector;
  consumerKey: string;
  stop: () => Promise<void>;
};

export const SIMULATOR_CREDENTIALS = {
  clientId: 'ALERTSIFY_SIM',
  consumerKey: 'alertsify-snaptrade-simulator-key',
};

/**
 * SnapTrade as configured: nothing for BROKER=paper; the real API for BROKER=snaptrade; for
 * BROKER=snaptrade-sim the local simulator, started here when `startSimulator` (the serving
 * process) or reached on its port (worker processes).
 */
export async function startSnaptradeRuntime(options: {
  config: Pick<Config, 'broker' | 'snaptrade' | 'publicUrl'>;
  /** Where the shared rate budget lives; without it this process keeps no budget. */
  db?: Database;
  startSimulator: boolean;
}): Promise<SnapTradeRuntime | undefined> {
  const { config } = options;
  if (config.broker === 'paper') return undefined;
  // Loaded only here: the SDK is heavy, and a paper-only process or a CLI command needs none of it.
  const [{ SnapTradeBroker }, { SnapTradeConnections }, { startSnapTradeSimulator }] = await Promise.all([
    import('./broker/snaptrade/adapter'),
    import('./broker/snaptrade/connections'),
    import('./broker/snaptrade/simulator'),
  ]);
  let clientId = config.snaptrade.clientId;
  let consumerKey = config.snaptrade.consumerKey;
  let basePath = config.snaptrade.baseUrl;
  let stop = async () => {};
  if (config.broker === 'snaptrade-sim') {
    ({ clientId, consumerKey } = SIMULATOR_CREDENTIALS);
    basePath = `http://127.0.0.1:${config.snaptrade.simulatorPort}`;
    if (options.startSimulator) {
      const simulator = await startSnapTradeSimulator({
        ...SIMULATOR_CREDENTIALS,
        host: '127.0.0.1',
        port: config.snaptrade.simulatorPort,
        webhookUrl: `${config.publicUrl}/api/webhooks/snaptrade`,
      });
      basePath = simulator.url;
      stop = () => simulator.close();
    }
  }
  if (!clientId || !consumerKey)
    throw new Error('SnapTrade needs SNAPTRADE_CLIENT_ID and SNAPTRADE_CONSUMER_KEY');
  const budget = options.db
    ? {
        rateBudget: createPgRateBudget({ db: options.db }),
        requestsPerMinute: config.snaptrade.requestsPerMinute,
        tradesPerSecondPerAccount: config.snaptrade.tradesPerSecondPerAccount,
      }
    : undefined;
  const clientOptions = { clientId, consumerKey, basePath, budget };
  return {
    broker: new SnapTradeBroker(clientOptions),
    connector: new SnapTradeConnections(clientOptions),
    consumerKey,
    stop,
  };
}
