import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/http/app';
import { buildTestApp, HttpClient, inProcess, newCredentials } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';

const t = useTestDatabase();
let app: App;
beforeAll(() => {
  // A generous sign-in limit: this file tests authentication, not the limiter.
  app = buildTestApp(t, { env: { SIGN_IN_RATE_LIMIT: '1000' } }).app;
});

type ErrorJson = { error: { code: string; message: string; requestId: string; field?: string } };
type AuthJson = { user: { id: string; email: string; name: string | null } };

const client = () => new HttpClient(inProcess(app));

async function sessionCount(userId: string): Promise<number> {
  const { rows } = await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM sessions WHERE user_id = $1', [
    userId,
  ]);
  return rows[0]?.n ?? -1;
}

async function signUp(browser: HttpClient, credentials = newCredentials()) {
  const res = await browser.post('/api/auth/sign-up/email', credentials);
  expect(res.status).toBe(200);
  const body = (await res.json()) as AuthJson;
  return { credentials, userId: body.user.id, body };
}

describe('sign up → sign in → me → sign out', () => {
  it('walks the whole session life cycle', async () => {
    const browser = client();
    const { credentials, userId, body } = await signUp(browser);
    expect(body.user).toEqual({ id: userId, email: credentials.email, name: credentials.name });
    expect(JSON.stringify(body)).not.toMatch(/token/i);
    // Sign-up signs in: a session row exists and its cookie is set.
    expect(browser.cookie('alertsify.session_token')).toBeTruthy();
    expect(await sessionCount(userId)).toBe(1);

    const fresh = client();
    expect((await fresh.get('/api/me')).status).toBe(401);
    const signIn = await fresh.post('/api/auth/sign-in/email', {
      email: credentials.email,
      password: credentials.password,
    });
    expect(signIn.status).toBe(200);
    expect(((await signIn.json()) as AuthJson).user.id).toBe(userId);
    expect(await sessionCount(userId)).toBe(2);

    const me = await fresh.get('/api/me');
    expect(me.status).toBe(200);
    const profile = (await me.json()) as Record<string, unknown>;
    expect(profile).toMatchObject({
      id: userId,
      email: credentials.email,
      name: credentials.name,
      username: null,
      avatarUrl: null,
      bio: null,
      isTrader: false,
      traderVerifiedAt: null,
      unreadNotifications: 0,
    });
    expect(new Date(String(profile.createdAt)).getTime()).toBeGreaterThan(Date.now() - 60_000);

    // The users row is the seed's table, written through the field mapping.
    const { rows } = await t.sql<{ email: string; email_verified: boolean; avatar_url: string | null }>(
      'SELECT email, email_verified, avatar_url FROM users WHERE id = $1',
      [userId],
    );
    expect(rows[0]).toEqual({ email: credentials.email, email_verified: false, avatar_url: null });
    const account = await t.sql<{ provider_id: string; password: string }>(
      'SELECT provider_id, password FROM auth_accounts WHERE user_id = $1',
      [userId],
    );
    expect(account.rows[0]?.provider_id).toBe('credential');
    expect(account.rows[0]?.password).not.toContain(credentials.password);

    const signOut = await fresh.post('/api/auth/sign-out');
    expect(signOut.status).toBe(200);
    expect(await signOut.json()).toEqual({ success: true });
    expect(fresh.cookie('alertsify.session_token')).toBeUndefined();
    expect(await sessionCount(userId)).toBe(1);

    const after = await fresh.get('/api/me');
    expect(after.status).toBe(401);
    expect(((await after.json()) as ErrorJson).error.code).toBe('UNAUTHENTICATED');
    // The first browser is still signed in.
    expect((await browser.get('/api/me')).status).toBe(200);
  });

  it('refuses a stolen cookie replayed after sign-out', async () => {
    const browser = client();
    await signUp(browser);
    const cookie = browser.cookie('alertsify.session_token');
    expect((await browser.post('/api/auth/sign-out')).status).toBe(200);
    const replay = await app.request('/api/me', { headers: { cookie: `alertsify.session_token=${cookie}` } });
    expect(replay.status).toBe(401);
  });

  it('extends a session that is used near its end, and passes the refreshed cookie on', async () => {
    const browser = client();
    const { userId } = await signUp(browser);
    // As if signed in almost a week ago: one hour left.
    await t.sql(
      "UPDATE sessions SET expires = now() + interval '1 hour', updated_at = now() - interval '6 days' WHERE user_id = $1",
      [userId],
    );
    const me = await browser.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.headers.getSetCookie().some((c) => c.startsWith('alertsify.session_token='))).toBe(true);
    const { rows } = await t.sql<{ days: number }>(
      'SELECT extract(epoch FROM expires - now()) / 86400 AS days FROM sessions WHERE user_id = $1',
      [userId],
    );
    expect(Number(rows[0]?.days)).toBeGreaterThan(6.9);
  });

  it('does not let sign-in or sign-up bypass the validated routes through path variants', async () => {
    const { credentials } = await signUp(client());
    for (const path of ['/api/auth/sign-in/email/', '/api/auth/SIGN-IN/email', '/api/auth//sign-in/email']) {
      const res = await client().post(path, { email: credentials.email, password: credentials.password });
      expect(res.status, path).toBe(404);
    }
  });

  it('refuses a real token with a signature that is not ours, and a session past its expiry', async () => {
    const browser = client();
    const { userId } = await signUp(browser);
    const signed = decodeURIComponent(browser.cookie('alertsify.session_token') ?? '');
    const token = signed.slice(0, signed.lastIndexOf('.'));
    const wrong = encodeURIComponent(`${token}.${Buffer.alloc(32, 7).toString('base64')}`);
    const forged = await app.request('/api/me', { headers: { cookie: `alertsify.session_token=${wrong}` } });
    expect(forged.status).toBe(401);
    expect((await browser.get('/api/me')).status).toBe(200);
    await t.sql("UPDATE sessions SET expires = now() - interval '1 minute' WHERE user_id = $1", [userId]);
    expect((await browser.get('/api/me')).status).toBe(401);
  });

  it('refuses a forged session cookie', async () => {
    const res = await app.request('/api/me', {
      headers: { cookie: 'alertsify.session_token=forged.signature' },
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as ErrorJson).error.code).toBe('UNAUTHENTICATED');
  });

  it('refuses cookie-bearing auth requests from another origin', async () => {
    const browser = client();
    await signUp(browser);
    const evil = new HttpClient(inProcess(app), 'http://localhost', 'https://evil.example');
    const cookie = browser.cookie('alertsify.session_token') ?? '';
    const res = await evil.request('POST', '/api/auth/sign-out', {
      headers: { cookie: `alertsify.session_token=${cookie}` },
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as ErrorJson).error.code).toBe('FORBIDDEN');
    expect((await browser.get('/api/me')).status).toBe(200);
  });
});

