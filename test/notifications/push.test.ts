/**
 * Web push end to end against a local push service (test/helpers/push-service.ts): the browser
 * registers through the API, a notification's delivery job sends the real request, the service
 * verifies the VAPID JWT against the key the API publishes and decrypts the payload with the
 * browser's keys. 404/410 delete the subscription, 429/500 are retried, the 11th push in a minute
 * is not sent, and endpoints that are not push services are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';
import type { JobDeps } from '../../src/jobs/tasks';
import { notifyMany } from '../../src/services/notifications/notify';
import { buildTestApp, TEST_VAPID, type TestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { queuedJobs, runJobs, testJobDeps } from '../helpers/jobs';
import { type Browser, type PushService, startPushService } from '../helpers/push-service';
import { expectError, expectJson, type Member, signUp } from '../subscriptions/helpers';

const t = useTestDatabase();
let push: PushService;
let env: TestApp;
let deps: JobDeps;

beforeAll(async () => {
  push = await startPushService();
  env = buildTestApp(t, { env: { TEST_PUSH_ORIGIN: push.origin } });
  deps = testJobDeps(t, { now: env.clock.now, trading: env.trading, config: env.config });
});

afterAll(async () => {
  await push.close();
});

async function register(member: Member, browser: Browser): Promise<string> {
  const body = await expectJson(
    await member.client.post('/api/push-subscriptions', {
      subscription: browser.subscription,
      userAgent: 'Test browser',
    }),
    201,
  );
  return String(body.id);
}

async function alert(member: Member, count = 1): Promise<string[]> {
  const { notifications } = await notifyMany({
    tx: t.db,
    ctx: { now: env.clock.now },
    input: Array.from({ length: count }, (_, i) => ({
      userId: member.id,
      type: 'copy_trade_alert' as const,
      title: 'Copy trade waiting for approval',
      body: `BTO AAPL 150 C 2030-01-18: approve to copy ${i + 1} contract(s)`,
      data: { subscriptionId: 's-1', sourceTradeId: 't-1' },
    })),
  });
  return notifications.map((n) => n.id);
}

const deliver = () => runJobs(t, deps, ['deliver-push']);

async function browsersOf(member: Member): Promise<Array<{ id: string; endpoint: string }>> {
  const body = await expectJson(await member.client.get('/api/push-subscriptions'), 200);
  return body.subscriptions as Array<{ id: string; endpoint: string }>;
}

describe('web push', () => {
  it('publishes the VAPID key, registers a browser once, and delivers a notification it can decrypt', async () => {
    const ann = await signUp(env.app, 'ann');
    const { publicKey } = await expectJson(await ann.client.get('/api/push-subscriptions/vapid-key'), 200);
    expect(publicKey).toBe(TEST_VAPID.publicKey);
    const browser = push.browser();
    const id = await register(ann, browser);
    expect(await register(ann, browser)).toBe(id);
    expect(await browsersOf(ann)).toEqual([
      {
        id,
        endpoint: browser.subscription.endpoint,
        userAgent: 'Test browser',
        createdAt: expect.any(String),
      },
    ]);

    const before = push.received.length;
    const [notificationId] = await alert(ann);
    await deliver();
    const [request, ...more] = push.received.slice(before);
    expect(more).toEqual([]);
    if (!request) throw new Error('nothing reached the push service');
    expect(request.path).toBe(new URL(browser.subscription.endpoint).pathname);
    // RFC 8292: an ES256 JWT for this push service's origin, signed by the published key.
    expect(request.jwt.verified).toBe(true);
    expect(request.jwt.key).toBe(publicKey);
    expect(request.jwt.header).toEqual({ typ: 'JWT', alg: 'ES256' });
    expect(request.jwt.claims).toMatchObject({ aud: push.origin, sub: TEST_VAPID.subject });
    const exp = Number(request.jwt.claims.exp);
    const nowSeconds = Date.now() / 1000;
    expect(exp).toBeGreaterThan(nowSeconds);
    expect(exp).toBeLessThanOrEqual(nowSeconds + 24 * 3600);
    // RFC 8291 / 8030: encrypted, with a time to live and an urgency.
    expect(request.headers['content-encoding']).toBe('aes128gcm');
    expect(request.headers.ttl).toBe(String(24 * 3600));
    expect(request.headers.urgency).toBe('high');
    expect(JSON.parse(request.payload ?? 'null')).toEqual({
      notificationId,
      type: 'copy_trade_alert',
      title: 'Copy trade waiting for approval',
      body: 'BTO AAPL 150 C 2030-01-18: approve to copy 1 contract(s)',
      url: '/copying',
      data: { subscriptionId: 's-1', sourceTradeId: 't-1' },
    });
    expect(request.answered).toBe(201);
    expect(await queuedJobs(t, 'deliver-push')).toEqual([]);
  });

  it('deletes a subscription the push service says has ended (410 Gone, 404)', async () => {
    for (const status of [410, 404]) {
      const bob = await signUp(env.app, `bob${status}`);
      await register(bob, push.browser());
      push.answerNext({ status });
      await alert(bob);
      await deliver();
      expect(push.received.at(-1)?.answered).toBe(status);
      expect(await browsersOf(bob)).toEqual([]);
      expect(await queuedJobs(t, 'deliver-push')).toEqual([]);
    }
  });

  it('keeps the subscription and retries later when the push service is busy (429) or failing (500)', async () => {
    for (const status of [429, 500]) {
      const cai = await signUp(env.app, `cai${status}`);
      const browser = push.browser();
      await register(cai, browser);
      push.answerNext({ status, headers: status === 429 ? { 'retry-after': '30' } : {} });
      await alert(cai);
      await deliver();
      expect(push.received.at(-1)?.answered).toBe(status);
      const [waiting] = await queuedJobs(t, 'deliver-push');
      expect(waiting).toMatchObject({ attempts: 1 });
      expect(waiting?.lastError).toContain(`push service answered ${status}`);
      expect(waiting?.runAt.getTime()).toBeGreaterThan(Date.now());
      expect(await browsersOf(cai)).toHaveLength(1);

      // When the retry is due, it goes through.
      await t.sql(`UPDATE graphile_worker._private_jobs SET run_at = now()`);
      await deliver();
      expect(push.received.at(-1)).toMatchObject({
        path: new URL(browser.subscription.endpoint).pathname,
        answered: 201,
      });
      expect(await queuedJobs(t, 'deliver-push')).toEqual([]);
    }
  });

  it('sends at most 10 pushes a minute to a user: the 11th is not sent, and stays in-app', async () => {
    const dee = await signUp(env.app, 'dee');
    const browser = push.browser();
    await register(dee, browser);
    const before = push.received.length;
    const ids = await alert(dee, 11);
    await deliver();
    const mine = push.received
      .slice(before)
      .filter((r) => r.path === new URL(browser.subscription.endpoint).pathname);
    expect(mine).toHaveLength(10);
    const sent = new Set(
      mine.map((r) => (JSON.parse(r.payload ?? '{}') as { notificationId: string }).notificationId),
    );
    expect(ids.filter((id) => !sent.has(id))).toHaveLength(1);
    const page = await expectJson(await dee.client.get('/api/notifications'), 200);
    expect(page.unread).toBe(11);
  });

  it('refuses endpoints that are not browser push services and malformed keys, naming the field', async () => {
    const eve = await signUp(env.app, 'eve');
    const { subscription } = push.browser();
    const refused = async (changed: Record<string, unknown>) =>
      (
        await expectError(
          await eve.client.post('/api/push-subscriptions', { subscription: { ...subscription, ...changed } }),
          400,
          'VALIDATION',
        )
      ).field;
    expect(await refused({ endpoint: 'https://example.com/push/1' })).toBe('subscription.endpoint');
    expect(await refused({ endpoint: 'http://fcm.googleapis.com/fcm/send/1' })).toBe('subscription.endpoint');
    expect(await refused({ endpoint: 'https://169.254.169.254/latest/meta-data' })).toBe(
      'subscription.endpoint',
    );
    expect(await refused({ keys: { ...subscription.keys, p256dh: 'c2hvcnQ' } })).toBe(
      'subscription.keys.p256dh',
    );
    expect(await refused({ keys: { ...subscription.keys, auth: 'not base64!' } })).toBe(
      'subscription.keys.auth',
    );
    expect(await browsersOf(eve)).toEqual([]);
    // A real push service's URL is accepted.
    await expectJson(
      await eve.client.post('/api/push-subscriptions', {
        subscription: { ...subscription, endpoint: 'https://fcm.googleapis.com/fcm/send/abc:def' },
      }),
      201,
    );
  });

  it("unregisters a browser; another user's browser is 404; a browser taken over by another user moves", async () => {
    const fay = await signUp(env.app, 'fay');
    const gus = await signUp(env.app, 'gus');
    const browser = push.browser();
    const id = await register(fay, browser);
    await expectError(await gus.client.request('DELETE', `/api/push-subscriptions/${id}`), 404, 'NOT_FOUND');
    expect(await browsersOf(fay)).toHaveLength(1);
    // Gus signs in on Fay's browser: its pushes are now his alone.
    await register(gus, browser);
    expect(await browsersOf(fay)).toEqual([]);
    const [his] = await browsersOf(gus);
    const res = await gus.client.request('DELETE', `/api/push-subscriptions/${his?.id}`);
    expect(res.status).toBe(204);
    expect(await browsersOf(gus)).toEqual([]);
  });

  it('sends a test push to one of my browsers at once, writing no notification; 404 for others and ended ones', async () => {
    const hal = await signUp(env.app, 'hal');
    const ivy = await signUp(env.app, 'ivy');
    const browser = push.browser();
    const id = await register(hal, browser);
    const before = push.received.length;
    expect(await expectJson(await hal.client.post(`/api/push-subscriptions/${id}/test`), 200)).toEqual({
      sent: true,
    });
    const [request] = push.received.slice(before);
    expect(request?.jwt.verified).toBe(true);
    expect(JSON.parse(request?.payload ?? 'null')).toMatchObject({
      notificationId: null,
      type: 'test',
      title: 'Alertsify test',
      url: '/settings',
    });
    expect((await expectJson(await hal.client.get('/api/notifications'), 200)).unread).toBe(0);
    await expectError(await ivy.client.post(`/api/push-subscriptions/${id}/test`), 404, 'NOT_FOUND');

    push.answerNext({ status: 410 });
    await expectError(await hal.client.post(`/api/push-subscriptions/${id}/test`), 404, 'NOT_FOUND');
    expect(await browsersOf(hal)).toEqual([]);
  });

  it('the test push origin is refused outside NODE_ENV=test', () => {
    for (const NODE_ENV of ['development', 'production']) {
      expect(() =>
        loadConfig({
          NODE_ENV,
          AUTH_SECRET: 's'.repeat(40),
          ENCRYPTION_KEY: 'a'.repeat(64),
          VAPID_PUBLIC_KEY: TEST_VAPID.publicKey,
          VAPID_PRIVATE_KEY: TEST_VAPID.privateKey,
          VAPID_SUBJECT: TEST_VAPID.subject,
          TEST_PUSH_ORIGIN: push.origin,
        }),
      ).toThrow(ConfigError);
    }
  });
});
