/**
 * Email that arrives: verification on sign-up and password reset, through the real job worker
 * and a real SMTP server started here, messages parsed as a mail client would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from '../../src/jobs/runner';
import { buildTasks } from '../../src/jobs/tasks';
import {
  buildTestApp,
  HttpClient,
  inProcess,
  newCredentials,
  silentLogger,
  type TestApp,
  TestClock,
} from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { testJobDeps } from '../helpers/jobs';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp';
import { expectError, expectJson } from '../subscriptions/helpers';

const t = useTestDatabase();
const clock = new TestClock();
let smtp: TestSmtpServer;
let env: TestApp;
let worker: WorkerHandle;

beforeAll(async () => {
  smtp = await startSmtpServer();
  env = buildTestApp(t, { env: { SMTP_URL: smtp.url }, clock });
  const log = silentLogger();
  worker = await startWorker({
    pool: t.pool,
    tasks: buildTasks(testJobDeps(t, { now: clock.now, trading: env.trading, config: env.config })),
    concurrency: 2,
    log,
  });
});

afterAll(async () => {
  await worker?.stop();
  await smtp?.close();
});

let addresses = 0;
function browser(): HttpClient {
  addresses += 1;
  return new HttpClient(inProcess(env.app, `192.0.2.${addresses}`));
}

/** The path and query of a link in an email (the app runs in-process here). */
const pathOf = (link: string) => {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
};

async function signUp() {
  const client = browser();
  const credentials = newCredentials('mail');
  await expectJson(await client.post('/api/auth/sign-up/email', credentials), 200);
  return { client, ...credentials };
}

const emailVerified = async (client: HttpClient) =>
  ((await expectJson(await client.get('/api/me'), 200)) as { emailVerified: boolean }).emailVerified;

describe('email verification', () => {
  it('sends a link on sign-up that confirms the address once; a used or forged link is refused', async () => {
    const user = await signUp();
    expect(await emailVerified(user.client)).toBe(false);
    const mail = await smtp.next(user.email);
    expect(mail.subject).toBe('Confirm your email address for Alertsify');
    expect(mail.html).toContain('Confirm my email address');
    const link = mail.links.find((l) => l.includes('/api/auth/verify-email'));
    expect(link).toBeDefined();

    const confirmed = await user.client.get(pathOf(link ?? ''));
    expect(confirmed.status).toBe(302);
    expect(confirmed.headers.get('location')).toBe('/verify-email');
    expect(await emailVerified(user.client)).toBe(true);

    const again = await user.client.get(pathOf(link ?? ''));
    expect(again.status).toBe(302);
    expect(again.headers.get('location')).toBe('/verify-email?error=INVALID_TOKEN');

    const forged = await browser().get('/api/auth/verify-email?token=eyJhbGciOiJIUzI1NiJ9.e30.forged');
    expect((await expectError(forged, 400, 'VALIDATION')).field).toBe('token');
  });

  it('refuses a link past its time, and sends a new one on request', async () => {
    const user = await signUp();
    const first = await smtp.next(user.email);
    clock.advance(25 * 3_600_000);
    const late = await user.client.get(pathOf(first.links[0] ?? ''));
    expect(late.headers.get('location')).toBe('/verify-email?error=INVALID_TOKEN');
    expect(await emailVerified(user.client)).toBe(false);

    await expectJson(await user.client.post('/api/auth/send-verification-email'), 200);
    const second = await smtp.next(user.email);
    expect((await user.client.get(pathOf(second.links[0] ?? ''))).headers.get('location')).toBe(
      '/verify-email',
    );
    expect(await emailVerified(user.client)).toBe(true);
    await expectError(await user.client.post('/api/auth/send-verification-email'), 409, 'CONFLICT');
  });
});

describe('password reset', () => {
  it('resets with the emailed link once, ends every session, and the old password stops working', async () => {
    const user = await signUp();
    await smtp.next(user.email); // the verification mail
    const otherDevice = browser();
    await expectJson(
      await otherDevice.post('/api/auth/sign-in/email', { email: user.email, password: user.password }),
      200,
    );

    const stranger = browser();
    const asked = await expectJson(
      await stranger.post('/api/auth/request-password-reset', { email: user.email }),
      200,
    );
    const mail = await smtp.next(user.email);
    expect(mail.subject).toBe('Reset your Alertsify password');
    const link = mail.links[0] ?? '';
    const landing = await stranger.get(pathOf(link));
    expect(landing.status).toBe(302);
    const location = new URL(landing.headers.get('location') ?? '', 'http://localhost:3000');
    expect(location.pathname).toBe('/reset-password');
    const token = location.searchParams.get('token') ?? '';
    expect(token).not.toBe('');

    const newPassword = 'a brand new password';
    expect(
      await expectJson(await stranger.post('/api/auth/reset-password', { token, newPassword }), 200),
    ).toEqual({
      status: true,
    });
    expect((await user.client.get('/api/me')).status).toBe(401);
    expect((await otherDevice.get('/api/me')).status).toBe(401);
    await expectError(
      await browser().post('/api/auth/sign-in/email', { email: user.email, password: user.password }),
      401,
      'UNAUTHENTICATED',
    );
    await expectJson(
      await browser().post('/api/auth/sign-in/email', { email: user.email, password: newPassword }),
      200,
    );

    const reused = await stranger.post('/api/auth/reset-password', {
      token,
      newPassword: 'yet another password',
    });
    expect((await expectError(reused, 400, 'VALIDATION')).field).toBe('token');
    expect(asked).toEqual({
      status: true,
      message: 'If this email has an account, a reset link is on its way',
    });
  });

  it('answers an unknown email exactly like a known one, and sends nothing', async () => {
    const user = await signUp();
    await smtp.next(user.email);
    const known = await browser().post('/api/auth/request-password-reset', { email: user.email });
    const unknown = await browser().post('/api/auth/request-password-reset', {
      email: 'nobody-here@example.com',
    });
    expect(unknown.status).toBe(known.status);
    expect(await unknown.json()).toEqual(await known.json());
    await smtp.next(user.email);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(smtp.messages.filter((m) => m.to === 'nobody-here@example.com')).toEqual([]);
  });

  it('refuses an expired or forged token', async () => {
    const user = await signUp();
    await smtp.next(user.email);
    await expectJson(await browser().post('/api/auth/request-password-reset', { email: user.email }), 200);
    const mail = await smtp.next(user.email);
    const token = new URL(mail.links[0] ?? '').pathname.split('/').at(-1) ?? '';
    await t.sql(
      `UPDATE auth_verifications SET expires_at = now() - interval '1 minute' WHERE identifier = $1`,
      [`reset-password:${token}`],
    );
    const expired = await browser().post('/api/auth/reset-password', {
      token,
      newPassword: 'whatever it is',
    });
    expect((await expectError(expired, 400, 'VALIDATION')).field).toBe('token');
    const forged = await browser().post('/api/auth/reset-password', {
      token: 'x'.repeat(24),
      newPassword: 'whatever it is',
    });
    expect((await expectError(forged, 400, 'VALIDATION')).field).toBe('token');
  });

  it('is rate limited like sign-in, per email', async () => {
    const email = 'rate-limited@example.com';
    const limit = env.config.signInRateLimit.limit;
    for (let i = 0; i < limit; i++) {
      await expectJson(await browser().post('/api/auth/request-password-reset', { email }), 200);
    }
    await expectError(
      await browser().post('/api/auth/request-password-reset', { email }),
      429,
      'LIMIT_EXCEEDED',
    );
  });
});
