import { createRoute, z } from '@hono/zod-openapi';
import { deleteCookie } from 'hono/cookie';
import { CLIENT_IP_HEADER, resolveSession, SESSION_COOKIE_NAME } from '../../auth';
import { AppError } from '../../errors';
import { consumeEmailVerification } from '../../services/users/email-verification';
import { getMyProfile } from '../../services/users/get-my-profile';
import { clientIp } from '../client-ip';
import { type AppContext, type AppDeps, createRouter, serviceContext } from '../env';
import { errorResponses } from '../errors';
import { requireAuth } from '../middleware/require-auth';
import { PUBLIC_SECURITY, SESSION_SECURITY } from '../openapi';
import { enforceRateLimits } from '../rate-limit';

const Email = z.email('must be a valid email address').max(254, 'must be at most 254 characters');

const NewPassword = z
  .string('is required')
  .min(8, 'must be at least 8 characters')
  .max(128, 'must be at most 128 characters');

const SignUpInput = z
  .object({
    email: Email,
    password: NewPassword,
    name: z.string('is required').trim().min(1, 'is required').max(100, 'must be at most 100 characters'),
  })
  .openapi('SignUpInput');

const SignInInput = z
  .object({
    email: Email,
    password: z.string('is required').min(1, 'is required').max(128, 'must be at most 128 characters'),
    rememberMe: z.boolean().optional().openapi({ description: 'false: the session ends with the browser' }),
  })
  .openapi('SignInInput');

const AuthUser = z
  .object({ id: z.string(), email: z.string(), name: z.string().nullable() })
  .openapi('AuthUser');

const AuthResult = z.object({ user: AuthUser }).openapi('AuthResult');

const SignOutResult = z.object({ success: z.boolean() }).openapi('SignOutResult');

const StatusResult = z
  .object({ status: z.boolean(), message: z.string().optional() })
  .openapi('StatusResult');

/** A path of this app (links in emails never lead elsewhere). */
const AppPath = z
  .string()
  .regex(/^\/(?!\/)[^\s]*$/, 'must be a path of this app, starting with /')
  .max(500);

const json = <S extends z.ZodType>(schema: S) => ({ content: { 'application/json': { schema } } });

const signUpRoute = createRoute({
  method: 'post',
  path: '/auth/sign-up/email',
  operationId: 'signUp',
  security: PUBLIC_SECURITY,
  tags: ['auth'],
  summary: 'Create an account with email and password; signs in (sets the session cookie)',
  request: { body: { required: true, ...json(SignUpInput) } },
  responses: {
    200: { description: 'Signed up and signed in', ...json(AuthResult) },
    ...errorResponses('VALIDATION', 'CONFLICT'),
  },
});

const signInRoute = createRoute({
  method: 'post',
  path: '/auth/sign-in/email',
  operationId: 'signIn',
  security: PUBLIC_SECURITY,
  tags: ['auth'],
  summary: 'Sign in with email and password (sets the session cookie)',
  description: 'Rate limited per client address and per email (429 with Retry-After).',
  request: { body: { required: true, ...json(SignInInput) } },
  responses: {
    200: { description: 'Signed in', ...json(AuthResult) },
    ...errorResponses('VALIDATION', 'UNAUTHENTICATED', 'LIMIT_EXCEEDED'),
  },
});

const signOutRoute = createRoute({
  method: 'post',
  path: '/auth/sign-out',
  operationId: 'signOut',
  tags: ['auth'],
  summary: 'End the current session (clears the session cookie)',
  description: 'Send the `Origin` header of the app: cookie-bearing requests from other origins are refused.',
  security: SESSION_SECURITY,
  responses: {
    200: { description: 'Signed out', ...json(SignOutResult) },
    ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN'),
  },
});

const signOutEverywhereRoute = createRoute({
  method: 'post',
  path: '/auth/revoke-sessions',
  operationId: 'signOutEverywhere',
  tags: ['auth'],
  summary: 'End every session of my account, this one included (sign out everywhere)',
  description: 'Send the `Origin` header of the app: cookie-bearing requests from other origins are refused.',
  security: SESSION_SECURITY,
  responses: {
    200: { description: 'Every session ended', ...json(StatusResult) },
    ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN'),
  },
});

