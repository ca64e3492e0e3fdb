/**
 * The shared rate budget (PRODUCT.md §1a) on the real PostgreSQL: draws from two "processes"
 * (two budgets, each with its own connections) never exceed the bucket, closing draws overtake
 * queued openings, and a pause (a 429's Retry-After) holds every drawer.
 */
import { describe, expect, it } from 'vitest';
import { type BucketLimit, createPgRateBudget, perMinuteBucket } from '../../src/broker/rate-budget';
import { useTestDatabase } from '../helpers/db';

const t = useTestDatabase();

async function dbNow(): Promise<number> {
  const { rows } = await t.sql<{ ms: string }>(
    'SELECT (extract(epoch FROM clock_timestamp()) * 1000)::text AS ms',
  );
  return Number(rows[0]?.ms);
}

describe('the shared rate budget', () => {
  it('never lets two processes together draw more than the bucket allows', async () => {
    const limit: BucketLimit = { capacity: 10, perSecond: 20, reserve: 0 };
    const processes = [createPgRateBudget({ db: t.db }), createPgRateBudget({ db: t.db })];
    const drawnAt: number[] = [];
    const start = await dbNow();
    await Promise.all(
      processes.flatMap((budget) =>
        Array.from({ length: 20 }, async () => {
          await budget.take('test:requests', limit, 'normal');
          drawnAt.push(await dbNow());
        }),
      ),
    );
    expect(drawnAt).toHaveLength(40);
    // 40 draws from a bucket of 10 refilled at 20/s: the last could not come before 1.5 s.
    expect(Math.max(...drawnAt) - start).toBeGreaterThanOrEqual(1_450);
    const { rows } = await t.sql<{ tokens: string }>(
      `SELECT tokens FROM rate_budgets WHERE key = 'test:requests'`,
    );
    expect(Number(rows[0]?.tokens)).toBeGreaterThanOrEqual(-0.0001);
  });

  it('serves a closing draw before openings already waiting', async () => {
    const limit: BucketLimit = { capacity: 4, perSecond: 4, reserve: 2 };
    const budget = createPgRateBudget({ db: t.db });
    for (let i = 0; i < 4; i++) await budget.take('test:priority', limit, 'closing');
    const served: string[] = [];
    let openingQueued = false;
    const opening = budget
      .take('test:priority', limit, 'normal', async () => {
        openingQueued = true;
      })
      .then(() => served.push('opening'));
    while (!openingQueued) await new Promise((resolve) => setTimeout(resolve, 5));
    const closing = budget.take('test:priority', limit, 'closing').then(() => served.push('closing'));
    await Promise.all([opening, closing]);
    expect(served).toEqual(['closing', 'opening']);
  });

  it("holds every drawer for a 429's Retry-After", async () => {
    const limit = perMinuteBucket(600);
    const budget = createPgRateBudget({ db: t.db });
    await budget.take('test:paused', limit, 'closing');
    await budget.pause('test:paused', limit, 1_000);
    const before = await dbNow();
    await createPgRateBudget({ db: t.db }).take('test:paused', limit, 'closing');
    expect((await dbNow()) - before).toBeGreaterThanOrEqual(950);
  });

  it('answers at once whether a token is there, without waiting (tryTake)', async () => {
    const limit: BucketLimit = { capacity: 1, perSecond: 1 / 60, reserve: 0 };
    const budgets = [createPgRateBudget({ db: t.db }), createPgRateBudget({ db: t.db })];
    expect(await budgets[0]?.tryTake('test:once-a-minute', limit)).toBe(true);
    // The other process finds it spent: the bucket is shared.
    expect(await budgets[1]?.tryTake('test:once-a-minute', limit)).toBe(false);
    await t.sql(
      `UPDATE rate_budgets SET refilled_at = refilled_at - interval '1 minute' WHERE key = 'test:once-a-minute'`,
    );
    expect(await budgets[1]?.tryTake('test:once-a-minute', limit)).toBe(true);
  });

  it('keeps any rolling minute within the per-minute limit', () => {
    for (const perMinute of [10, 250, 3000]) {
      const { capacity, perSecond, reserve } = perMinuteBucket(perMinute);
      expect(capacity + perSecond * 60).toBeLessThanOrEqual(perMinute + 1e-9);
      expect(reserve).toBeLessThan(capacity);
    }
  });
});
