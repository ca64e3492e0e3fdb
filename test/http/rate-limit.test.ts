import { beforeAll, describe, expect, it } from 'vitest';
import { requireAuth } from '../../src/http/middleware/require-auth';
import { actorKey, rateLimit } from '../../src/http/rate-limit';
import { buildTestApp, HttpClient, inProcess, newCredentials, type TestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';

const t = useTestDatabase();

let test: TestApp;
beforeAll(() => {
  test = buildTestApp(t);
  // The shape of "placing orders: 10 a minute per user", on a stand-in route.
  test.app.post(
    '/api/__orders',
    requireAuth({ db: t.db, auth: test.auth }),
    rateLimit(
      { db: t.db, now: test.clock.now },
      { limit: 10, windowSeconds: 60, key: (c) => actorKey('orders', c) },
    ),
    (c) => c.json({ placed: true }, 201),
  );
});

async function signedIn(): Promise<HttpClient> {
  const browser = new HttpClient(inProcess(test.app));
  expect((await browser.post('/api/auth/sign-up/email', newCredentials('orders'))).status).toBe(200);
  return browser;
}

async function hitsCounted(): Promise<number> {
  const { rows } = await t.sql<{ n: number }>(
    "SELECT coalesce(sum(count), 0)::int AS n FROM rate_limits WHERE key LIKE 'orders:%'",
  );
  return rows[0]?.n ?? -1;
}

describe('rateLimit middleware, per user', () => {
  it('allows 10 a minute per user, then 429 with headers, without touching other users', async () => {
    const alice = await signedIn();
    const bob = await signedIn();
    for (let i = 1; i <= 10; i++) {
      const res = await alice.post('/api/__orders', {});
      expect(res.status).toBe(201);
      expect(res.headers.get('x-ratelimit-remaining')).toBe(String(10 - i));
    }
    const refused = await alice.post('/api/__orders', {});
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-ratelimit-limit')).toBe('10');
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('LIMIT_EXCEEDED');

    expect((await bob.post('/api/__orders', {})).status).toBe(201);

    test.clock.advance(60_000);
    expect((await alice.post('/api/__orders', {})).status).toBe(201);
  });

  it('answers 401 before counting anything when nobody is signed in', async () => {
    const before = await hitsCounted();
    const res = await new HttpClient(inProcess(test.app)).post('/api/__orders', {});
    expect(res.status).toBe(401);
    expect(res.headers.get('x-ratelimit-limit')).toBeNull();
    expect(await hitsCounted()).toBe(before);
  });
});
