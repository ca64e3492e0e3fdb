import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { HttpBindings } from '@hono/node-server';
import { pino } from 'pino';
import { type Auth, createAuth } from '../../src/auth';
import { createFixedQuotes, type FixedQuotes } from '../../src/broker/paper/quotes';
import { type Config, generateVapidKeys, loadConfig } from '../../src/config';
import type { Database } from '../../src/db/client';
import { type App, createApp } from '../../src/http/app';
import { createLogger, type Logger } from '../../src/logger';
import { buildTradingDeps } from '../../src/runtime';
import type { LiveHub } from '../../src/services/live/hub';
import type { TradingDeps } from '../../src/services/trading/deps';
import type { TestDatabase } from './db';

/** The public URL test configs use; the auth layer trusts this origin only. */
export const TEST_PUBLIC_URL = 'http://localhost:3000';

/** The VAPID identity of test servers (one per test process). */
export const TEST_VAPID = { ...generateVapidKeys(), subject: 'mailto:push-tests@alertsify.test' };

/**
 * A config as `loadConfig` builds it, with secrets given (so no secrets file is written), a
 * throwaway data directory and silent logs. `env` overrides any variable.
 */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PUBLIC_URL: TEST_PUBLIC_URL,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'alertsify-test-data-')),
    AUTH_SECRET: randomBytes(32).toString('base64url'),
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    VAPID_PUBLIC_KEY: TEST_VAPID.publicKey,
    VAPID_PRIVATE_KEY: TEST_VAPID.privateKey,
    VAPID_SUBJECT: TEST_VAPID.subject,
    ...env,
  });
}

export const silentLogger = (): Logger => createLogger({ logLevel: 'silent' });

/** A logger whose JSON lines are kept in `lines`, to assert what is (not) logged. */
export function capturingLogger(): {
  log: Logger;
  lines: string[];
  records: () => Record<string, unknown>[];
} {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const log = pino({ level: 'debug', base: undefined }, sink);
  return { log, lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

/** A clock tests move by hand. */
export class TestClock {
  current: Date;
  constructor(start = new Date()) {
    this.current = new Date(start.getTime());
  }
  now = (): Date => new Date(this.current.getTime());
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** The Node bindings an in-process request lacks: a socket with a remote address. */
export function peerBindings(ip: string): Partial<HttpBindings> {
  return { incoming: { socket: { remoteAddress: ip } } } as unknown as Partial<HttpBindings>;
}

export type TestApp = {
  app: App;
  auth: Auth;
  config: Config;
  clock: TestClock;
  log: Logger;
  /** The paper broker's quotes, set by hand in tests. */
  quotes: FixedQuotes;
  trading: TradingDeps;
};

/** Trading over the paper broker with hand-set quotes, on the given clock. */
export function testTrading(db: Database, config: Config, now: () => Date, quotes = createFixedQuotes()) {
  return { quotes, trading: buildTradingDeps({ db, config, now, quotes }) };
}

/** Each test app's database, for helpers given only the app (see confirmEmail). */
const databaseOfApp = new WeakMap<App, TestDatabase>();

export function testDatabaseOf(app: App): TestDatabase {
  const database = databaseOfApp.get(app);
  if (!database) throw new Error('not an app built by buildTestApp');
  return database;
}

/** The real app over this file's database, with an injected clock. */
export function buildTestApp(
  t: TestDatabase,
  options: {
    env?: Record<string, string>;
    log?: Logger;
    clock?: TestClock;
    trading?: TradingDeps;
    /** A live event hub for `/api/events` (test/helpers/live-server.ts starts one). */
    live?: LiveHub;
  } = {},
): TestApp {
  const config = testConfig(options.env);
  const clock = options.clock ?? new TestClock();
  const log = options.log ?? silentLogger();
  const auth = createAuth({ db: t.db, config, log, now: clock.now });
  const { quotes, trading } = testTrading(t.db, config, clock.now);
  const app = createApp({
    db: t.db,
    config,
    log,
    now: clock.now,
    auth,
    trading: options.trading ?? trading,
    live: options.live,
  });
  databaseOfApp.set(app, t);
  return { app, auth, config, clock, log, quotes, trading: options.trading ?? trading };
}

export type Fetcher = (url: string, init: RequestInit) => Response | Promise<Response>;

/** In-process requests to `app`, appearing to come from `ip`. */
export function inProcess(app: App, ip = '203.0.113.7'): Fetcher {
  return (url, init) => app.request(url, init, peerBindings(ip));
}

/**
 * A small browser stand-in: keeps the cookies the server sets, sends them back, and sends the
 * app's `Origin` like a browser on the app's page would.
 */
export class HttpClient {
  private readonly cookies = new Map<string, string>();

  constructor(
    private readonly fetcher: Fetcher,
    private readonly baseUrl = 'http://localhost',
    private readonly origin: string | undefined = TEST_PUBLIC_URL,
  ) {}

  async request(
    method: string,
    path: string,
    options: { json?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const headers = new Headers(options.headers);
    if (this.cookies.size > 0) {
      headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    }
    if (this.origin && method !== 'GET') headers.set('origin', this.origin);
    let body: string | undefined;
    if (options.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(options.json);
    }
    const response = await this.fetcher(`${this.baseUrl}${path}`, { method, headers, body });
    this.remember(response);
    return response;
  }

  get(path: string, headers?: Record<string, string>): Promise<Response> {
    return this.request('GET', path, { headers });
  }

  post(path: string, json?: unknown): Promise<Response> {
    return this.request('POST', path, { json });
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  /** Every cookie held, to hand the session to a real browser. */
  allCookies(): Array<{ name: string; value: string }> {
    return [...this.cookies].map(([name, value]) => ({ name, value }));
  }

  private remember(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const expired = attributes.some((a) => /^max-age=(0|-\d+)$/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

export type Credentials = { email: string; password: string; name: string };

let userCounter = 0;
/** Fresh, valid sign-up input; unique per call within a file. */
export function newCredentials(prefix = 'user'): Credentials {
  userCounter += 1;
  return {
    email: `${prefix}-${userCounter}-${randomBytes(3).toString('hex')}@example.com`,
    password: 'correct horse battery staple',
    name: `${prefix} ${userCounter}`,
  };
}