/** Where the link in a verification email lands once used: the app's page that says how it went. */
const VERIFIED_PAGE = '/verify-email';

const requestPasswordResetRoute = createRoute({
  method: 'post',
  path: '/auth/request-password-reset',
  operationId: 'requestPasswordReset',
  security: PUBLIC_SECURITY,
  tags: ['auth'],
  summary: 'Email a password reset link (the answer is the same whether the email has an account)',
  description:
    'Rate limited like sign-in. `redirectTo` is the page of this app that receives `?token=` (default `/reset-password`).',
  request: {
    body: {
      required: true,
      ...json(
        z.object({ email: Email, redirectTo: AppPath.optional() }).openapi('RequestPasswordResetInput'),
      ),
    },
  },
  responses: {
    200: { description: 'Sent if the email has an account', ...json(StatusResult) },
    ...errorResponses('VALIDATION', 'LIMIT_EXCEEDED'),
  },
});

const resetPasswordRoute = createRoute({
  method: 'post',
  path: '/auth/reset-password',
  operationId: 'resetPassword',
  security: PUBLIC_SECURITY,
  tags: ['auth'],
  summary: 'Set a new password with the token from a reset email; ends every session of the account',
  request: {
    body: {
      required: true,
      ...json(
        z
          .object({ token: z.string('is required').min(1, 'is required').max(200), newPassword: NewPassword })
          .openapi('ResetPasswordInput'),
      ),
    },
  },
  responses: {
    200: { description: 'Password changed', ...json(StatusResult) },
    ...errorResponses('VALIDATION', 'LIMIT_EXCEEDED'),
  },
});

const sendVerificationRoute = createRoute({
  method: 'post',
  path: '/auth/send-verification-email',
  operationId: 'sendVerificationEmail',
  security: SESSION_SECURITY,
  tags: ['auth'],
  summary: 'Email the signed-in user a new link to confirm their email address',
  responses: {
    200: { description: 'Sent', ...json(StatusResult) },
    ...errorResponses('UNAUTHENTICATED', 'CONFLICT', 'LIMIT_EXCEEDED'),
  },
});

const verifyEmailRoute = createRoute({
  method: 'get',
  path: '/auth/verify-email',
  operationId: 'verifyEmail',
  security: PUBLIC_SECURITY,
  tags: ['auth'],
  summary: 'Confirm an email address with the link from a verification email (works once)',
  description:
    'With `callbackURL` (a path of this app) the answer is a redirect there, with `?error=INVALID_TOKEN` when the link is used, expired or forged.',
  request: {
    query: z.object({ token: z.string().min(1).max(2000), callbackURL: AppPath.optional() }),
  },
  responses: {
    200: { description: 'Confirmed', ...json(StatusResult) },
    302: { description: 'Redirect to callbackURL' },
    ...errorResponses('VALIDATION', 'UNAUTHENTICATED'),
  },
});

/** Hand a request to better-auth, with the client address we trust and, if given, a clean body. */
async function forward(c: AppContext, deps: AppDeps, body?: unknown): Promise<Response> {
  const headers = new Headers(c.req.raw.headers);
  headers.set(CLIENT_IP_HEADER, clientIp(c, deps.config));
  headers.delete('content-length');
  let payload: BodyInit | undefined;
  if (body !== undefined) {
    headers.set('content-type', 'application/json');
    payload = JSON.stringify(body);
  } else if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
    const raw = await c.req.arrayBuffer();
    if (raw.byteLength > 0) {
      payload = raw;
    } else {
      // A bodiless POST (sign-out from a plain fetch) is an empty JSON object to better-auth.
      headers.set('content-type', 'application/json');
      payload = '{}';
    }
  }
  return deps.auth.handler(new Request(c.req.url, { method: c.req.method, headers, body: payload }));
}

