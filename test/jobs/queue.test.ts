import { sql } from 'drizzle-orm';
import type { Task } from 'graphile-worker';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { addJob as enqueue, addJobs as enqueueMany } from '../../src/jobs/queue';
import { startWorker, type WorkerHandle } from '../../src/jobs/runner';
import { useTestDatabase } from '../helpers/db';

const t = useTestDatabase();
const log = pino({ level: 'silent' });
const workers: WorkerHandle[] = [];
afterAll(async () => {
  for (const w of workers) await w.stop();
});

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function waitingJobs(task: string): Promise<number> {
  const { rows } = await t.sql<{ n: number }>(
    'SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier = $1',
    [task],
  );
  return rows[0]?.n ?? 0;
}

describe('job queue', () => {
  it('a job enqueued in a rolled-back transaction never exists', async () => {
    await expect(
      t.db.transaction(async (tx) => {
        await enqueue(tx, 'ghost', { n: 1 });
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(await waitingJobs('ghost')).toBe(0);
  });

  it('a committed job is picked up by NOTIFY, not by polling', async () => {
    const seen: { payload: unknown }[] = [];
    const tasks: Record<string, Task> = {
      ping: async (payload) => {
        seen.push({ payload });
      },
    };
    // Polling once a minute: only the commit's NOTIFY can bring the job within the wait.
    workers.push(await startWorker({ pool: t.pool, tasks, concurrency: 2, log, pollIntervalMs: 60_000 }));
    await t.db.transaction(async (tx) => {
      await enqueue(tx, 'ping', { hello: 'world' });
      await tx.execute(sql`SELECT 1`);
    });
    const first = await waitFor(() => seen[0]);
    expect(first.payload).toEqual({ hello: 'world' });
  });

  it('adds many jobs in one statement and a job key dedupes', async () => {
    await enqueueMany(t.db, 'bulk', [{ i: 1 }, { i: 2 }, { i: 3 }], { maxAttempts: 5 });
    expect(await waitingJobs('bulk')).toBe(3);
    const future = new Date(Date.now() + 60_000);
    await enqueue(t.db, 'keyed', { a: 1 }, { jobKey: 'k1', runAt: future, jobKeyMode: 'preserve_run_at' });
    await enqueue(t.db, 'keyed', { a: 2 }, { jobKey: 'k1', runAt: future, jobKeyMode: 'preserve_run_at' });
    expect(await waitingJobs('keyed')).toBe(1);
  });
});
