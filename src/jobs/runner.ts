import { EventEmitter } from 'node:events';
import {
  type ParsedCronItem,
  parseCronItems,
  type Runner,
  run,
  type TaskList,
  type WorkerEvents,
  Logger as WorkerLogger,
} from 'graphile-worker';
import type pg from 'pg';
import type { Logger } from '../logger';

export type CronEntry = { task: string; pattern: string; identifier?: string };

export type WorkerHandle = {
  /** Finish the jobs in hand, take no new ones. */
  stop: () => Promise<void>;
};

/** Route graphile-worker's own log lines into pino. */
function workerLogger(log: Logger): WorkerLogger {
  return new WorkerLogger((scope) => (level, message, meta) => {
    const fields = { ...scope, ...meta };
    // On Ctrl-C the embedded PostgreSQL receives the signal too and closes connections (57P01)
    // while the workers drain: expected, not an error.
    const error = (meta as { error?: { code?: string } } | undefined)?.error;
    if (error?.code === '57P01') log.debug({ ...scope, code: error.code }, message);
    else if (level === 'error') log.error(fields, message);
    else if (level === 'warning') log.warn(fields, message);
    else if (level === 'info') log.debug(fields, message);
    else log.trace(fields, message);
  });
}

/**
 * Start a pool of job workers in this process. Workers are woken by LISTEN/NOTIFY the moment a
 * job commits, so pick-up takes milliseconds; any number of processes can run this at once.
 */
export async function startWorker(options: {
  pool: pg.Pool;
  tasks: TaskList;
  concurrency: number;
  log: Logger;
  cron?: readonly CronEntry[];
  /** Fallback polling for jobs scheduled in the future; new jobs arrive by NOTIFY regardless. */
  pollIntervalMs?: number;
}): Promise<WorkerHandle> {
  const parsedCronItems: ParsedCronItem[] = parseCronItems(
    (options.cron ?? []).map((entry) => ({
      task: entry.task,
      match: entry.pattern,
      identifier: entry.identifier ?? entry.task,
      options: { backfillPeriod: 0 },
    })),
  );
  // Return only once the NOTIFY listener is in place: a job committed right after start must
  // wake a worker at once, not wait for the next poll. The listener's LISTEN is queued on its
  // client before this probe, so the probe answering means LISTEN has run.
  const events: WorkerEvents = new EventEmitter();
  const listening = new Promise<void>((resolve) => {
    events.once('pool:listen:success', ({ client }) => {
      client.query('SELECT 1').then(
        () => resolve(),
        () => resolve(),
      );
    });
  });
  const runner: Runner = await run({
    events,
    pgPool: options.pool,
    taskList: options.tasks,
    concurrency: options.concurrency,
    noHandleSignals: true,
    pollInterval: options.pollIntervalMs ?? 1000,
    logger: workerLogger(options.log),
    parsedCronItems,
  });
  await Promise.race([listening, runner.promise]);
  return {
    stop: async () => {
      await runner.stop();
    },
  };
}
