import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { rateLimits } from '../../db/schema';
import type { ServiceContext } from '../context';
import { parseInput } from '../parse-input';

/** One counter: at most `limit` hits per fixed window of `windowSeconds`, per `key`. */
export type RateLimitRule = { key: string; limit: number; windowSeconds: number };

/** The outcome of one hit, as a value: being refused is an expected answer, not an exception. */
export type RateLimitResult = {
  allowed: boolean;
  limit: number;
  /** Hits still allowed in the current window. */
  remaining: number;
  /** When the current window ends and the counter starts again. */
  resetAt: Date;
};

const RuleSchema = z.object({
  key: z.string().min(1).max(500),
  limit: z.number().int().min(1),
  windowSeconds: z.number().int().min(1),
});

/**
 * Count one hit against `key` in a fixed window kept in `rate_limits`.
 *
 * One atomic upsert: concurrent hits on the same key serialise on its row, so the count is exact
 * however many arrive at once. A window that has ended restarts at 1. Time comes from `ctx.now`,
 * not the database clock, so tests can move it.
 */
export async function consumeRateLimit({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db' | 'now'>;
  input: RateLimitRule;
}): Promise<RateLimitResult> {
  const rule = parseInput(RuleSchema, input);
  const now = ctx.now();
  const windowEnd = new Date(now.getTime() + rule.windowSeconds * 1000);
  // Bound through the column so the Date is written as UTC, like every other timestamp.
  const nowParam = sql.param(now, rateLimits.resetAt);
  const windowOver = sql`${rateLimits.resetAt} <= ${nowParam}`;

  const [row] = await ctx.db
    .insert(rateLimits)
    .values({ key: rule.key, count: 1, resetAt: windowEnd, createdAt: now })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`CASE WHEN ${windowOver} THEN 1 ELSE ${rateLimits.count} + 1 END`,
        resetAt: sql`CASE WHEN ${windowOver} THEN excluded.reset_at ELSE ${rateLimits.resetAt} END`,
      },
    })
    .returning({ count: rateLimits.count, resetAt: rateLimits.resetAt });
  if (!row) throw new Error(`rate limit upsert for ${rule.key} returned no row`);

  const count = row.count ?? 1;
  return {
    allowed: count <= rule.limit,
    limit: rule.limit,
    remaining: Math.max(0, rule.limit - count),
    resetAt: row.resetAt,
  };
}
