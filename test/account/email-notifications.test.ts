/**
 * Email as a notification channel: off by default except approvals wanted and broken
 * connections, to confirmed addresses only, plain text and HTML, with a signed unsubscribe link
 * per type that works without signing in (and one-click from the List-Unsubscribe header).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationType } from '../../src/domain/vocabulary';
import { startWorker, type WorkerHandle } from '../../src/jobs/runner';
import { buildTasks } from '../../src/jobs/tasks';
import { notify } from '../../src/services/notifications/notify';
import { buildTestApp, HttpClient, inProcess, newCredentials, type TestApp, TestClock } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { testJobDeps } from '../helpers/jobs';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp';
import { expectError, expectJson, patch } from '../subscriptions/helpers';

const t = useTestDatabase();
const clock = new TestClock();
let smtp: TestSmtpServer;
let env: TestApp;
let worker: WorkerHandle;

beforeAll(async () => {
  smtp = await startSmtpServer();
  env = buildTestApp(t, { env: { SMTP_URL: smtp.url }, clock });
  worker = await startWorker({
    pool: t.pool,
    tasks: buildTasks(testJobDeps(t, { now: clock.now, trading: env.trading, config: env.config })),
    concurrency: 2,
    log: env.log,
  });
});

afterAll(async () => {
  await worker?.stop();
  await smtp?.close();
});

const pathOf = (link: string) => {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
};

/** A user who signed up (and, unless told otherwise, confirmed their address). */
async function member(confirm = true) {
  const client = new HttpClient(inProcess(env.app));
  const credentials = newCredentials('mailed');
  const body = await expectJson(await client.post('/api/auth/sign-up/email', credentials), 200);
  const verification = await smtp.next(credentials.email);
  if (confirm) await client.get(pathOf(verification.links[0] ?? ''));
  return { client, id: (body.user as { id: string }).id, email: credentials.email };
}

async function raise(userId: string, type: NotificationType, title: string) {
  await notify({
    tx: t.db,
    ctx: { now: clock.now },
    input: { userId, type, title, body: `${title}: the details` },
  });
}

describe('notifications by email', () => {
  it('emails approvals wanted by default, with a link to the page and an unsubscribe link for the type', async () => {
    const ada = await member();
    await raise(ada.id, 'copy_trade_alert', 'Approve a copy of AAPL');
    const mail = await smtp.next(ada.email);
    expect(mail.subject).toBe('Approve a copy of AAPL');
    expect(mail.text).toContain('Approve a copy of AAPL: the details');
    expect(mail.html).toContain('Approve a copy of AAPL: the details');
    expect(mail.links[0]).toBe('http://localhost:3000/copying');
    const unsubscribe = mail.links.find((link) => link.includes('/api/notifications/unsubscribe'));
    // Header lines as sent, unfolded (long ones wrap onto the next line).
    const header = (name: string) =>
      mail.headerLines.find((line) => line.key === name)?.line.replace(/\r\n\s+/g, ' ');
    expect(header('list-unsubscribe')).toBe(`List-Unsubscribe: <${unsubscribe}>`);
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');

    const page = await new HttpClient(inProcess(env.app)).get(pathOf(unsubscribe ?? ''));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(
      'You will no longer get emails about <strong>copy trade alert</strong>',
    );
    const preferences = await expectJson(await ada.client.get('/api/notifications/preferences'), 200);
    expect(preferences.copy_trade_alert).toEqual({ in_app: true, push: true, email: false });

    // Nothing more of that type; another type still arrives, and is the next message.
    await raise(ada.id, 'copy_trade_alert', 'Approve another copy');
    await raise(ada.id, 'connection_broken', 'Your brokerage connection broke');
    expect((await smtp.next(ada.email)).subject).toBe('Your brokerage connection broke');
  });

  it('sends a type that is off by default once the user turns it on', async () => {
    const bo = await member();
    await raise(bo.id, 'order_filled', 'Bought 1 AAPL');
    await expectJson(
      await patch(bo.client, '/api/notifications/preferences', { order_filled: { email: true } }),
      200,
    );
    await raise(bo.id, 'order_filled', 'Bought 2 AAPL');
    expect((await smtp.next(bo.email)).subject).toBe('Bought 2 AAPL');
  });

  it('never emails an address nobody confirmed', async () => {
    const unconfirmed = await member(false);
    await raise(unconfirmed.id, 'copy_trade_alert', 'Approve a copy, unconfirmed');
    const confirmed = await member();
    await raise(confirmed.id, 'copy_trade_alert', 'Approve a copy, confirmed');
    await smtp.next(confirmed.email);
    expect(smtp.messages.filter((m) => m.to === unconfirmed.email).map((m) => m.subject)).toEqual([
      'Confirm your email address for Alertsify',
    ]);
  });

  it('takes a one-click unsubscribe, and refuses a link we did not sign', async () => {
    const cy = await member();
    await raise(cy.id, 'connection_broken', 'Reconnect your brokerage');
    const mail = await smtp.next(cy.email);
    const link = mail.links.find((l) => l.includes('/api/notifications/unsubscribe')) ?? '';
    const forged = new URL(link);
    forged.searchParams.set('type', 'copy_trade_alert');
    await expectError(
      await new HttpClient(inProcess(env.app)).post(pathOf(forged.toString())),
      400,
      'VALIDATION',
    );
    expect(await expectJson(await new HttpClient(inProcess(env.app)).post(pathOf(link)), 200)).toEqual({
      unsubscribed: 'connection_broken',
    });
    const preferences = await expectJson(await cy.client.get('/api/notifications/preferences'), 200);
    expect(preferences.connection_broken).toMatchObject({ email: false });
    expect(preferences.copy_trade_alert).toMatchObject({ email: true });
  });
});
