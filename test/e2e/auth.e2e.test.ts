/**
 * The web app in a real browser against the real server: sign up, sign out, sign in, wrong
 * password. The page is driven the way a person reads it, by role and visible text.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { type RunningServer, startServer } from '../../src/server';
import { launchBrowser } from '../helpers/browser';
import { useTestDatabase } from '../helpers/db';
import { freePort } from '../helpers/ports';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RESULTS_DIR = join(REPO_ROOT, 'test-results', 'e2e');

/** Every wait in the page is bounded, so a broken screen fails in seconds instead of hanging. */
const PAGE_TIMEOUT_MS = 10_000;
const TEST_TIMEOUT_MS = 30_000;
const SETUP_TIMEOUT_MS = 180_000;

const t = useTestDatabase();

let server: RunningServer | undefined;
let browser: Browser | undefined;
let page: Page;
let baseUrl: string;
let dataDir: string | undefined;
/** Uncaught exceptions in the page: the app must not throw whatever the server answers. */
const pageErrors: string[] = [];

const user = {
  name: 'Ada Lovelace',
  email: `ada-${randomBytes(4).toString('hex')}@example.com`,
  password: 'correct horse battery staple',
};

beforeAll(async () => {
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  dataDir = mkdtempSync(join(tmpdir(), 'alertsify-e2e-'));
  mkdirSync(RESULTS_DIR, { recursive: true });
  // The web app was built by the global setup.
  browser = await launchBrowser();

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
  });
  server = await startServer({ config, log: createLogger(config) });

  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1100, height: 720 } });
  page = await context.newPage();
  page.setDefaultTimeout(PAGE_TIMEOUT_MS);
  page.setDefaultNavigationTimeout(PAGE_TIMEOUT_MS);
  page.on('pageerror', (error) => pageErrors.push(error.message));
}, SETUP_TIMEOUT_MS);

afterEach(async ({ task }) => {
  if (task.result?.state !== 'fail' || !page || page.isClosed()) return;
  const file = join(RESULTS_DIR, `failed-${task.name.replace(/[^a-z0-9]+/gi, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true, timeout: 5_000 }).catch(() => undefined);
});

afterAll(async () => {
  // Browser first: its open connections would otherwise hold the server's shutdown.
  await browser?.close().catch(() => undefined);
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

/** A screen is there when its main heading is. */
async function expectHeading(name: string | RegExp, level = 1): Promise<void> {
  await page.getByRole('heading', { name, level }).waitFor();
}

async function fillSignIn(email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
}

describe('signing up, out and in through the web app', () => {
  it('shows a visitor without a session the sign-in screen', { timeout: TEST_TIMEOUT_MS }, async () => {
    await page.goto('/');
    await expectHeading('Sign in');
    expect(await page.getByRole('button', { name: 'Sign in' }).isEnabled()).toBe(true);
    await page.screenshot({ path: join(RESULTS_DIR, 'sign-in.png') });
  });

  it('signs up through the form and lands in the signed-in shell', { timeout: TEST_TIMEOUT_MS }, async () => {
    await page.getByRole('link', { name: 'Create an account' }).click();
    await expectHeading('Create your account');
    await page.getByLabel('Name').fill(user.name);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Create account' }).click();

    await expectHeading(`Welcome, ${user.name}`);
    const banner = page.getByRole('banner');
    expect(await banner.getByText('Alertsify', { exact: true }).isVisible()).toBe(true);
    expect(await banner.getByText(user.name, { exact: true }).isVisible()).toBe(true);
    expect(await banner.getByText(user.email, { exact: true }).isVisible()).toBe(true);
    for (const section of ['Positions', 'Orders', 'Notifications']) {
      await expectHeading(section, 2);
    }
    // The health line comes from the real /api/health.
    await page.getByRole('status').filter({ hasText: 'database: up' }).waitFor();
    await page.screenshot({ path: join(RESULTS_DIR, 'signed-in-shell.png') });
  });

  it('keeps the session across a reload', { timeout: TEST_TIMEOUT_MS }, async () => {
    await page.reload();
    await expectHeading(`Welcome, ${user.name}`);
  });

  it('signs out back to the sign-in screen', { timeout: TEST_TIMEOUT_MS }, async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expectHeading('Sign in');
    // The session is gone on the server too, not only in the page.
    await page.reload();
    await expectHeading('Sign in');
  });

  it('refuses a second account with the same email, naming the field', {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    await page.getByRole('link', { name: 'Create an account' }).click();
    await expectHeading('Create your account');
    await page.getByLabel('Name').fill('Someone Else');
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill('another password');
    await page.getByRole('button', { name: 'Create account' }).click();

    await page.getByRole('alert').filter({ hasText: 'An account with this email already exists' }).waitFor();
    expect(await page.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');
    await page.getByRole('link', { name: 'Sign in' }).click();
    await expectHeading('Sign in');
  });

  it('signs in again with the right password', { timeout: TEST_TIMEOUT_MS }, async () => {
    await fillSignIn(user.email, user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectHeading(`Welcome, ${user.name}`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expectHeading('Sign in');
  });

  it('shows progress, then the error, for a wrong password', { timeout: TEST_TIMEOUT_MS }, async () => {
    // Hold the request so the in-flight state can be seen, then let it reach the server.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route('**/api/auth/sign-in/email', async (route) => {
      await held;
      await route.continue();
    });
    try {
      await fillSignIn(user.email, 'not the password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      const inFlight = page.getByRole('button', { name: 'Signing in…' });
      await inFlight.waitFor();
      expect(await inFlight.isDisabled()).toBe(true);
    } finally {
      release();
    }

    await page.getByRole('alert').filter({ hasText: 'Invalid email or password' }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign in' }).isEnabled()).toBe(true);
    await expectHeading('Sign in');
    await page.screenshot({ path: join(RESULTS_DIR, 'sign-in-error.png') });
    await page.unroute('**/api/auth/sign-in/email');
  });

  it('threw no uncaught error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
