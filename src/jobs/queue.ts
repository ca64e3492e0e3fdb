import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client';

export type EnqueueOptions = {
  /** At most one waiting job per key; a later add replaces it (or keeps its run time, see keyMode). */
  jobKey?: string;
  /** 'preserve_run_at' keeps an already-waiting job's time: for "no faster than every N s". */
  jobKeyMode?: 'replace' | 'preserve_run_at' | 'unsafe_dedupe';
  runAt?: Date;
  maxAttempts?: number;
  /** Jobs of one queue run one at a time, in order. */
  queueName?: string;
  priority?: number;
};

/**
 * Add a background job inside the caller's transaction: it becomes visible to workers only if
 * the transaction commits, so a change and the work it causes are never separated.
 */
export async function enqueue(
  tx: Executor,
  task: string,
  payload: Record<string, unknown>,
  options: EnqueueOptions = {},
): Promise<void> {
  await tx.execute(sql`SELECT graphile_worker.add_job(
    ${task},
    ${JSON.stringify(payload)}::json,
    queue_name => ${options.queueName ?? null}::text,
    run_at => ${options.runAt?.toISOString() ?? null}::timestamptz,
    max_attempts => ${options.maxAttempts ?? null}::int,
    job_key => ${options.jobKey ?? null}::text,
    priority => ${options.priority ?? null}::int,
    job_key_mode => ${options.jobKeyMode ?? 'replace'}::text
  )`);
}

/**
 * Add many jobs of one task in a single statement (one round trip, however many). `jobKey`
 * gives each job its key (at most one waiting job per key; a later add replaces it).
 */
export async function enqueueMany(
  tx: Executor,
  task: string,
  payloads: Record<string, unknown>[],
  options: Pick<EnqueueOptions, 'maxAttempts' | 'priority'> & {
    jobKey?: (payload: Record<string, unknown>) => string;
  } = {},
): Promise<void> {
  if (payloads.length === 0) return;
  const keys = payloads.map((payload) => options.jobKey?.(payload) ?? null);
  await tx.execute(sql`SELECT graphile_worker.add_jobs(
    ARRAY(
      SELECT ROW(${task}, p.payload, NULL, NULL, ${options.maxAttempts ?? null}::int, k.key, ${options.priority ?? null}::int, NULL)::graphile_worker.job_spec
        FROM json_array_elements(${JSON.stringify(payloads)}::json) WITH ORDINALITY AS p(payload, n)
        JOIN unnest(${sql.param(keys)}::text[]) WITH ORDINALITY AS k(key, n) USING (n)
    )
  )`);
}
