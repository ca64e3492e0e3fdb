import { createMiddleware } from 'hono/factory';
import { resolveSession } from '../../auth';
import { AppError } from '../../errors';
import type { AppDeps, AppEnv } from '../env';
import { answerRateLimits, enforceRateLimits } from '../rate-limit';

/**
 * Protected routes: resolve the session cookie to an active user, or answer UNAUTHENTICATED.
 * With `rateLimit`, the signed-in user's `<scope>:user:<id>` counter is counted as the
 * `rateLimit` middleware after it would count it (a 429 with the same headers), in the same
 * round trip as the session lookup when the session takes the fast path.
 */
export function requireAuth(
  deps: Pick<AppDeps, 'auth' | 'db'> & { now?: AppDeps['now'] },
  options: { rateLimit?: { scope: string; limit: number; windowSeconds: number } } = {},
) {
  const { rateLimit } = options;
  const clock = { db: deps.db, now: deps.now ?? (() => new Date()) };
  const counting = rateLimit
    ? {
        rule: {
          keyPrefix: `${rateLimit.scope}:user:`,
          limit: rateLimit.limit,
          windowSeconds: rateLimit.windowSeconds,
        },
        now: clock.now,
      }
    : undefined;
  return createMiddleware<AppEnv>(async (c, next) => {
    const session = await resolveSession(deps.auth, deps.db, c.req.raw.headers, counting);
    if (!session) throw new AppError('UNAUTHENTICATED', 'Sign in to continue');
    for (const cookie of session.setCookies) c.header('Set-Cookie', cookie, { append: true });
    c.set('actor', { type: 'user', userId: session.userId });
    c.set('sessionId', session.sessionId);
    c.set('log', c.get('log').child({ userId: session.userId }));
    if (rateLimit) {
      if (session.rateLimit) answerRateLimits(c, clock, [session.rateLimit]);
      else {
        const key = `${rateLimit.scope}:user:${session.userId}`;
        await enforceRateLimits(c, clock, [
          { key, limit: rateLimit.limit, windowSeconds: rateLimit.windowSeconds },
        ]);
      }
    }
    await next();
  });
}
