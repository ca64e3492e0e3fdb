import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb, createPool } from '../../src/db/client';
import { createApp } from '../../src/http/app';
import { buildTestApp, capturingLogger, silentLogger, testConfig, testTrading } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';

const t = useTestDatabase();

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error()),
      );
    });
  });
}

type ErrorJson = { error: { code: string; message: string; requestId: string; field?: string } };

describe('GET /api/health', () => {
  it('answers ok with the version after querying the database', async () => {
    const { app, config } = buildTestApp(t);
    const res = await app.request('/api/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', version: config.version, database: 'up' });
  });

  it('answers 503 degraded when the database cannot be reached', async () => {
    const pool = createPool(`postgres://postgres@127.0.0.1:${await closedPort()}/nothing`, 1);
    try {
      const config = testConfig();
      const db = createDb(pool);
      const app = createApp({
        db,
        config,
        log: silentLogger(),
        trading: testTrading(db, config, () => new Date()).trading,
      });
      const res = await app.request('/api/health');
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'degraded', version: config.version, database: 'down' });
    } finally {
      await pool.end();
    }
  });
});

describe('routing and request ids', () => {
  it('answers unknown /api paths with a 404 JSON error', async () => {
    const { app } = buildTestApp(t);
    for (const [method, path] of [
      ['GET', '/api/nope'],
      ['POST', '/api/orders/does-not-exist'],
      ['GET', '/api'],
    ] as const) {
      const res = await app.request(path, { method });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      const body = (await res.json()) as ErrorJson;
      expect(body.error.code).toBe('NOT_FOUND');
      expect(body.error.requestId).toBe(res.headers.get('x-request-id'));
    }
  });

  it('echoes a sane incoming X-Request-Id and replaces an unsafe one', async () => {
    const { app } = buildTestApp(t);
    const kept = await app.request('/api/health', { headers: { 'X-Request-Id': 'client-abc.123:7' } });
    expect(kept.headers.get('x-request-id')).toBe('client-abc.123:7');

    for (const unsafe of ['has spaces', 'x'.repeat(200), 'semi;colon', '<script>', '../etc/passwd']) {
      const res = await app.request('/api/health', { headers: { 'X-Request-Id': unsafe } });
      const id = res.headers.get('x-request-id');
      expect(id).not.toBe(unsafe);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }

    const generated = await app.request('/api/nope');
    const body = (await generated.json()) as ErrorJson;
    expect(body.error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated.headers.get('x-request-id')).toBe(body.error.requestId);
  });

  it('logs one line per request with method, path, status, duration and request id, never cookies', async () => {
    const capture = capturingLogger();
    const { app } = buildTestApp(t, { log: capture.log });
    await app.request('/api/health?token=secret-query', {
      headers: { 'X-Request-Id': 'log-test-1', cookie: 'alertsify.session_token=very-secret-cookie' },
    });
    const requestLines = capture.records().filter((r) => r.msg === 'request');
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({
      method: 'GET',
      path: '/api/health',
      status: 200,
      requestId: 'log-test-1',
    });
    expect(typeof requestLines[0]?.durationMs).toBe('number');
    expect(capture.lines.join('\n')).not.toContain('very-secret-cookie');
    expect(capture.lines.join('\n')).not.toContain('secret-query');
  });
});

