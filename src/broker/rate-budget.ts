/**
 * One rate budget shared by every process of the deployment (PRODUCT.md §1a: SnapTrade's 250
 * requests a minute per client id, about 1 trade a second per account). Each key is a token
 * bucket in one `rate_budgets` row, refilled and drawn in one atomic statement against the
 * database's clock, so workers and web processes on any machine draw on the same tokens.
 *
 * Priority: a `normal` draw leaves `reserve` tokens untouched, a `closing` draw may take them;
 * while the bucket is low, closing orders are served and openings wait.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client';

export type BudgetPriority = 'closing' | 'normal';

/** A bucket's shape: at most `capacity` at once, refilled at `perSecond`. */
export type BucketLimit = { capacity: number; perSecond: number; reserve: number };

export type RateBudget = {
  /**
   * Waits until the bucket gives a token, then takes it. `onWait` is called once, when it must
   * wait at all (a copy shows `queued`).
   */
  take(
    key: string,
    limit: BucketLimit,
    priority: BudgetPriority,
    onWait?: () => Promise<void>,
  ): Promise<void>;
  /** Takes a token if there is one now, never waiting: whether it did. */
  tryTake(key: string, limit: BucketLimit): Promise<boolean>;
  /** Nobody draws on `key` for `ms` (a 429's Retry-After: every process waits, not only this one). */
  pause(key: string, limit: BucketLimit, ms: number): Promise<void>;
};

/**
 * SnapTrade's per-minute limit as a bucket that can never exceed it in any rolling minute: a
 * burst of a tenth of it, the rest spread over the minute (burst + 60 × rate = limit).
 */
export function perMinuteBucket(perMinute: number): BucketLimit {
  const capacity = Math.max(1, Math.floor(perMinute / 10));
  return {
    capacity,
    perSecond: Math.max(perMinute - capacity, 1) / 60,
    reserve: Math.min(capacity - 1, Math.max(1, Math.floor(capacity / 5))),
  };
}

/** At most `perSecond` a second, evenly: one at a time, no burst. */
export function perSecondBucket(perSecond: number): BucketLimit {
  return { capacity: 1, perSecond, reserve: 0 };
}

export function createPgRateBudget(options: {
  db: Executor;
  sleep?: (ms: number) => Promise<void>;
}): RateBudget {
  const { db } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  const now = sql`clock_timestamp()::timestamp`;
  const available = (limit: BucketLimit) =>
    sql`LEAST(${limit.capacity}::numeric, b.tokens + EXTRACT(EPOCH FROM (${now} - b.refilled_at))::numeric * ${limit.perSecond}::numeric)`;

  /** One attempt: takes a token when the bucket has one above the priority's floor. */
  async function draw(
    key: string,
    limit: BucketLimit,
    priority: BudgetPriority,
  ): Promise<{ taken: true } | { taken: false; missing: number }> {
    const floor = 1 + (priority === 'closing' ? 0 : limit.reserve);
    const { rows } = await db.execute<{ tokens: string | null; missing: string | null }>(sql`
      WITH drawn AS (
        INSERT INTO rate_budgets AS b (key, tokens, refilled_at)
        VALUES (${key}, ${limit.capacity - 1}, ${now})
        ON CONFLICT (key) DO UPDATE
           SET tokens = ${available(limit)} - 1, refilled_at = ${now}
         WHERE ${available(limit)} >= ${floor}
        RETURNING b.tokens
      )
      SELECT (SELECT tokens FROM drawn) AS tokens,
             (SELECT ${floor} - ${available(limit)} FROM rate_budgets b WHERE b.key = ${key}) AS missing`);
    const row = rows[0];
    if (row?.tokens !== null && row?.tokens !== undefined) return { taken: true };
    return { taken: false, missing: Math.max(Number(row?.missing ?? 1), 0) };
  }

  return {
    async take(key, limit, priority, onWait) {
      let told = false;
      for (;;) {
        const result = await draw(key, limit, priority);
        if (result.taken) return;
        if (!told && onWait) {
          told = true;
          await onWait();
        }
        // Until enough has dripped back in, with a little spread so waiters do not all wake at once.
        await sleep(
          Math.max(5, Math.ceil((result.missing / limit.perSecond) * 1000)) + Math.floor(Math.random() * 10),
        );
      }
    },

    async tryTake(key, limit) {
      return (await draw(key, limit, 'normal')).taken;
    },

    async pause(key, limit, ms) {
      await db.execute(sql`
        INSERT INTO rate_budgets AS b (key, tokens, refilled_at)
        VALUES (${key}, ${-(ms / 1000) * limit.perSecond}, ${now})
        ON CONFLICT (key) DO UPDATE
           SET tokens = LEAST(${available(limit)}, ${-(ms / 1000) * limit.perSecond}), refilled_at = ${now}`);
    },
  };
}