describe('sign-in refusals', () => {
  it('answers a wrong password and an unknown email alike: 401, no session', async () => {
    const { credentials, userId } = await signUp(client());
    const before = await sessionCount(userId);
    for (const attempt of [
      { email: credentials.email, password: 'not the password' },
      { email: 'nobody-here@example.com', password: credentials.password },
    ]) {
      const browser = client();
      const res = await browser.post('/api/auth/sign-in/email', attempt);
      expect(res.status).toBe(401);
      const body = (await res.json()) as ErrorJson;
      expect(body.error).toMatchObject({ code: 'UNAUTHENTICATED', message: 'Invalid email or password' });
      expect(browser.cookie('alertsify.session_token')).toBeUndefined();
    }
    expect(await sessionCount(userId)).toBe(before);
  });

  it('refuses a duplicate email at sign-up (any letter case) with 409', async () => {
    const { credentials } = await signUp(client());
    for (const email of [credentials.email, credentials.email.toUpperCase()]) {
      const res = await client().post('/api/auth/sign-up/email', { ...credentials, email });
      expect(res.status, email).toBe(409);
      const body = (await res.json()) as ErrorJson;
      expect(body.error.code).toBe('CONFLICT');
      expect(body.error.field).toBe('email');
    }
    const { rows } = await t.sql<{ n: number }>(
      'SELECT count(*)::int AS n FROM users WHERE lower(email) = $1',
      [credentials.email.toLowerCase()],
    );
    expect(rows[0]?.n).toBe(1);
  });

  it('refuses bad sign-up input with 400 naming the field, creating nothing', async () => {
    const good = newCredentials('bad-input');
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...good, email: 'not-an-email' }, 'email'],
      [{ ...good, password: 'short' }, 'password'],
      [{ ...good, password: 'x'.repeat(129) }, 'password'],
      [{ ...good, name: '   ' }, 'name'],
      [{ email: good.email, password: good.password }, 'name'],
      [{ ...good, email: 42 }, 'email'],
    ];
    for (const [input, field] of cases) {
      const res = await client().post('/api/auth/sign-up/email', input);
      expect(res.status, JSON.stringify(input)).toBe(400);
      const body = (await res.json()) as ErrorJson;
      expect(body.error.code).toBe('VALIDATION');
      expect(body.error.field).toBe(field);
      expect(body.error.message).toMatch(new RegExp(`^${field}: `));
    }
    const { rows } = await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM users WHERE email = $1', [
      good.email,
    ]);
    expect(rows[0]?.n).toBe(0);
  });

  it('ignores fields a client may not set at sign-up', async () => {
    const { userId } = await signUp(client(), {
      ...newCredentials('sneaky'),
      image: 'https://evil.example/x.png',
      emailVerified: true,
    } as ReturnType<typeof newCredentials>);
    const { rows } = await t.sql<{ avatar_url: string | null; email_verified: boolean }>(
      'SELECT avatar_url, email_verified FROM users WHERE id = $1',
      [userId],
    );
    expect(rows[0]).toEqual({ avatar_url: null, email_verified: false });
  });
});

describe('soft-deleted users', () => {
  it('cannot sign in: answered like a wrong password, and no session row is created', async () => {
    const browser = client();
    const { credentials, userId } = await signUp(browser);
    expect((await browser.post('/api/auth/sign-out')).status).toBe(200);
    expect(await sessionCount(userId)).toBe(0);

    await t.sql('UPDATE users SET deleted_at = now() WHERE id = $1', [userId]);
    const res = await client().post('/api/auth/sign-in/email', {
      email: credentials.email,
      password: credentials.password,
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as ErrorJson).error).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'Invalid email or password',
    });
    expect(await sessionCount(userId)).toBe(0);
  });

  it('lose a session they held before being deleted', async () => {
    const browser = client();
    const { userId } = await signUp(browser);
    expect((await browser.get('/api/me')).status).toBe(200);
    const session = await browser.get('/api/auth/get-session');
    expect(((await session.json()) as { user: { id: string } }).user.id).toBe(userId);

    await t.sql('UPDATE users SET deleted_at = now() WHERE id = $1', [userId]);
    const me = await browser.get('/api/me');
    expect(me.status).toBe(401);
    expect(((await me.json()) as ErrorJson).error.code).toBe('UNAUTHENTICATED');
    // better-auth's own session endpoint agrees.
    const after = await browser.get('/api/auth/get-session');
    expect(after.status).toBe(200);
    expect(await after.json()).toBeNull();
  });
});