type AuthErrorBody = { code?: unknown; message?: unknown };

/** better-auth's refusals in our vocabulary. */
function toAppError(status: number, body: AuthErrorBody): AppError {
  const code = typeof body.code === 'string' ? body.code : '';
  const message = typeof body.message === 'string' && body.message ? body.message : 'Request refused';
  if (code === 'INVALID_EMAIL_OR_PASSWORD' || (status === 401 && code === 'FAILED_TO_CREATE_SESSION')) {
    return new AppError('UNAUTHENTICATED', 'Invalid email or password');
  }
  if (code.startsWith('USER_ALREADY_EXISTS')) {
    return new AppError('CONFLICT', 'An account with this email already exists', { field: 'email' });
  }
  if (status === 400 || status === 415 || status === 422) {
    const field = code === 'INVALID_EMAIL' ? 'email' : code.startsWith('PASSWORD_') ? 'password' : undefined;
    return new AppError('VALIDATION', message, { field });
  }
  if (status === 401) return new AppError('UNAUTHENTICATED', message);
  if (status === 403) return new AppError('FORBIDDEN', message);
  if (status === 404) return new AppError('NOT_FOUND', 'Not found');
  if (status === 429) return new AppError('LIMIT_EXCEEDED', message);
  return new AppError('INTERNAL', `better-auth answered ${status} ${code}: ${message}`);
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** `path` with `params` added to its query. */
function appendQuery(path: string, params: Record<string, string>): string {
  const url = new URL(path, 'http://app.invalid');
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return `${url.pathname}${url.search}`;
}

/** Keep better-auth's cookies on whatever we answer. */
function keepCookies(c: AppContext, response: Response): void {
  for (const cookie of response.headers.getSetCookie()) c.header('Set-Cookie', cookie, { append: true });
}

/**
 * better-auth's answer, checked: errors become AppErrors (thrown to the mapper), successes are
 * read for `shape` so the client never sees more than documented (no session token in bodies).
 */
async function settle<S extends z.ZodType>(
  c: AppContext,
  response: Response,
  shape: S,
): Promise<z.output<S>> {
  keepCookies(c, response);
  const body = await readJson(response);
  if (response.status >= 400) {
    throw toAppError(response.status, typeof body === 'object' && body !== null ? body : {});
  }
  const parsed = shape.safeParse(body);
  if (!parsed.success)
    throw new AppError('INTERNAL', 'unexpected answer from better-auth', { cause: parsed.error });
  return parsed.data;
}

export function authRouter(deps: AppDeps) {
  const router = createRouter();
  const limit = deps.config.signInRateLimit;

  router.openapi(signUpRoute, async (c) => {
    const input = c.req.valid('json');
    const result = await settle(
      c,
      await forward(c, deps, { ...input, callbackURL: VERIFIED_PAGE }),
      AuthResult,
    );
    return c.json(result, 200);
  });

  router.openapi(signInRoute, async (c) => {
    const input = c.req.valid('json');
    await enforceRateLimits(c, deps, [
      {
        key: `sign-in:ip:${clientIp(c, deps.config)}`,
        limit: limit.limit,
        windowSeconds: limit.windowSeconds,
      },
      {
        key: `sign-in:email:${input.email.toLowerCase()}`,
        limit: limit.limit,
        windowSeconds: limit.windowSeconds,
      },
    ]);
    const result = await settle(c, await forward(c, deps, input), AuthResult);
    return c.json(result, 200);
  });

  // Like every session route: no session (or an ended one) is 401, not a quiet success.
  router.openapi({ ...signOutRoute, middleware: [requireAuth(deps)] as const }, async (c) => {
    const result = await settle(c, await forward(c, deps), SignOutResult);
    return c.json(result, 200);
  });

  router.openapi({ ...signOutEverywhereRoute, middleware: [requireAuth(deps)] as const }, async (c) => {
    await settle(c, await forward(c, deps), StatusResult);
    deleteCookie(c, SESSION_COOKIE_NAME, { path: '/' });
    return c.json({ status: true }, 200);
  });

  const recoveryLimits = (c: AppContext, email: string) =>
    enforceRateLimits(c, deps, [
      {
        key: `account-mail:ip:${clientIp(c, deps.config)}`,
        limit: limit.limit,
        windowSeconds: limit.windowSeconds,
      },
      {
        key: `account-mail:email:${email.toLowerCase()}`,
        limit: limit.limit,
        windowSeconds: limit.windowSeconds,
      },
    ]);

  router.openapi(requestPasswordResetRoute, async (c) => {
    const { email, redirectTo } = c.req.valid('json');
    await recoveryLimits(c, email);
    await settle(
      c,
      await forward(c, deps, { email, redirectTo: redirectTo ?? '/reset-password' }),
      StatusResult,
    );
    // One answer whatever happened, so it never tells whether the email has an account.
    return c.json({ status: true, message: 'If this email has an account, a reset link is on its way' }, 200);
  });

  router.openapi(resetPasswordRoute, async (c) => {
    const input = c.req.valid('json');
    await enforceRateLimits(c, deps, [
      {
        key: `reset-password:ip:${clientIp(c, deps.config)}`,
        limit: limit.limit,
        windowSeconds: limit.windowSeconds,
      },
    ]);
    const response = await forward(c, deps, input);
    if (response.status === 400) {
      const body = (await readJson(response)) as AuthErrorBody | null;
      if (body?.code === 'INVALID_TOKEN' || body?.code === 'USER_NOT_FOUND') {
        throw new AppError(
          'VALIDATION',
          'token: this reset link is used, expired or not ours; ask for a new one',
          {
            field: 'token',
          },
        );
      }
      throw toAppError(400, body ?? {});
    }
    return c.json(await settle(c, response, StatusResult), 200);
  });

  router.openapi({ ...sendVerificationRoute, middleware: [requireAuth(deps)] as const }, async (c) => {
    const user = await getMyProfile({ ctx: serviceContext(deps, c) });
    if (user.emailVerified) throw new AppError('CONFLICT', 'Your email address is already confirmed');
    await recoveryLimits(c, user.email);
    await settle(c, await forward(c, deps, { email: user.email, callbackURL: VERIFIED_PAGE }), StatusResult);
    return c.json({ status: true }, 200);
  });

  router.openapi(verifyEmailRoute, async (c) => {
    const { token, callbackURL } = c.req.valid('query');
    const fresh = await consumeEmailVerification({ ctx: serviceContext(deps, c), input: { token } });
    if (!fresh) {
      if (callbackURL) return c.redirect(appendQuery(callbackURL, { error: 'INVALID_TOKEN' }), 302);
      throw new AppError('VALIDATION', 'token: this link is used, expired or not ours', { field: 'token' });
    }
    const response = await forward(c, deps);
    if (response.status >= 400) await settle(c, response, z.unknown());
    return response;
  });

  // better-auth's own session endpoint must agree with ours: no session for a deleted user.
  router.get('/auth/get-session', async (c) => {
    const session = await resolveSession(deps.auth, deps.db, c.req.raw.headers);
    if (!session) return c.json(null, 200);
    const response = await forward(c, deps);
    if (response.status >= 400) await settle(c, response, z.unknown());
    // Reading the session above may have extended it; the browser must get the new cookie.
    const answer = new Response(response.body, response);
    for (const cookie of session.setCookies) answer.headers.append('Set-Cookie', cookie);
    return answer;
  });

  // Everything else better-auth serves (password change, session list, ...), errors mapped.
  router.on(['GET', 'POST'], '/auth/*', async (c) => {
    // Signing in or up only ever goes through the validated, rate-limited routes above.
    if (/\/sign-(in|up)\//i.test(c.req.path)) throw new AppError('NOT_FOUND', 'Not found');
    const response = await forward(c, deps);
    if (response.status >= 400) await settle(c, response, z.unknown());
    return response;
  });

  return router;
}
