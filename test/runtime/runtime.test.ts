/**
 * `createRuntime`, the one composition root of the server, the worker and the admin CLI: it
 * builds the database, brokers, services' dependencies and jobs once, and refuses test fault
 * injection outside NODE_ENV=test.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { JOB_NAMES } from '../../src/jobs/catalogue';
import { createRuntime, type TestFaults } from '../../src/runtime';
import { silentLogger, testConfig } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';

const t = useTestDatabase();
const faults: TestFaults = { afterCopyDecisions: () => {} };

describe('createRuntime', () => {
  it('refuses fault injection unless NODE_ENV=test', async () => {
    for (const env of ['development', 'production']) {
      const config = testConfig({ NODE_ENV: env, DATABASE_URL: t.url });
      await expect(createRuntime(config, { log: silentLogger(), role: 'worker', faults })).rejects.toThrow(
        `fault injection is for tests only (NODE_ENV=test), not NODE_ENV=${env}`,
      );
    }
  });

  it('builds the database, trading, jobs and system contexts once, with the faults declared', async () => {
    const config = testConfig({ DATABASE_URL: t.url });
    const runtime = await createRuntime(config, { log: silentLogger(), role: 'worker', faults });
    try {
      expect(runtime.databaseUrl).toBe(t.url);
      expect(runtime.trading.faults).toBe(faults);
      expect(Object.keys(runtime.jobs.tasks).sort()).toEqual([...JOB_NAMES].sort());
      const ctx = runtime.systemContext('runtime-test');
      expect(ctx.actor).toEqual({ type: 'system', job: 'runtime-test' });
      const { rows } = await ctx.db.execute<{ ok: number }>(sql`SELECT 1 AS ok`);
      expect(rows).toEqual([{ ok: 1 }]);
    } finally {
      await runtime.stop();
      await runtime.stop();
    }
    expect(runtime.pool.ended).toBe(true);
  });

  it('without faults, the trading dependencies carry none', async () => {
    const runtime = await createRuntime(testConfig({ DATABASE_URL: t.url }), {
      log: silentLogger(),
      role: 'cli',
    });
    await runtime.stop();
    expect(runtime.trading.faults).toBeUndefined();
  });
});
