/**
 * `npm run worker`: a process that only runs background jobs, for scaling out. It uses
 * DATABASE_URL, or the embedded database of an `npm start` running on this machine.
 */
import { loadConfig } from './config';
import { createDb, createPool } from './db/client';
import { embeddedUrl } from './db/embedded-url';
import { APP_DATABASE } from './db/ensure-database';
import { runMigrations } from './db/migrate';
import { jobWorkers } from './jobs/worker-startable';
import { createLogger } from './logger';
import { buildTradingDeps, startSnaptradeRuntime } from './trading-runtime';

const config = loadConfig();
const log = createLogger(config);
const databaseUrl = config.databaseUrl ?? embeddedUrl(config.embeddedPgPort, APP_DATABASE);

await runMigrations(databaseUrl);
const pool = createPool(databaseUrl, config.databasePoolSize);
const db = createDb(pool);
const now = () => new Date();
const workers = jobWorkers();
// With BROKER=snaptrade-sim the serving process runs the simulator; workers reach it on its port.
const snaptrade = await startSnaptradeRuntime({ config, startSimulator: false });
const trading = buildTradingDeps({ db, config, now, snaptrade });
if (config.testFault === 'kill-after-copy-decisions') {
  trading.faults = { afterCopyDecisions: () => process.kill(process.pid, 'SIGKILL') };
}
await workers.start({ config, log, db, pool, databaseUrl, trading, now });
console.log(`Alertsify worker running (${config.workerConcurrency} at a time)`);

let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) process.exit(1);
  stopping = true;
  log.info({ signal }, 'stopping worker');
  workers
    .stop()
    .then(() => pool.end())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'worker stop failed');
        process.exit(1);
      },
    );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.on('SIGHUP', stop);
