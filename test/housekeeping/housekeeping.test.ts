/**
 * Housekeeping (PRODUCT.md §4, §6): a periodic job prunes rate-limit counters whose window has
 * ended and live events older than the 24 hours a reconnect may replay.
 */
import { describe, expect, it } from 'vitest';
import { CRON } from '../../src/jobs/catalogue';
import { TestClock, testConfig, testTrading } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { createUser } from '../helpers/factories';
import { runJobs, testJobDeps } from '../helpers/jobs';

const t = useTestDatabase();

describe('the housekeeping job', () => {
  it('runs every ten minutes', () => {
    expect(CRON).toContainEqual({ task: 'housekeeping', pattern: '*/10 * * * *' });
  });

  it('prunes ended rate-limit windows and live events older than a day, and keeps the rest', async () => {
    const clock = new TestClock(new Date('2026-11-24T15:00:00Z'));
    const user = await createUser(t.db);
    await t.sql(
      `INSERT INTO rate_limits (key, count, reset_at) VALUES
         ('ended', 3, '2026-11-24T14:59:00'), ('just-ended', 1, '2026-11-24T15:00:00'), ('running', 2, '2026-11-24T15:00:30')`,
    );
    await t.sql(
      `INSERT INTO event_outbox (user_id, type, payload, created_at)
       SELECT $1, 'account', jsonb_build_object('type', 'account', 'accountId', 'a' || g), $2::timestamp - g * interval '1 hour'
         FROM generate_series(1, 30) g`,
      [user.id, '2026-11-24T15:00:00'],
    );
    const { trading } = testTrading(t.db, testConfig(), clock.now);
    await t.sql(`SELECT graphile_worker.add_job('housekeeping', '{}'::json)`);
    await runJobs(t, testJobDeps(t, { now: clock.now, trading }), ['housekeeping']);

    const { rows: limits } = await t.sql<{ key: string }>('SELECT key FROM rate_limits ORDER BY key');
    expect(limits.map((r) => r.key)).toEqual(['running']);
    const { rows: events } = await t.sql<{ hours: number }>(
      `SELECT extract(epoch FROM $1::timestamp - created_at)::int / 3600 AS hours FROM event_outbox WHERE user_id = $2 ORDER BY created_at DESC`,
      ['2026-11-24T15:00:00', user.id],
    );
    // Up to 24 hours old stay; older are gone.
    expect(events.map((r) => r.hours)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
  });
});
