import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client';
import { JOB_CATALOGUE, type JobKeyMode, type JobName, type JobPayload } from './catalogue';

/**
 * Jobs are added inside the caller's transaction: they become visible to workers only if the
 * transaction commits, so a change and the work it causes are never separated.
 */

export type EnqueueOptions = {
  /**
   * The caller's clock (`ctx.now()`): a job with a delay runs that long after it. Without it the
   * delay counts from the database's clock.
   */
  now?: Date;
  /** Instead of the catalogue's delay (0: run now). */
  delayMs?: number;
  /** Instead of the catalogue's key mode. */
  jobKeyMode?: JobKeyMode;
};

/** Add a job of the catalogue. Its payload is checked against the job's schema first. */
export async function enqueue<N extends JobName>(
  db: Executor,
  name: N,
  payload: JobPayload<N>,
  options: EnqueueOptions = {},
): Promise<void> {
  await enqueueMany(db, name, [payload], options);
}

/**
 * Add many jobs of one kind in a single statement, however many. Jobs sharing a key collapse
 * into the last one, as successive enqueues would.
 */
export async function enqueueMany<N extends JobName>(
  db: Executor,
  name: N,
  payloads: readonly JobPayload<N>[],
  options: EnqueueOptions = {},
): Promise<void> {
  if (payloads.length === 0) return;
  // Typed callers cannot name another job; untyped ones (JavaScript, casts) are refused here.
  const definition: (typeof JOB_CATALOGUE)[N] | undefined = JOB_CATALOGUE[name];
  if (!definition) throw new Error(`unknown job ${name}`);
  const specs = payloads.map((payload): JobSpec => {
    const parsed = definition.payload.safeParse(payload);
    if (!parsed.success) {
      throw new Error(`job ${name}: invalid payload: ${parsed.error.message}`, { cause: parsed.error });
    }
    return {
      task: name,
      payload: parsed.data,
      jobKey: definition.key?.(parsed.data),
      maxAttempts: definition.maxAttempts,
      queueName: typeof definition.queue === 'function' ? definition.queue(parsed.data) : definition.queue,
    };
  });
  const keyed = new Map(specs.map((spec, i) => [spec.jobKey ?? i, spec]));
  await addJobSpecs(db, [...keyed.values()], {
    preserveRunAt: (options.jobKeyMode ?? definition.keyMode) === 'preserve_run_at',
    delayMs: options.delayMs ?? definition.delayMs,
    now: options.now,
  });
}

/** Options of a job outside the catalogue (see addJob). */
export type AddJobOptions = {
  jobKey?: string;
  jobKeyMode?: JobKeyMode;
  runAt?: Date;
  maxAttempts?: number;
  queueName?: string;
  priority?: number;
};

/**
 * The queue itself, below the catalogue: any task name, any payload. For tests of the queue
 * mechanics; the product enqueues through `enqueue`.
 */
export async function addJob(
  db: Executor,
  task: string,
  payload: Record<string, unknown>,
  options: AddJobOptions = {},
): Promise<void> {
  await addJobSpecs(db, [{ task, payload, ...options }], {
    preserveRunAt: options.jobKeyMode === 'preserve_run_at',
  });
}

/** Many jobs of any task in one statement (see addJob); `jobKey` gives each its key. */
export async function addJobs(
  db: Executor,
  task: string,
  payloads: Record<string, unknown>[],
  options: Pick<AddJobOptions, 'maxAttempts' | 'priority'> & {
    jobKey?: (payload: Record<string, unknown>) => string;
  } = {},
): Promise<void> {
  await addJobSpecs(
    db,
    payloads.map((payload) => ({ task, payload, ...options, jobKey: options.jobKey?.(payload) })),
    { preserveRunAt: false },
  );
}

type JobSpec = {
  task: string;
  payload: unknown;
  jobKey?: string;
  runAt?: Date;
  maxAttempts?: number;
  queueName?: string;
  priority?: number;
};

/** graphile-worker's `add_jobs`: one statement for any number of jobs (`add_job` is a batch of one). */
async function addJobSpecs(
  db: Executor,
  specs: JobSpec[],
  options: { preserveRunAt: boolean; delayMs?: number; now?: Date },
): Promise<void> {
  if (specs.length === 0) return;
  const column = <T>(pick: (spec: JobSpec) => T) => sql.param(specs.map(pick));
  const delayMs = options.delayMs || null;
  await db.execute(sql`SELECT graphile_worker.add_jobs(
    ARRAY(
      SELECT ROW(x.task, x.payload, x.queue_name,
                 CASE WHEN ${delayMs}::int IS NULL THEN x.run_at
                      ELSE COALESCE(${options.now?.toISOString() ?? null}::timestamptz, now())
                           + ${delayMs}::int * interval '1 millisecond' END,
                 x.max_attempts, x.job_key, x.priority, NULL)::graphile_worker.job_spec
        FROM unnest(
          ${column((s) => s.task)}::text[],
          ${column((s) => JSON.stringify(s.payload))}::json[],
          ${column((s) => s.queueName ?? null)}::text[],
          ${column((s) => s.runAt?.toISOString() ?? null)}::timestamptz[],
          ${column((s) => s.maxAttempts ?? null)}::smallint[],
          ${column((s) => s.jobKey ?? null)}::text[],
          ${column((s) => s.priority ?? null)}::smallint[]
        ) AS x(task, payload, queue_name, run_at, max_attempts, job_key, priority)
    ),
    job_key_preserve_run_at => ${options.preserveRunAt}::boolean
  )`);
}
