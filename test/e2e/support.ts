/**
 * What every browser journey needs: the real server (workers included) on the file's own
 * database, a Chromium, users seeded through the API and handed to a browser context as a
 * signed-in session, accessibility checks and screenshots.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { loadConfig } from '../../src/config';
import { enqueue } from '../../src/jobs/queue';
import { jobWorkers } from '../../src/jobs/worker-startable';
import { createLogger } from '../../src/logger';
import { OUTBOX_FOLDER } from '../../src/mail/mailer';
import { buildTradingDeps } from '../../src/runtime';
import { type RunningServer, startServer } from '../../src/server';
import { HttpClient, newCredentials } from '../helpers/app';
import { launchBrowser } from '../helpers/browser';
import { type TestDatabase, useTestDatabase } from '../helpers/db';
import { freePort } from '../helpers/ports';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RESULTS_DIR = join(REPO_ROOT, 'test-results', 'e2e');

/** Every wait in a page is bounded, so a broken screen fails in seconds instead of hanging. */
export const PAGE_TIMEOUT_MS = 10_000;
export const JOURNEY_TIMEOUT_MS = 90_000;
export const SETUP_TIMEOUT_MS = 180_000;

/**
 * Features other branches bring, probed in the API's own document (read once by the global
 * setup): their journeys run by themselves once the routes exist.
 */
const servedPaths = new Set(inject('apiPaths'));
export const liveEventsAvailable = servedPaths.has('/api/events');
export const tradersListAvailable = servedPaths.has('/api/traders');

export type Journey = {
  baseUrl: string;
  browser: Browser;
  db: TestDatabase;
  /** The server's data folder: its development mail outbox is under it. */
  dataDir: string;
  /** Run a periodic job now instead of at its minute (lapsing approvals). */
  runJob(name: 'lapse-approvals'): Promise<void>;
  stop(): Promise<void>;
};

