/**
 * The job catalogue: `enqueue` is typed by it (a wrong payload does not compile: the
 * `@ts-expect-error` lines fail the typecheck if it ever does) and refuses the same payload at
 * run time; a job's key and options come from the catalogue; the worker runs exactly its jobs.
 */
import { describe, expect, it } from 'vitest';
import { CRON, JOB_NAMES } from '../../src/jobs/catalogue';
import { enqueue, enqueueMany } from '../../src/jobs/queue';
import { buildTasks } from '../../src/jobs/tasks';
import { testConfig, testTrading } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { testJobDeps } from '../helpers/jobs';

const t = useTestDatabase();

type Job = {
  task_identifier: string;
  key: string | null;
  run_at: Date;
  max_attempts: number;
  payload: unknown;
};

async function jobs(task: string): Promise<Job[]> {
  const { rows } = await t.sql<Job>(
    `SELECT t.identifier AS task_identifier, j.key, j.run_at, j.max_attempts, j.payload
       FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
      WHERE t.identifier = $1 ORDER BY j.id`,
    [task],
  );
  return rows;
}

describe('job catalogue', () => {
  it('refuses a payload that does not match the job, at run time as at compile time, and adds nothing', async () => {
    await expect(
      // @ts-expect-error: the fan-out's payload is { tradeId }.
      enqueue(t.db, 'fan-out-copies', { tradeID: 'T1' }),
    ).rejects.toThrow(/fan-out-copies: invalid payload/);
    await expect(
      // @ts-expect-error: accountIds is a list of ids.
      enqueue(t.db, 'sync-account-balances', { accountIds: 'A1' }),
    ).rejects.toThrow(/sync-account-balances: invalid payload/);
    await expect(
      // @ts-expect-error: no such job.
      enqueue(t.db, 'no-such-job', {}),
    ).rejects.toThrow(/unknown job no-such-job/);
    // One bad payload refuses the whole batch.
    await expect(
      // @ts-expect-error: a number is not an id.
      enqueueMany(t.db, 'position-expired', [{ positionId: 'P1' }, { positionId: 7 }]),
    ).rejects.toThrow(/position-expired: invalid payload/);
    expect(await jobs('fan-out-copies')).toEqual([]);
    expect(await jobs('sync-account-balances')).toEqual([]);
    expect(await jobs('position-expired')).toEqual([]);
  });

  it('gives a job its key and options from the catalogue', async () => {
    const first = new Date('2030-01-02T15:00:00Z');
    await enqueue(t.db, 'sync-account-orders', { accountId: 'A1' }, { now: first });
    // A later enqueue for the same account keeps the waiting sync's time: never sooner than 15 s.
    await enqueue(
      t.db,
      'sync-account-orders',
      { accountId: 'A1' },
      { now: new Date(first.getTime() + 5_000) },
    );
    const syncs = await jobs('sync-account-orders');
    expect(syncs).toHaveLength(1);
    expect(syncs[0]).toMatchObject({ key: 'sync-account-orders:A1', payload: { accountId: 'A1' } });
    expect(syncs[0]?.run_at.toISOString()).toBe('2030-01-02T15:00:15.000Z');

    await enqueueMany(t.db, 'sync-account-balances', [{ accountIds: ['A1'] }, { accountIds: ['A2'] }]);
    expect((await jobs('sync-account-balances')).map((j) => j.max_attempts)).toEqual([3, 3]);

    // Jobs sharing a key in one batch collapse into one, as successive enqueues would.
    await enqueueMany(t.db, 'fan-out-copies', [{ tradeId: 'T1' }, { tradeId: 'T2' }, { tradeId: 'T1' }]);
    expect((await jobs('fan-out-copies')).map((j) => j.key)).toEqual(['fan-out:T1', 'fan-out:T2']);
  });

  it('the worker runs every job of the catalogue, and the periodic ones are in it', () => {
    const config = testConfig();
    const now = () => new Date();
    const { trading } = testTrading(t.db, config, now);
    const tasks = buildTasks(testJobDeps(t, { now, trading, config }));
    expect(Object.keys(tasks).sort()).toEqual([...JOB_NAMES].sort());
    for (const entry of CRON) expect(JOB_NAMES).toContain(entry.task);
  });
});
