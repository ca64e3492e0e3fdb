import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, type Startable, startServer } from '../../src/server';
import { HttpClient, newCredentials, silentLogger, testConfig } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';

const t = useTestDatabase();

describe('startServer over real HTTP', () => {
  let server: RunningServer;
  const events: string[] = [];
  const worker: Startable = {
    name: 'recording worker',
    start: async (deps) => {
      const { rows } = await deps.pool.query<{ ok: number }>('SELECT 1 AS ok');
      events.push(`start:${rows[0]?.ok}`);
    },
    stop: async () => {
      events.push('stop');
    },
  };

  beforeAll(async () => {
    const config = testConfig({ DATABASE_URL: t.url, HOST: '127.0.0.1', PORT: '0' });
    server = await startServer({ config, log: silentLogger(), startables: [worker], staticDir: null });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('listens on the port it was given (0: any free one) and reports health from the database', async () => {
    expect(server.url).toMatch(/^http:\/\/localhost:\d+$/);
    expect(server.url).not.toMatch(/:0$/);
    const res = await fetch(`${server.url}/api/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(await res.json()).toMatchObject({ status: 'ok', database: 'up' });
    expect(events).toEqual(['start:1']);
  });

  it('signs up, signs in and out with cookies over the wire', async () => {
    const credentials = newCredentials('wire');
    const signUp = await new HttpClient(fetch, server.url).post('/api/auth/sign-up/email', credentials);
    expect(signUp.status).toBe(200);
    const cookieLine = signUp.headers.getSetCookie().find((c) => c.startsWith('alertsify.session_token='));
    expect(cookieLine).toMatch(/HttpOnly/i);
    expect(cookieLine).toMatch(/SameSite=Lax/i);

    const browser = new HttpClient(fetch, server.url);
    // Forwarding headers are not trusted: anyone can send them.
    const signIn = await browser.request('POST', '/api/auth/sign-in/email', {
      json: { email: credentials.email, password: credentials.password },
      headers: { 'x-forwarded-for': '6.6.6.6', 'x-alertsify-client-ip': '6.6.6.6' },
    });
    expect(signIn.status).toBe(200);
    // The limiter saw the real peer address of the socket.
    expect(signIn.headers.get('x-ratelimit-remaining')).toBe('9');
    const { rows } = await t.sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM rate_limits WHERE key = 'sign-in:ip:127.0.0.1'",
    );
    expect(rows[0]?.n).toBe(1);

    const me = await browser.get('/api/me');
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ email: credentials.email, name: credentials.name });

    const sessions = await t.sql<{ ip_address: string }>(
      'SELECT s.ip_address FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1',
      [credentials.email],
    );
    expect(sessions.rows.map((r) => r.ip_address)).toEqual(['127.0.0.1', '127.0.0.1']);

    expect((await browser.post('/api/auth/sign-out')).status).toBe(200);
    expect((await browser.get('/api/me')).status).toBe(401);
  });

  it('stops: closes the server, stops background parts, and is safe to call twice', async () => {
    await server.stop();
    await server.stop();
    expect(events).toEqual(['start:1', 'stop']);
    await expect(fetch(`${server.url}/api/health`)).rejects.toThrow();
  });
});
