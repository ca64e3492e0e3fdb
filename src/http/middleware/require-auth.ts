import { createMiddleware } from 'hono/factory';
import { resolveSession } from '../../auth';
import { AppError } from '../../errors';
import type { AppDeps, AppEnv } from '../env';

/** Protected routes: resolve the session cookie to an active user, or answer UNAUTHENTICATED. */
export function requireAuth(deps: Pick<AppDeps, 'auth' | 'db'>) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const session = await resolveSession(deps.auth, deps.db, c.req.raw.headers);
    if (!session) throw new AppError('UNAUTHENTICATED', 'Sign in to continue');
    for (const cookie of session.setCookies) c.header('Set-Cookie', cookie, { append: true });
    c.set('actor', { type: 'user', userId: session.userId });
    c.set('sessionId', session.sessionId);
    c.set('log', c.get('log').child({ userId: session.userId }));
    await next();
  });
}
