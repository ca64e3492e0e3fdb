import { z } from 'zod';
import { namedStatement } from '../../db/named-statements';
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

/** Several hits on one counter at once (a batch of notifications to one user, say). */
export type RateLimitHits = RateLimitRule & { hits: number };

/** The counter after a batch of hits: how many of them fit in the window, and the window's state. */
export type RateLimitBatchResult = RateLimitResult & { key: string; admitted: number };

const HitsSchema = z.array(RuleSchema.extend({ hits: z.number().int().min(1) }));

/**
 * The upsert of hits into their counters, from `source`: rows of (key, hits, reset_at), the
 * window checked against the timestamp `now` (a parameter). Written once for every statement
 * that counts hits, so they all count alike.
 */
export function countHitsSql(source: string, now: string): string {
  return `INSERT INTO rate_limits AS r (key, count, reset_at, created_at)
   SELECT x.key, x.hits, x.reset_at, ${now}::timestamp FROM (${source}) AS x(key, hits, reset_at)
    ORDER BY x.key
   ON CONFLICT (key) DO UPDATE SET
     count = CASE WHEN r.reset_at <= ${now}::timestamp THEN excluded.count ELSE r.count + excluded.count END,
     reset_at = CASE WHEN r.reset_at <= ${now}::timestamp THEN excluded.reset_at ELSE r.reset_at END
   RETURNING r.key, r.count, (extract(epoch FROM r.reset_at) * 1000)::float8 AS reset_ms`;
}

/** A counter as the upsert returns it. */
export type CountedHits = { key: string; count: number; reset_ms: number };

/** What one hit on `rule` means, given its counter after the hit. */
export function rateLimitResultOf(rule: { limit: number }, counted: Pick<CountedHits, 'count' | 'reset_ms'>) {
  return {
    allowed: counted.count <= rule.limit,
    limit: rule.limit,
    remaining: Math.max(0, rule.limit - counted.count),
    resetAt: new Date(counted.reset_ms),
  } satisfies RateLimitResult;
}

/** Every request that is limited runs this: a named statement, prepared once per connection. */
const countHits = namedStatement<CountedHits>(
  'consume_rate_limits',
  countHitsSql('SELECT * FROM unnest($2::text[], $3::int[], $4::timestamp[])', '$1'),
);

/**
 * Count hits against many counters in one statement, each in its fixed window kept in
 * `rate_limits`. The first hits of a counter fill what is left of its window (`admitted`), the
 * rest are refused. Counters are locked in key order, so two batches over the same keys cannot
 * deadlock; concurrent hits on a key serialise on its row, so counts are exact. A window that has
 * ended restarts. Time comes from `ctx.now`, not the database clock, so tests can move it.
 */
export async function consumeRateLimits({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db' | 'now'>;
  input: readonly RateLimitHits[];
}): Promise<RateLimitBatchResult[]> {
  const parsed = parseInput(HitsSchema, input);
  // One row per key: an upsert may not touch a row twice.
  const byKey = new Map<string, RateLimitHits>();
  for (const rule of parsed) {
    const seen = byKey.get(rule.key);
    byKey.set(rule.key, seen ? { ...seen, hits: seen.hits + rule.hits } : rule);
  }
  const rules = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  if (rules.length === 0) return [];
  const now = ctx.now();
  const rows = await countHits(ctx.db, [
    now.toISOString(),
    rules.map((r) => r.key),
    rules.map((r) => r.hits),
    rules.map((r) => new Date(now.getTime() + r.windowSeconds * 1000).toISOString()),
  ]);
  const counted = new Map(rows.map((row) => [row.key, row]));
  return rules.map((rule) => {
    const row = counted.get(rule.key);
    if (!row) throw new Error(`rate limit upsert for ${rule.key} returned no row`);
    const count = row.count ?? rule.hits;
    return {
      key: rule.key,
      admitted: Math.max(0, Math.min(rule.hits, rule.limit - (count - rule.hits))),
      ...rateLimitResultOf(rule, { count, reset_ms: row.reset_ms }),
    };
  });
}

/**
 * Count one hit against `key` in a fixed window kept in `rate_limits` (see consumeRateLimits):
 * one atomic upsert, exact however many hits arrive at once.
 */
export async function consumeRateLimit({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db' | 'now'>;
  input: RateLimitRule;
}): Promise<RateLimitResult> {
  const [result] = await consumeRateLimits({ ctx, input: [{ ...parseInput(RuleSchema, input), hits: 1 }] });
  if (!result) throw new Error(`rate limit for ${input.key} returned nothing`);
  return {
    allowed: result.allowed,
    limit: result.limit,
    remaining: result.remaining,
    resetAt: result.resetAt,
  };
}
