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
  // wake a worker at once, not wait for the next poll. The listener's client sends LISTEN right
  // after this event; its session is seen idle after LISTEN once that has run.
  const events: WorkerEvents = new EventEmitter();
  const listening = new Promise<number>((resolve) => {
    events.once('pool:listen:success', ({ client }) =>
      resolve((client as pg.PoolClient & { processID: number }).processID),
    );
  }).then(async (pid) => {
    for (let i = 0; i < 1000; i++) {
      const { rows } = await options.pool.query(
        `SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'idle' AND query LIKE 'LISTEN%'`,
        [pid],
      );
      if (rows.length > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
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
