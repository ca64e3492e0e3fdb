import { createMiddleware } from 'hono/factory';
import { AppError } from '../errors';
import {
  consumeRateLimit,
  type RateLimitResult,
  type RateLimitRule,
} from '../services/limits/consume-rate-limit';
import type { AppContext, AppDeps, AppEnv } from './env';

/** The result the client should see: a refusal first (the longest wait), else the fewest left. */
function mostRestrictive(results: RateLimitResult[]): RateLimitResult | undefined {
  const refused = results.filter((r) => !r.allowed);
  if (refused.length > 0) {
    return refused.reduce((a, b) => (b.resetAt.getTime() > a.resetAt.getTime() ? b : a));
  }
  return results.reduce<RateLimitResult | undefined>(
    (a, b) => (a === undefined || b.remaining < a.remaining ? b : a),
    undefined,
  );
}

/**
 * Count one hit against every rule, set `X-RateLimit-Limit/Remaining/Reset` (epoch seconds), and
 * when any rule refuses, set `Retry-After` and throw LIMIT_EXCEEDED (answered 429 by the mapper).
 * Use inside a handler when the key depends on validated input (the email of a sign-in).
 */
export async function enforceRateLimits(
  c: AppContext,
  deps: Pick<AppDeps, 'db' | 'now'>,
  rules: RateLimitRule[],
): Promise<void> {
  const ctx = { db: deps.db, now: deps.now };
  const results = await Promise.all(rules.map((rule) => consumeRateLimit({ ctx, input: rule })));
  answerRateLimits(c, deps, results);
}

/** The headers of counted hits, and LIMIT_EXCEEDED when any was refused (see enforceRateLimits). */
export function answerRateLimits(
  c: AppContext,
  deps: Pick<AppDeps, 'now'>,
  results: RateLimitResult[],
): void {
  const shown = mostRestrictive(results);
  if (!shown) return;
  c.header('X-RateLimit-Limit', String(shown.limit));
  c.header('X-RateLimit-Remaining', String(shown.remaining));
  c.header('X-RateLimit-Reset', String(Math.ceil(shown.resetAt.getTime() / 1000)));
  if (!shown.allowed) {
    const retryAfterSeconds = Math.max(1, Math.ceil((shown.resetAt.getTime() - deps.now().getTime()) / 1000));
    c.header('Retry-After', String(retryAfterSeconds));
    throw new AppError('LIMIT_EXCEEDED', 'Too many requests, try again later', {
      details: { retryAfterSeconds },
    });
  }
}

export type RateLimitMiddlewareOptions = {
  limit: number;
  windowSeconds: number;
  /** The counter key for this request (e.g. `orders:user:<id>`); undefined skips limiting. */
  key: (c: AppContext) => string | undefined;
};

/**
 * A middleware form, for keys known before validation: e.g. placing orders, 10 a minute per user,
 * placed after `requireAuth`:
 * `rateLimit(deps, { limit: 10, windowSeconds: 60, key: (c) => actorKey('orders', c) })`.
 */
export function rateLimit(deps: Pick<AppDeps, 'db' | 'now'>, options: RateLimitMiddlewareOptions) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const key = options.key(c);
    if (key !== undefined) {
      await enforceRateLimits(c, deps, [{ key, limit: options.limit, windowSeconds: options.windowSeconds }]);
    }
    await next();
  });
}

/** `<scope>:user:<id>` for a signed-in actor; undefined otherwise. */
export function actorKey(scope: string, c: AppContext): string | undefined {
  const actor = c.get('actor');
  return actor.type === 'user' ? `${scope}:user:${actor.userId}` : undefined;
}
