/**
 * `npm run worker`: a process that only runs background jobs, for scaling out. It uses
 * DATABASE_URL, or the embedded database of an `npm start` running on this machine.
 */
import { loadConfig } from './config';
import { jobWorkers } from './jobs/worker-startable';
import { createLogger } from './logger';
import { createRuntime, type TestFaults } from './runtime';

const config = loadConfig();
const log = createLogger(config);
// Crash tests (TEST_FAULT, honoured with NODE_ENV=test only): die where a real crash would hurt.
const die = () => process.kill(process.pid, 'SIGKILL');
const faults: TestFaults | undefined =
  config.testFault === 'kill-after-copy-decisions'
    ? { afterCopyDecisions: die }
    : config.testFault === 'kill-after-copy-sent'
      ? { afterCopySent: die }
      : undefined;
const runtime = await createRuntime(config, { log, role: 'worker', faults });
const workers = jobWorkers();
await workers.start(runtime);
console.log(`Alertsify worker running (${config.workerConcurrency} at a time)`);

let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) process.exit(1);
  stopping = true;
  log.info({ signal }, 'stopping worker');
  workers
    .stop()
    .then(() => runtime.stop())
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
