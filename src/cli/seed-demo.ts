/**
 * `npm run seed:demo`: months of trading history for development, so the analytics pages, the
 * leaderboard and trader profiles have something to show. Traders and followers sign up, open
 * paper accounts, subscribe, trade and copy through the real services on a clock moved through
 * the past (src/cli/demo-history.ts). Into the embedded database (started here; stop `npm start`
 * first) or DATABASE_URL (with no server working on it meanwhile: its job workers would run
 * the copies on today's clock).
 *
 *   --traders N (5)  --subscribers N (30)  --months N (4)  --seed N (7)
 *
 * Every demo user signs in with the password printed at the end.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createAuth } from '../auth';
import { createQuoteModel } from '../broker/paper/quotes';
import { ConfigError, loadConfig } from '../config';
import { embeddedUrl } from '../db/embedded-url';
import { createLogger } from '../logger';
import {
  DEMO_DEFAULTS,
  DEMO_PASSWORD,
  DemoClock,
  type DemoShape,
  demoEmail,
  seedDemoHistory,
} from './demo-history';

function shapeFrom(argv: string[]): DemoShape {
  const { values } = parseArgs({
    args: argv,
    options: {
      traders: { type: 'string' },
      subscribers: { type: 'string' },
      months: { type: 'string' },
      seed: { type: 'string' },
    },
  });
  const count = (name: keyof DemoShape, max: number): number => {
    const raw = values[name];
    if (raw === undefined) return DEMO_DEFAULTS[name];
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new ConfigError(`--${name} must be a whole number from 1 to ${max}, got '${raw}'`);
    }
    return value;
  };
  return {
    traders: count('traders', 8),
    subscribers: count('subscribers', 500),
    months: count('months', 24),
    seed: count('seed', 1_000_000),
  };
}

/** True when something already answers on the embedded database's port (a running `npm start`). */
async function embeddedDatabaseRunning(port: number): Promise<boolean> {
  const client = new pg.Client({
    connectionString: embeddedUrl(port, 'postgres'),
    connectionTimeoutMillis: 2_000,
  });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function main(): Promise<number> {
  const shape = shapeFrom(process.argv.slice(2));
  const config = loadConfig();
  const log = createLogger(config);
  if (!config.databaseUrl && (await embeddedDatabaseRunning(config.embeddedPgPort))) {
    console.error('The embedded database is in use (is `npm start` running?). Stop it, then seed.');
    return 1;
  }
  const { buildTradingDeps, createRuntime } = await import('../runtime');
  const quotes = createQuoteModel({ seed: config.paperQuoteSeed });
  const clock = new DemoClock(new Date());
  const runtime = await createRuntime(config, {
    log,
    role: 'server',
    now: clock.now,
    // Paper accounts only, on the moved clock.
    buildTrading: (db) => buildTradingDeps({ db, config, now: clock.now, quotes }),
  });
  try {
    const { rows } = await runtime.pool.query('SELECT 1 FROM users WHERE email = $1', [
      demoEmail('trader', 1),
    ]);
    if (rows.length > 0) {
      console.error(`Already seeded: ${demoEmail('trader', 1)} exists. Use a fresh DATA_DIR (or database).`);
      return 1;
    }
    const started = performance.now();
    const counts = await seedDemoHistory(
      {
        db: runtime.db,
        auth: createAuth({ db: runtime.db, config, log }),
        trading: runtime.trading,
        quotes,
        clock,
        log,
      },
      shape,
    );
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    console.log(`Seeded ${shape.months} months in ${seconds} s: ${JSON.stringify(counts)}`);
    console.log(`Data: ${runtime.dataLocation}`);
    console.log(
      `Sign in as ${demoEmail('trader', 1)} … ${demoEmail('trader', shape.traders)} or ` +
        `${demoEmail('follower', 1)} … ${demoEmail('follower', shape.subscribers)}, password ${DEMO_PASSWORD}`,
    );
    return 0;
  } finally {
    await runtime.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  },
);
