import { loadConfig } from './config';
import { jobWorkers } from './jobs/worker-startable';
import { createLogger } from './logger';
import { startServer } from './server';

const config = loadConfig();
const log = createLogger(config);

try {
  const server = await startServer({ config, log, startables: config.runWorkers ? [jobWorkers()] : [] });
  log.info({ url: server.url }, 'Alertsify is running');
  console.log(`Alertsify is running at ${server.url}`);

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'stopping');
    server.stop().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'stopping failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
} catch (error) {
  log.fatal({ err: error }, 'Alertsify failed to start');
  process.exitCode = 1;
}
