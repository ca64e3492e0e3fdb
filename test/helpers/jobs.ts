/**
 * Run queued jobs the way a worker does (graphile-worker's runOnce: every job due now, then
 * return), restricted to some job names: jobs of other names stay queued for the test to inspect.
 */
import { Logger, runOnce } from 'graphile-worker';
import type { Config } from '../../src/config';
import type { JobName } from '../../src/jobs/catalogue';
import { buildTasks, type JobDeps } from '../../src/jobs/tasks';
import { createMailer } from '../../src/mail/mailer';
import { deliveryDeps } from '../../src/services/notifications/deps';
import type { TradingDeps } from '../../src/services/trading/deps';
import { silentLogger, testConfig } from './app';
import type { TestDatabase } from './db';

const quiet = new Logger(() => () => {});

/** What the jobs need, from a test's clock, brokers and configuration (push, Discord and mail settings). */
export function testJobDeps(
  t: TestDatabase,
  from: { now: () => Date; trading: TradingDeps; config?: Config },
): JobDeps {
  const config = from.config ?? testConfig();
  return {
    db: t.db,
    log: silentLogger(),
    now: from.now,
    trading: from.trading,
    delivery: deliveryDeps(config),
    mailer: createMailer(config, silentLogger()),
  };
}

export async function runJobs(t: TestDatabase, deps: JobDeps, names: readonly JobName[]): Promise<void> {
  const tasks = buildTasks(deps);
  await runOnce({
    pgPool: t.pool,
    taskList: Object.fromEntries(names.map((name) => [name, tasks[name]])),
    logger: quiet,
    noHandleSignals: true,
  });
}

export type QueuedJob = {
  task: string;
  payload: Record<string, unknown>;
  attempts: number;
  lastError: string | null;
  runAt: Date;
};

/** Jobs still queued of one name (waiting, or failed and waiting for their retry). */
export async function queuedJobs(t: TestDatabase, task: JobName): Promise<QueuedJob[]> {
  const { rows } = await t.sql<{
    payload: Record<string, unknown>;
    attempts: number;
    last_error: string | null;
    run_at: Date;
  }>(
    `SELECT j.payload, j.attempts, j.last_error, j.run_at
       FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks k ON k.id = j.task_id
      WHERE k.identifier = $1 ORDER BY j.id`,
    [task],
  );
  return rows.map((row) => ({
    task,
    payload: row.payload,
    attempts: row.attempts,
    lastError: row.last_error,
    runAt: row.run_at,
  }));
}
