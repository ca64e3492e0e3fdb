import type { Startable } from '../server';
import { enqueue } from './queue';
import { startWorker, type WorkerHandle } from './runner';

/** The job workers as a part of a serving process (RUN_WORKERS) or of `npm run worker`. */
export function jobWorkers(): Startable {
  let handle: WorkerHandle | undefined;
  return {
    name: 'job workers',
    async start({ config, log, db, pool, jobs }) {
      // Finish at once whatever fan-out a worker that died left half done. Queued before the
      // workers run, so once they do nothing is left between them and "started".
      await enqueue(db, 'recover-fan-outs', {});
      handle = await startWorker({
        pool,
        tasks: jobs.tasks,
        concurrency: config.workerConcurrency,
        log,
        cron: jobs.cron,
      });
      log.info({ concurrency: config.workerConcurrency }, 'job workers started');
    },
    async stop() {
      await handle?.stop();
      handle = undefined;
    },
  };
}
