import { createHmac, timingSafeEqual } from 'node:crypto';
import { APIError, BASE_ERROR_CODES, betterAuth } from 'better-auth';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import type { Config } from './config';
import type { Database } from './db/client';
import { authAccounts, authVerifications, sessions, users } from './db/schema';
import { enqueue } from './jobs/queue';
import type { Logger } from './logger';
import type { RateLimitResult } from './services/limits/consume-rate-limit';
import { passwordResetMail, verificationMail } from './services/mail/messages';
import { recordVerificationToken } from './services/users/email-verification';
import {
  findActiveSession,
  findActiveSessionCountingHit,
  type SessionRateLimit,
} from './services/users/find-active-session';
import { isUserActive } from './services/users/is-user-active';

/** Cookies are named `alertsify.session_token` and so on. */
export const AUTH_COOKIE_PREFIX = 'alertsify';
export const SESSION_COOKIE_NAME = `${AUTH_COOKIE_PREFIX}.session_token`;
export const AUTH_BASE_PATH = '/api/auth';
/**
 * The client address, set by our HTTP layer from the socket (any value a client sends is
 * replaced). better-auth records it on the session; it never reads a client-controlled header.
 */
export const CLIENT_IP_HEADER = 'x-alertsify-client-ip';

/** How long the links in verification and reset emails work. */
export const EMAIL_VERIFICATION_HOURS = 24;
export const PASSWORD_RESET_HOURS = 1;

export type AuthDeps = {
  db: Database;
  config: Pick<Config, 'authSecret' | 'publicUrl'>;
  log: Logger;
  /** The clock our own token records use (better-auth's tokens keep the system clock). */
  now?: () => Date;
};

/**
 * The drizzle adapter addresses a table by its key in `schema` (= `modelName`) and a column by
 * its drizzle property name (= the value in `fields`), never by the SQL column name. The keys
 * here are the SQL table names so the mapping below reads like the database.
 */
const authSchema = {
  users,
  sessions,
  auth_accounts: authAccounts,
  auth_verifications: authVerifications,
};

/** better-auth reads these at request time; nothing may report usage to a third party. */
function silenceTelemetry(log: Logger): void {
  for (const name of ['BETTER_AUTH_TELEMETRY', 'BETTER_AUTH_TELEMETRY_ENDPOINT']) {
    if (process.env[name] !== undefined) {
      log.warn({ variable: name }, 'ignoring better-auth telemetry setting: telemetry stays off');
      delete process.env[name];
    }
  }
}

