import { loadConfig } from './config';
import { jobWorkers } from './jobs/worker-startable';
import { createLogger } from './logger';
import { startServer } from './server';
import { ensureWebBuild } from './web-build';

const config = loadConfig();
const log = createLogger(config);

try {
  // The web build (only when its sources changed) and the database start side by side.
  const [built, started] = await Promise.allSettled([
    ensureWebBuild(),
    startServer({ config, log, startables: config.runWorkers ? [jobWorkers()] : [] }),
  ]);
  if (started.status === 'rejected') throw started.reason;
  const server = started.value;
  if (built.status === 'rejected') {
    await server.stop();
    throw built.reason;
  }
  const web = built.value;
  if (web === 'built') log.info('web app built (its sources changed)');
  if (web === 'no-builder')
    log.warn('web app sources changed but Vite is not installed: serving the existing build');
  log.info({ url: server.url, data: server.dataLocation }, 'Alertsify is running');
  console.log(`Alertsify is running at ${server.url}\nData: ${server.dataLocation}`);

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