export async function startJourney(
  t: TestDatabase,
  options: { approvalWindowMs?: number; env?: Record<string, string> } = {},
): Promise<Journey> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'alertsify-e2e-'));
  mkdirSync(RESULTS_DIR, { recursive: true });
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: t.url,
    HOST: '127.0.0.1',
    PORT: String(port),
    // better-auth accepts a POST only from this origin: the one the browser uses.
    PUBLIC_URL: baseUrl,
    DATA_DIR: dataDir,
    AUTH_SECRET: randomBytes(32).toString('base64url'),
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    WORKER_CONCURRENCY: '2',
    ...options.env,
  });
  const { approvalWindowMs } = options;
  const log = createLogger(config);
  const [browser, server] = await Promise.all([
    launchBrowser(),
    startServer({
      config,
      log,
      startables: [jobWorkers()],
      // Brokers as configured, unless the approval window is shortened for the test.
      buildTrading: approvalWindowMs
        ? (db) => buildTradingDeps({ db, config, copy: { approvalWindowMs } })
        : undefined,
    }) as Promise<RunningServer>,
  ]);
  return {
    baseUrl,
    browser,
    db: t,
    dataDir,
    runJob: async (name) => {
      await enqueue(t.db, name, {});
    },
    stop: async () => {
      // Browser first: its open connections (the live stream) would otherwise hold the shutdown.
      await browser.close().catch(() => undefined);
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A journey for the calling test file: its own database, the server and a browser, started
 * before the file's tests and stopped after them. Call at the top level of the file; the
 * returned object is filled in once started.
 */
export function useJourney(options: Parameters<typeof startJourney>[1] = {}): Journey {
  const t = useTestDatabase();
  const journey = {} as Journey;
  beforeAll(async () => {
    Object.assign(journey, await startJourney(t, options));
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await journey.stop?.();
  }, 30_000);
  return journey;
}

export type Json = Record<string, unknown>;

/** A person seeded through the API, with the session cookie a browser will carry. */
export class ApiUser {
  readonly http: HttpClient;
  id = '';
  readonly email: string;
  readonly name: string;
  readonly password: string;

  constructor(
    readonly baseUrl: string,
    prefix: string,
  ) {
    this.http = new HttpClient((url, init) => fetch(url, init), baseUrl, baseUrl);
    const credentials = newCredentials(prefix);
    this.email = credentials.email;
    this.name = credentials.name;
    this.password = credentials.password;
  }

  async call(method: 'GET' | 'POST' | 'PATCH', path: string, json?: unknown, status?: number): Promise<Json> {
    const response = await this.http.request(method, path, json === undefined ? {} : { json });
    const body = (await response.json()) as Json;
    const expected = status ?? (method === 'POST' && response.status === 201 ? 201 : 200);
    if (response.status !== expected) {
      throw new Error(
        `${method} ${path}: expected ${expected}, got ${response.status} ${JSON.stringify(body)}`,
      );
    }
    return body;
  }

  get(path: string): Promise<Json> {
    return this.call('GET', path);
  }

  post(path: string, json?: unknown): Promise<Json> {
    return this.call('POST', path, json);
  }
}

/** The link in the newest mail to `email` in the server's development outbox, once it is there. */
export async function linkInOutbox(journey: Journey, email: string, containing: string): Promise<string> {
  const outbox = join(journey.dataDir, OUTBOX_FOLDER);
  const deadline = Date.now() + PAGE_TIMEOUT_MS;
  for (;;) {
    const files = existsSync(outbox) ? readdirSync(outbox).sort().reverse() : [];
    for (const file of files) {
      const mail = JSON.parse(readFileSync(join(outbox, file), 'utf8')) as { to: string; text: string };
      const link = mail.text.match(/https?:\/\/\S+/g)?.find((l) => l.includes(containing));
      if (mail.to === email && link) return link;
    }
    if (Date.now() > deadline) throw new Error(`no mail to ${email} with a ${containing} link`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Confirm the user's email with the link the server mailed on sign-up (its outbox). */
export async function confirmEmailFromOutbox(journey: Journey, user: ApiUser): Promise<void> {
  const link = new URL(await linkInOutbox(journey, user.email, '/verify-email'));
  await user.http.get(`${link.pathname}${link.search}`);
  if ((await user.get('/api/me')).emailVerified !== true) throw new Error(`${user.email} is not confirmed`);
}

/** Sign up through the API; optionally become a trader (confirming the email first) and open a paper account. */
export async function seedUser(
  journey: Journey,
  prefix: string,
  options: { trader?: boolean; paper?: boolean } = {},
): Promise<ApiUser> {
  const user = new ApiUser(journey.baseUrl, prefix);
  const body = await user.post('/api/auth/sign-up/email', {
    name: user.name,
    email: user.email,
    password: user.password,
  });
  user.id = (body.user as { id: string }).id;
  if (options.trader) {
    await confirmEmailFromOutbox(journey, user);
    await user.post('/api/me/trader');
  }
  if (options.paper) await user.post('/api/accounts/paper', {});
  return user;
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export type OpenedPage = { context: BrowserContext; page: Page; errors: string[] };

/** A browser context signed in as `user` (or signed out), and a page in it. */
export async function openPage(
  journey: Journey,
  user: ApiUser | null,
  viewport: { width: number; height: number } = DESKTOP,
): Promise<OpenedPage> {
  const phone = viewport.width < 500;
  const context = await journey.browser.newContext({
    baseURL: journey.baseUrl,
    viewport,
    // No transitions: a check never sees a dialog half faded in.
    reducedMotion: 'reduce',
    ...(phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  if (user) {
    await context.addCookies(
      user.http.allCookies().map(({ name, value }) => ({ name, value, url: journey.baseUrl })),
    );
  }
  const page = await context.newPage();
  page.setDefaultTimeout(PAGE_TIMEOUT_MS);
  page.setDefaultNavigationTimeout(PAGE_TIMEOUT_MS);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, errors };
}

/** No serious or critical axe violation on the page as it is now. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  const severe = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes
        .slice(0, 5)
        .map((node) => `${node.target.join(' ')}: ${node.html.slice(0, 120)} ${node.failureSummary ?? ''}`),
    }));
  expect(severe, `accessibility of ${what}`).toEqual([]);
}

/** A screenshot kept under test-results/e2e (CI keeps the folder). */
export async function screenshot(
  page: Page,
  name: string,
  options: { fullPage?: boolean } = {},
): Promise<void> {
  // Toasts of earlier steps would cover the header.
  for (const dismiss of await page.getByRole('button', { name: 'Dismiss message' }).all()) {
    await dismiss.click().catch(() => undefined);
  }
  await page.screenshot({
    path: join(RESULTS_DIR, `${name}.png`),
    fullPage: options.fullPage ?? true,
    timeout: 10_000,
  });
}

/** A page's main heading. */
export async function expectHeading(page: Page, name: string | RegExp, level = 1): Promise<void> {
  await page.getByRole('heading', { name, level }).waitFor();
}

/** The page is no wider than its viewport: nothing scrolls sideways. */
export async function expectNoHorizontalScroll(page: Page): Promise<void> {
  // Against the viewport asked for: a phone's layout viewport widens to fit content too wide.
  const width = page.viewportSize()?.width ?? 0;
  const overflow = await page.evaluate((viewport) => document.documentElement.scrollWidth - viewport, width);
  expect(overflow, 'horizontal overflow in px').toBeLessThanOrEqual(0);
}

/** Money as the page writes it, from a decimal string: `+$12.00`, `−$3.50`. */
export function signedDollars(value: string): string {
  const cents = Math.round(Number(value) * 100);
  const sign = cents > 0 ? '+' : cents < 0 ? '\u2212' : '';
  const abs = Math.abs(cents);
  return `${sign}$${Math.floor(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * Wait until `check` passes; without live events, reload between tries (the journeys that
 * must see a change without a reload pass `reload: false`).
 */
export async function eventually(
  page: Page,
  check: () => Promise<void>,
  options: { reload: boolean; timeoutMs?: number },
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      if (options.reload) await page.reload();
      else await page.waitForTimeout(250);
    }
  }
}

/** Follow a link of the main navigation (the desktop sidebar). */
export async function goTo(page: Page, label: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: label, exact: true })
    .click();
}

type ChainRow = { strike: string; call: { ask: string } | null; put: { ask: string } | null };

/** The first listed expiration of an underlying and its chain, as the API gives them. */
export async function firstChain(
  user: ApiUser,
  underlying: string,
): Promise<{ expiration: string; strikes: ChainRow[] }> {
  const { expirations } = (await user.get(`/api/quotes/expirations?underlying=${underlying}`)) as {
    expirations: { date: string }[];
  };
  const expiration = expirations[0]?.date ?? '';
  const chain = (await user.get(`/api/quotes/chain?underlying=${underlying}&expiration=${expiration}`)) as {
    strikes: ChainRow[];
  };
  return { expiration, strikes: chain.strikes };
}

/** The Trade page's address with a contract already picked. */
export function tradeUrl(contract: {
  underlying: string;
  expiration: string;
  strike: string;
  type?: 'call' | 'put';
}) {
  const search = new URLSearchParams({
    underlying: contract.underlying,
    expiration: contract.expiration,
    type: contract.type ?? 'call',
    strike: contract.strike,
  });
  return `/trade?${search}`;
}
