import { loadConfig } from './config';
import { prepareDatabase } from './db/prepare';
import { createLogger } from './logger';

const config = loadConfig();
const log = createLogger(config);

// The database starts and migrates while the rest of the server's code loads (most of a start
// is loading that code), and the web app builds beside both when its sources changed.
const database = prepareDatabase(config, { log, ownsLocalServices: true, migrates: true });
database.catch(() => {}); // a failure is reported where the server awaits it, not as unhandled
try {
  const [{ startServer }, { jobWorkers }, { ensureWebBuild }] = await Promise.all([
    import('./server'),
    import('./jobs/worker-startable'),
    import('./web-build'),
  ]).catch(async (error: unknown) => {
    await database.then((prepared) => prepared.stop()).catch(() => {});
    throw error;
  });
  const [built, started] = await Promise.allSettled([
    ensureWebBuild(),
    startServer({ config, log, database, startables: config.runWorkers ? [jobWorkers()] : [] }),
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