describe('error mapping', () => {
  it('never leaks the message of an unexpected error, and logs it', async () => {
    const capture = capturingLogger();
    const { app } = buildTestApp(t, { log: capture.log });
    app.get('/api/__boom', () => {
      throw new Error('password=hunter2 at db-primary.internal');
    });
    const res = await app.request('/api/__boom', { headers: { 'X-Request-Id': 'boom-1' } });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('hunter2');
    expect(JSON.parse(text)).toEqual({
      error: { code: 'INTERNAL', message: 'Internal server error', requestId: 'boom-1' },
    });
    const logged = capture.records().find((r) => r.msg === 'request failed');
    expect(JSON.stringify(logged)).toContain('hunter2');
  });

  it('maps every error code to its status with the documented body', async () => {
    const { AppError } = await import('../../src/errors');
    const { app } = buildTestApp(t);
    const expected = {
      VALIDATION: 400,
      UNAUTHENTICATED: 401,
      FORBIDDEN: 403,
      NOT_FOUND: 404,
      CONFLICT: 409,
      PRECONDITION_FAILED: 422,
      BROKER_REJECTED: 422,
      LIMIT_EXCEEDED: 429,
      INTERNAL: 500,
    } as const;
    app.get('/api/__fail/:code', (c) => {
      const code = c.req.param('code') as keyof typeof expected;
      throw new AppError(code, `deliberate ${code}`, code === 'VALIDATION' ? { field: 'legs.0.strike' } : {});
    });
    for (const [code, status] of Object.entries(expected)) {
      const res = await app.request(`/api/__fail/${code}`);
      expect(res.status, code).toBe(status);
      const body = (await res.json()) as ErrorJson;
      expect(body.error.code).toBe(code);
      expect(body.error.message).toBe(code === 'INTERNAL' ? 'Internal server error' : `deliberate ${code}`);
      if (code === 'VALIDATION') expect(body.error.field).toBe('legs.0.strike');
      else expect(body.error.field).toBeUndefined();
    }
  });

  it('answers malformed JSON and a wrong content type with 400 VALIDATION', async () => {
    const { app } = buildTestApp(t);
    const malformed = await app.request('/api/auth/sign-up/email', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email": "a@b.c", ',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as ErrorJson).error).toMatchObject({ code: 'VALIDATION' });

    const wrongType = await app.request('/api/auth/sign-up/email', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(wrongType.status).toBe(400);
    expect(((await wrongType.json()) as ErrorJson).error.code).toBe('VALIDATION');
  });

  it('names the field at fault when request validation fails', async () => {
    const { app } = buildTestApp(t);
    const res = await app.request('/api/auth/sign-in/email', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'someone@example.com' }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorJson;
    expect(body.error.code).toBe('VALIDATION');
    expect(body.error.field).toBe('password');
    expect(body.error.message).toContain('password');
  });
});

describe('GET /api/openapi.json', () => {
  it('serves an OpenAPI 3.1 document listing health, me and the auth endpoints', async () => {
    const { app, config } = buildTestApp(t);
    const res = await app.request('/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      info: { version: string };
      paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown }>>;
      components: {
        schemas: Record<string, unknown>;
        securitySchemes: Record<string, { in: string; name: string }>;
      };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe(config.version);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/health',
        '/api/me',
        '/api/auth/sign-up/email',
        '/api/auth/sign-in/email',
        '/api/auth/sign-out',
      ]),
    );
    expect(Object.keys(doc.paths['/api/health']?.get?.responses ?? {})).toEqual(['200', '503']);
    expect(doc.paths['/api/me']?.get?.security).toEqual([{ sessionCookie: [] }]);
    expect(doc.paths['/api/auth/sign-in/email']?.post?.responses).toHaveProperty('429');
    expect(doc.components.schemas).toHaveProperty('Error');
    expect(doc.components.securitySchemes.sessionCookie).toMatchObject({
      in: 'cookie',
      name: 'alertsify.session_token',
    });
  });
});

describe('the built web app', () => {
  const webDir = mkdtempSync(join(tmpdir(), 'alertsify-web-'));
  mkdirSync(join(webDir, 'assets'));
  writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>Alertsify SPA</title>');
  writeFileSync(join(webDir, 'assets', 'app.js'), 'console.log("app");');
  afterAll(() => rmSync(webDir, { recursive: true, force: true }));

  it('serves files, falls back to index.html for client routes, and keeps /api errors JSON', async () => {
    const config = testConfig();
    const { trading } = testTrading(t.db, config, () => new Date());
    const app = createApp({ db: t.db, config, log: silentLogger(), staticDir: webDir, trading });
    const asset = await app.request('/assets/app.js');
    expect(asset.status).toBe(200);
    expect(await asset.text()).toContain('console.log("app")');

    for (const path of ['/', '/traders/someone', '/settings']) {
      const page = await app.request(path);
      expect(page.status, path).toBe(200);
      expect(await page.text()).toContain('Alertsify SPA');
    }

    const api = await app.request('/api/not-a-route');
    expect(api.status).toBe(404);
    expect(((await api.json()) as ErrorJson).error.code).toBe('NOT_FOUND');
  });
});