/** Email + password authentication with database sessions in the seed's `sessions` table. */
export function createAuth({ db, config, log, now = () => new Date() }: AuthDeps) {
  silenceTelemetry(log);
  const authLog = log.child({ component: 'better-auth' });
  return betterAuth({
    appName: 'Alertsify',
    secret: config.authSecret,
    baseURL: config.publicUrl,
    basePath: AUTH_BASE_PATH,
    trustedOrigins: [new URL(config.publicUrl).origin],
    telemetry: { enabled: false },
    // Our own limiter (rate_limits table) guards sign-in; see src/http/routes/auth.ts.
    rateLimit: { enabled: false },
    database: drizzleAdapter(db, { provider: 'pg', schema: authSchema }),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: 8,
      maxPasswordLength: 128,
      autoSignIn: true,
      resetPasswordTokenExpiresIn: PASSWORD_RESET_HOURS * 3600,
      // Nobody is signed in while resetting, so this ends every session the account had.
      revokeSessionsOnPasswordReset: true,
      sendResetPassword: async ({ user, url }) => {
        await enqueue(db, 'send-email', passwordResetMail(user, url, PASSWORD_RESET_HOURS));
      },
    },
    emailVerification: {
      sendOnSignUp: true,
      expiresIn: EMAIL_VERIFICATION_HOURS * 3600,
      sendVerificationEmail: async ({ user, url, token }) => {
        const expiresAt = new Date(now().getTime() + EMAIL_VERIFICATION_HOURS * 3_600_000);
        await recordVerificationToken(db, { userId: user.id, token, expiresAt });
        await enqueue(db, 'send-email', verificationMail(user, url, EMAIL_VERIFICATION_HOURS));
      },
    },
    user: {
      modelName: 'users',
      fields: { image: 'avatarUrl', emailVerified: 'emailVerified' },
    },
    session: {
      modelName: 'sessions',
      fields: { token: 'sessionToken', expiresAt: 'expires' },
    },
    // better-auth's default field names (userId, accountId, providerId, password, ...) are
    // already the drizzle property names of these tables.
    account: { modelName: 'auth_accounts' },
    verification: { modelName: 'auth_verifications' },
    databaseHooks: {
      session: {
        create: {
          // Every way of obtaining a session passes here: a soft-deleted user gets none, and the
          // answer is the same as for a wrong password.
          before: async (session) => {
            if (!(await isUserActive({ ctx: { db }, input: { userId: session.userId } }))) {
              throw APIError.from('UNAUTHORIZED', BASE_ERROR_CODES.INVALID_EMAIL_OR_PASSWORD);
            }
          },
        },
      },
    },
    advanced: {
      cookiePrefix: AUTH_COOKIE_PREFIX,
      // better-auth turns these checks off when NODE_ENV=test; we test what production runs.
      disableOriginCheck: false,
      disableCSRFCheck: false,
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
    },
    logger: {
      // At 'debug' (or 'warn'/'error') better-auth also prints every refusal to stderr itself.
      level: 'info',
      log: (level, message, ...args) => {
        const fields = args.length > 0 ? { args } : {};
        // A failed sign-in is a user mistake, not a server warning.
        if (level === 'warn') authLog.info(fields, message);
        else authLog[level](fields, message);
      },
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;

/** better-auth's own password check, for confirming a sensitive action with the password. */
export function passwordVerifier(auth: Auth) {
  return async (input: { hash: string; password: string }): Promise<boolean> =>
    (await auth.$context).password.verify(input);
}

export type ResolvedSession = {
  userId: string;
  sessionId: string;
  /** Cookies better-auth set while reading the session (a refreshed expiry): pass them on. */
  setCookies: string[];
  /** The hit counted on the rate limit asked for, when it was counted with the lookup. */
  rateLimit?: RateLimitResult;
};

/** A per-user rate limit to count with the session lookup, on the rate limits' clock. */
export type SessionCounting = { rule: SessionRateLimit; now: () => Date };

/**
 * The session behind a request's cookie, if it is valid and its user still active. A session of
 * a user soft-deleted after signing in is refused here.
 */
export async function resolveSession(
  auth: Auth,
  db: Database,
  headers: Headers,
  counting?: SessionCounting,
): Promise<ResolvedSession | null> {
  const fast = await resolveSessionFast(auth, db, headers, counting);
  if (fast) return fast;
  const { response: found, headers: answered } = await auth.api.getSession({ headers, returnHeaders: true });
  if (!found) return null;
  if (!(await isUserActive({ ctx: { db }, input: { userId: found.user.id } }))) return null;
  return { userId: found.user.id, sessionId: found.session.id, setCookies: answered.getSetCookie() };
}

/** A cookie's value from a Cookie header, URL-decoded. */
function cookieValue(header: string, name: string): string | undefined {
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * The common case in one prepared statement: a correctly signed session cookie whose session is
 * valid, belongs to an active user and is not yet due for better-auth's expiry refresh. Anything
 * else (no or forged cookie, an unknown or expired session, a refresh due, a "don't remember me"
 * session) returns undefined and goes through better-auth itself, which answers it as always.
 * The signature is better-auth's: HMAC-SHA256 of the token with the auth secret, base64.
 */
async function resolveSessionFast(
  auth: Auth,
  db: Database,
  headers: Headers,
  counting?: SessionCounting,
): Promise<ResolvedSession | undefined> {
  const cookieHeader = headers.get('cookie');
  if (!cookieHeader) return undefined;
  const context = await auth.$context;
  const cookies = context.authCookies;
  if (cookieValue(cookieHeader, cookies.dontRememberToken.name) !== undefined) return undefined;
  const signed = cookieValue(cookieHeader, cookies.sessionToken.name);
  const dot = signed?.lastIndexOf('.') ?? -1;
  if (!signed || dot < 1) return undefined;
  const token = signed.slice(0, dot);
  const signature = Buffer.from(signed.slice(dot + 1), 'base64');
  const expected = createHmac('sha256', context.secret).update(token).digest();
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return undefined;
  const { expiresIn, updateAge } = context.sessionConfig;
  const now = Date.now();
  // This path answers a session expiring after both now and its refresh threshold (a refresh is
  // due once expires - expiresIn + updateAge <= now); anything else goes on to better-auth.
  const validAfter = new Date(Math.max(now, now + (expiresIn - updateAge) * 1000));
  if (counting) {
    // One round trip for the session and the route's rate limit, counted only for a session
    // this path answers; otherwise the limit is counted after better-auth, as before.
    const session = await findActiveSessionCountingHit({
      ctx: { db, now: counting.now },
      input: { token, validAfter, rule: counting.rule },
    });
    if (!session) return undefined;
    return { userId: session.userId, sessionId: session.id, setCookies: [], rateLimit: session.rateLimit };
  }
  const session = await findActiveSession({ ctx: { db }, input: { token } });
  if (!session || session.expires <= validAfter) return undefined;
  return { userId: session.userId, sessionId: session.id, setCookies: [] };
}
