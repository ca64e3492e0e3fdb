import type { Startable } from '../server';
import { enqueue } from './queue';
import { startWorker, type WorkerHandle } from './runner';
import { buildTasks, CRON } from './tasks';

/** The job workers as a part of a serving process (RUN_WORKERS) or of `npm run worker`. */
export function jobWorkers(): Startable {
  let handle: WorkerHandle | undefined;
  return {
    name: 'job workers',
    async start({ config, log, db, pool, trading, now }) {
      handle = await startWorker({
        pool,
        tasks: buildTasks({ db, log, now, trading }),
        concurrency: config.workerConcurrency,
        log,
        cron: CRON,
      });
      // Finish at once whatever fan-out a worker that died left half done.
      await enqueue(db, 'recover-fan-outs', {}, { jobKey: 'recover-fan-outs' });
      log.info({ concurrency: config.workerConcurrency }, 'job workers started');
    },
    async stop() {
      await handle?.stop();
      handle = undefined;
    },
  };
}
