import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, HttpClient, inProcess, newCredentials, type TestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';

const t = useTestDatabase();
const LIMIT = 3;
const WINDOW_SECONDS = 60;

let test: TestApp;
beforeAll(() => {
  test = buildTestApp(t, {
    env: { SIGN_IN_RATE_LIMIT: String(LIMIT), SIGN_IN_RATE_WINDOW_SECONDS: String(WINDOW_SECONDS) },
  });
});

type ErrorJson = { error: { code: string; message: string; requestId: string } };

const browser = (ip: string) => new HttpClient(inProcess(test.app, ip));

async function registered() {
  const credentials = newCredentials('limited');
  const res = await browser('198.51.100.250').post('/api/auth/sign-up/email', credentials);
  expect(res.status).toBe(200);
  return credentials;
}

const epochSeconds = (date: Date) => Math.ceil(date.getTime() / 1000);

describe('sign-in rate limit', () => {
  it('refuses the attempt after N for one email (from any address) with 429 and the limit headers', async () => {
    const credentials = await registered();
    const windowEnd = new Date(test.clock.current.getTime() + WINDOW_SECONDS * 1000);
    for (let attempt = 1; attempt <= LIMIT; attempt++) {
      const res = await browser(`192.0.2.${attempt}`).post('/api/auth/sign-in/email', {
        email: credentials.email,
        password: 'wrong password',
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('x-ratelimit-limit')).toBe(String(LIMIT));
      expect(res.headers.get('x-ratelimit-remaining')).toBe(String(LIMIT - attempt));
      expect(res.headers.get('x-ratelimit-reset')).toBe(String(epochSeconds(windowEnd)));
    }

    // Even the right password is refused now, without being checked.
    const refused = await browser('192.0.2.99').post('/api/auth/sign-in/email', {
      email: credentials.email.toUpperCase(),
      password: credentials.password,
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-ratelimit-limit')).toBe(String(LIMIT));
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('x-ratelimit-reset')).toBe(String(epochSeconds(windowEnd)));
    expect(Number(refused.headers.get('retry-after'))).toBe(WINDOW_SECONDS);
    expect(refused.headers.get('x-request-id')).toBeTruthy();
    const body = (await refused.json()) as ErrorJson;
    expect(body.error.code).toBe('LIMIT_EXCEEDED');
    expect(body.error.requestId).toBe(refused.headers.get('x-request-id'));
    expect(refused.headers.getSetCookie()).toHaveLength(0);
  });

  it('refuses the attempt after N from one address, whatever the emails', async () => {
    const ip = '192.0.2.200';
    for (let attempt = 1; attempt <= LIMIT; attempt++) {
      const res = await browser(ip).post('/api/auth/sign-in/email', {
        email: `someone-${attempt}@example.com`,
        password: 'whatever',
      });
      expect(res.status).toBe(401);
    }
    const refused = await browser(ip).post('/api/auth/sign-in/email', {
      email: 'yet-another@example.com',
      password: 'whatever',
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    // Another address is not affected.
    const elsewhere = await browser('192.0.2.201').post('/api/auth/sign-in/email', {
      email: 'yet-another@example.com',
      password: 'whatever',
    });
    expect(elsewhere.status).toBe(401);
  });

  it('lets the user in again once the window has passed', async () => {
    const credentials = await registered();
    const ip = '192.0.2.150';
    for (let attempt = 1; attempt <= LIMIT; attempt++) {
      await browser(ip).post('/api/auth/sign-in/email', { email: credentials.email, password: 'wrong' });
    }
    const blocked = await browser(ip).post('/api/auth/sign-in/email', credentials);
    expect(blocked.status).toBe(429);

    test.clock.advance(20_000);
    const stillBlocked = await browser(ip).post('/api/auth/sign-in/email', credentials);
    expect(stillBlocked.status).toBe(429);
    expect(Number(stillBlocked.headers.get('retry-after'))).toBe(WINDOW_SECONDS - 20);

    test.clock.advance((WINDOW_SECONDS - 20) * 1000);
    const client = browser(ip);
    const allowed = await client.post('/api/auth/sign-in/email', credentials);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('x-ratelimit-remaining')).toBe(String(LIMIT - 1));
    expect((await client.get('/api/me')).status).toBe(200);
  });

  it('does not count requests refused as invalid input', async () => {
    const ip = '192.0.2.77';
    for (let i = 0; i < LIMIT + 2; i++) {
      const res = await browser(ip).post('/api/auth/sign-in/email', { email: 'not-an-email', password: 'x' });
      expect(res.status).toBe(400);
    }
    const { rows } = await t.sql('SELECT 1 FROM rate_limits WHERE key = $1', [`sign-in:ip:${ip}`]);
    expect(rows).toHaveLength(0);
  });
});
