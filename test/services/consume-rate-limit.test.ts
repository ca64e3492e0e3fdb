import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, createPool, type Database } from '../../src/db/client';
import { AppError } from '../../src/errors';
import { consumeRateLimit } from '../../src/services/limits/consume-rate-limit';
import { TestClock } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';

const t = useTestDatabase();

const START = new Date('2030-03-04T10:00:00.000Z');
const rule = (key: string, limit = 3, windowSeconds = 60) => ({ key, limit, windowSeconds });

async function storedRow(key: string) {
  const { rows } = await t.sql<{ count: number; reset_at: string }>(
    `SELECT count, to_char(reset_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS reset_at FROM rate_limits WHERE key = $1`,
    [key],
  );
  return rows[0];
}

describe('consumeRateLimit', () => {
  it('allows up to the limit in a window, then refuses, as values', async () => {
    const clock = new TestClock(START);
    const ctx = { db: t.db, now: clock.now };
    const results = [];
    for (let i = 0; i < 5; i++) {
      results.push(await consumeRateLimit({ ctx, input: rule('test:basic') }));
      clock.advance(1_000);
    }
    const resetAt = new Date(START.getTime() + 60_000);
    expect(results).toEqual([
      { allowed: true, limit: 3, remaining: 2, resetAt },
      { allowed: true, limit: 3, remaining: 1, resetAt },
      { allowed: true, limit: 3, remaining: 0, resetAt },
      { allowed: false, limit: 3, remaining: 0, resetAt },
      { allowed: false, limit: 3, remaining: 0, resetAt },
    ]);
    // The window end is stored as UTC wall-clock time, like every timestamp column.
    expect(await storedRow('test:basic')).toEqual({ count: 5, reset_at: '2030-03-04T10:01:00.000Z' });
  });

  it('starts a new window once the old one has ended (clock injected, not the database clock)', async () => {
    const clock = new TestClock(START);
    const ctx = { db: t.db, now: clock.now };
    for (let i = 0; i < 4; i++) await consumeRateLimit({ ctx, input: rule('test:window', 2, 30) });
    const refused = await consumeRateLimit({ ctx, input: rule('test:window', 2, 30) });
    expect(refused.allowed).toBe(false);

    clock.advance(29_999);
    expect((await consumeRateLimit({ ctx, input: rule('test:window', 2, 30) })).allowed).toBe(false);

    clock.advance(1); // exactly at reset_at: the window is over
    const fresh = await consumeRateLimit({ ctx, input: rule('test:window', 2, 30) });
    expect(fresh).toEqual({
      allowed: true,
      limit: 2,
      remaining: 1,
      resetAt: new Date(START.getTime() + 60_000),
    });
    expect(await storedRow('test:window')).toEqual({ count: 1, reset_at: '2030-03-04T10:01:00.000Z' });
  });

  it('keeps keys independent', async () => {
    const ctx = { db: t.db, now: new TestClock(START).now };
    for (let i = 0; i < 3; i++) await consumeRateLimit({ ctx, input: rule('test:a', 1) });
    const other = await consumeRateLimit({ ctx, input: rule('test:b', 1) });
    expect(other).toMatchObject({ allowed: true, remaining: 0 });
    expect((await storedRow('test:a'))?.count).toBe(3);
    expect((await storedRow('test:b'))?.count).toBe(1);
  });

  it('refuses a malformed rule with VALIDATION', async () => {
    const ctx = { db: t.db, now: new TestClock(START).now };
    await expect(consumeRateLimit({ ctx, input: rule('', 1) })).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'key',
    });
    await expect(consumeRateLimit({ ctx, input: rule('test:x', 0) })).rejects.toBeInstanceOf(AppError);
  });

  describe('under concurrency', () => {
    let pool: ReturnType<typeof createPool>;
    let db: Database;
    beforeAll(() => {
      // Enough connections for every call to be in flight at once.
      pool = createPool(t.url, 20);
      db = createDb(pool);
    });
    afterAll(() => pool.end());

    it('counts 20 simultaneous hits exactly: one statement, no lost updates', async () => {
      const ctx = { db, now: new TestClock(START).now };
      const results = await Promise.all(
        Array.from({ length: 20 }, () => consumeRateLimit({ ctx, input: rule('test:concurrent', 15) })),
      );
      expect(results.filter((r) => r.allowed)).toHaveLength(15);
      expect(results.filter((r) => !r.allowed)).toHaveLength(5);
      // Every hit saw a distinct count: remaining 14..0 once each, then five refusals at 0.
      const remaining = results.map((r) => r.remaining).sort((a, b) => b - a);
      expect(remaining).toEqual([14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0, 0, 0, 0, 0]);
      expect((await storedRow('test:concurrent'))?.count).toBe(20);
    });
  });
});
