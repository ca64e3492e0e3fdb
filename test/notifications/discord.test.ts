/**
 * Discord (PRODUCT.md §4): a trader sets a webhook (only Discord's webhook URLs are accepted);
 * their BTO and STC fills are posted as embeds, here to a local receiver standing in for Discord
 * (the test-only TEST_DISCORD_API_URL, which configuration refuses outside tests). Rate limited
 * per webhook, 429 Retry-After honoured, a 404 disables the webhook and tells the trader.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';
import type { JobDeps } from '../../src/jobs/tasks';
import { buildTestApp, TEST_VAPID, type TestApp, TestClock } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { queuedJobs, runJobs, testJobDeps } from '../helpers/jobs';
import {
  expectError,
  expectJson,
  type Json,
  type Member,
  signUp,
  signUpTrader,
} from '../subscriptions/helpers';

const t = useTestDatabase();
const SYMBOL = 'AAPL  300118C00150000';
const CONTRACT = { underlying: 'AAPL', optionType: 'call', strike: '150', expiration: '2030-01-18' } as const;
const TOKEN = 'kT9x-Qe2_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

type Post = { path: string; contentType: string | undefined; body: Json; answered: number };

/** Stands where Discord's API would: records each post, answers what the test asks for (204). */
async function startReceiver() {
  const posts: Post[] = [];
  const answers: Array<{ status: number; headers?: Record<string, string>; body?: unknown }> = [];
  const server = http.createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    request.on('end', () => {
      const answer = answers.shift() ?? { status: 204 };
      posts.push({
        path: request.url ?? '',
        contentType: request.headers['content-type'],
        body: JSON.parse(text || '{}') as Json,
        answered: answer.status,
      });
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      response.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posts,
    answerNext: (...next: typeof answers) => answers.push(...next),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let env: TestApp;
let deps: JobDeps;
let webhookCounter = 0;

beforeAll(async () => {
  receiver = await startReceiver();
  // The real clock's time: delivery jobs queued "in 2 seconds" must be in the future for the queue.
  env = buildTestApp(t, { env: { TEST_DISCORD_API_URL: receiver.origin }, clock: new TestClock(new Date()) });
  env.quotes.set(SYMBOL, { bid: '2.40', ask: '2.50' });
  deps = testJobDeps(t, { now: env.clock.now, trading: env.trading, config: env.config });
});

afterAll(async () => {
  await receiver.close();
});

/** A trader with a paper account and a Discord webhook of their own; returns the webhook's id. */
async function traderWithWebhook(prefix: string): Promise<{ member: Member; webhookId: string }> {
  const member = await signUpTrader(env.app, prefix);
  await expectJson(await member.client.post('/api/accounts/paper', { startingBalance: '1000000' }), 201);
  webhookCounter += 1;
  const webhookId = String(123456789012345000n + BigInt(webhookCounter));
  await expectJson(
    await member.client.request('PUT', '/api/me/discord-webhook', {
      json: { url: `https://discord.com/api/webhooks/${webhookId}/${TOKEN}` },
    }),
    200,
  );
  return { member, webhookId };
}

async function order(member: Member, body: Json): Promise<Json> {
  return expectJson(await member.client.post('/api/orders', body), 201);
}

/** What a worker would do next: tell the order's owner, then post to Discord. */
async function runDeliveries(): Promise<void> {
  await runJobs(t, deps, ['order-updated']);
  await runJobs(t, deps, ['deliver-discord']);
}

type Embed = { title: string; description: string; fields: Array<{ name: string; value: string }> };
const embedOf = (post: Post | undefined) => (post?.body.embeds as Embed[] | undefined)?.[0];
const fieldsOf = (post: Post | undefined) =>
  Object.fromEntries((embedOf(post)?.fields ?? []).map((f) => [f.name, f.value]));

describe('the Discord webhook setting', () => {
  it("accepts only Discord's webhook URLs, refusing anything else with 400 naming url", async () => {
    const { member } = await traderWithWebhook('ann');
    const id = '223456789012345678';
    for (const url of [
      `https://example.com/api/webhooks/${id}/${TOKEN}`,
      `http://discord.com/api/webhooks/${id}/${TOKEN}`,
      `https://discord.com.evil.example/api/webhooks/${id}/${TOKEN}`,
      `https://evil.example/?https://discord.com/api/webhooks/${id}/${TOKEN}`,
      `https://user@discord.com/api/webhooks/${id}/${TOKEN}`,
      `https://discord.com:8443/api/webhooks/${id}/${TOKEN}`,
      `https://discord.com/api/webhooks/not-a-number/${TOKEN}`,
      `https://discord.com/api/webhooks/${id}/${TOKEN}?url=http://127.0.0.1`,
      `https://discord.com/api/channels/${id}/messages`,
      'not a url',
    ]) {
      const error = await expectError(
        await member.client.request('PUT', '/api/me/discord-webhook', { json: { url } }),
        400,
        'VALIDATION',
      );
      expect(error.field, url).toBe('url');
    }
    // Discord's documented aliases are accepted and kept in the one canonical form.
    for (const host of ['discordapp.com', 'canary.discord.com', 'ptb.discord.com']) {
      const set = await expectJson(
        await member.client.request('PUT', '/api/me/discord-webhook', {
          json: { url: `https://${host}/api/v10/webhooks/${id}/${TOKEN}/` },
        }),
        200,
      );
      expect(set).toEqual({ url: `https://discord.com/api/webhooks/${id}/${TOKEN}` });
    }
    expect(await expectJson(await member.client.get('/api/me/discord-webhook'), 200)).toEqual({
      url: `https://discord.com/api/webhooks/${id}/${TOKEN}`,
    });
    expect(await expectJson(await member.client.request('DELETE', '/api/me/discord-webhook'), 200)).toEqual({
      url: null,
    });
    expect(await expectJson(await member.client.get('/api/me/discord-webhook'), 200)).toEqual({ url: null });
  });

  it('is for traders only', async () => {
    const plain = await signUp(env.app, 'plain');
    await expectError(
      await plain.client.request('PUT', '/api/me/discord-webhook', {
        json: { url: `https://discord.com/api/webhooks/323456789012345678/${TOKEN}` },
      }),
      422,
      'PRECONDITION_FAILED',
    );
  });

  it('the test receiver is refused outside NODE_ENV=test', () => {
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        AUTH_SECRET: 's'.repeat(40),
        ENCRYPTION_KEY: 'a'.repeat(64),
        VAPID_PUBLIC_KEY: TEST_VAPID.publicKey,
        VAPID_PRIVATE_KEY: TEST_VAPID.privateKey,
        VAPID_SUBJECT: TEST_VAPID.subject,
        TEST_DISCORD_API_URL: receiver.origin,
      }),
    ).toThrow(ConfigError);
  });
});

describe('the test post', () => {
  it('posts a test message to the webhook now; a webhook Discord no longer knows is removed', async () => {
    const { member, webhookId } = await traderWithWebhook('tom');
    const before = receiver.posts.length;
    expect(await expectJson(await member.client.post('/api/me/discord-webhook/test'), 200)).toEqual({
      posted: true,
    });
    const [post, ...more] = receiver.posts.slice(before);
    expect(more).toEqual([]);
    expect(post?.path).toBe(`/api/webhooks/${webhookId}/${TOKEN}`);
    expect(post?.body).toMatchObject({ username: 'Alertsify', allowed_mentions: { parse: [] } });
    expect(String(post?.body.content)).toContain('Test post from Alertsify');

    receiver.answerNext({ status: 404, body: { message: 'Unknown Webhook', code: 10015 } });
    const gone = await expectError(
      await member.client.post('/api/me/discord-webhook/test'),
      422,
      'PRECONDITION_FAILED',
    );
    expect(gone.message).toContain('no longer exists');
    expect(await expectJson(await member.client.get('/api/me/discord-webhook'), 200)).toEqual({ url: null });
    await expectError(await member.client.post('/api/me/discord-webhook/test'), 422, 'PRECONDITION_FAILED');
  });
});

describe('posting fills to Discord', () => {
  it('posts BTO and STC fills as embeds with contract, quantity, entry, exit and P&L', async () => {
    const { member, webhookId } = await traderWithWebhook('bob');
    const before = receiver.posts.length;
    const bought = await order(member, { side: 'BTO', ...CONTRACT, quantity: 10 });
    await runDeliveries();
    env.quotes.set(SYMBOL, { bid: '3.00', ask: '3.10' });
    env.clock.advance(60_000);
    await order(member, { side: 'STC', positionId: bought.positionId, quantity: 5 });
    await runDeliveries();
    env.quotes.set(SYMBOL, { bid: '2.40', ask: '2.50' });

    const [buy, sell, ...more] = receiver.posts.slice(before);
    expect(more).toEqual([]);
    for (const post of [buy, sell]) {
      expect(post?.path).toBe(`/api/webhooks/${webhookId}/${TOKEN}`);
      expect(post?.contentType).toBe('application/json');
      expect(post?.body.allowed_mentions).toEqual({ parse: [] });
    }
    expect(embedOf(buy)?.title).toBe('Bought to open AAPL 150 C 2030-01-18');
    expect(embedOf(buy)?.description).toBe(`BTO 10 × ${SYMBOL} @ $2.50`);
    expect(fieldsOf(buy)).toEqual({
      Contract: 'AAPL 150 C 2030-01-18',
      Quantity: '10',
      Entry: '$2.50',
      Exit: '—',
      'P&L': '—',
    });
    expect(embedOf(sell)?.title).toBe('Sold to close AAPL 150 C 2030-01-18');
    expect(fieldsOf(sell)).toEqual({
      Contract: 'AAPL 150 C 2030-01-18',
      Quantity: '5',
      Entry: '$2.50',
      Exit: '$3.00',
      'P&L': '+$250.00 (+20.0%)',
    });
  });

  it('honours 429 Retry-After: the post waits that long, then goes through', async () => {
    const { member } = await traderWithWebhook('cai');
    receiver.answerNext({
      status: 429,
      headers: { 'retry-after': '7' },
      body: { retry_after: 7, global: false },
    });
    const before = receiver.posts.length;
    await order(member, { side: 'BTO', ...CONTRACT, quantity: 1 });
    await runDeliveries();
    expect(receiver.posts.slice(before).map((p) => p.answered)).toEqual([429]);
    const [waiting] = await queuedJobs(t, 'deliver-discord');
    expect(waiting?.payload).toMatchObject({ userId: member.id, attempt: 2 });
    const wait = (waiting?.runAt.getTime() ?? 0) - env.clock.now().getTime();
    expect(wait).toBeGreaterThanOrEqual(7_000);
    expect(wait).toBeLessThan(8_000);

    await t.sql(`UPDATE graphile_worker._private_jobs SET run_at = now()`);
    await runJobs(t, deps, ['deliver-discord']);
    expect(receiver.posts.slice(before).map((p) => p.answered)).toEqual([429, 204]);
    expect(await queuedJobs(t, 'deliver-discord')).toEqual([]);
  });

  it('posts at most 5 times in 2 seconds per webhook; the rest wait their turn', async () => {
    const { member, webhookId } = await traderWithWebhook('dee');
    const before = receiver.posts.length;
    for (let i = 0; i < 7; i++) await order(member, { side: 'BTO', ...CONTRACT, quantity: 1 });
    await runDeliveries();
    const mine = () => receiver.posts.slice(before).filter((p) => p.path.includes(webhookId));
    expect(mine()).toHaveLength(5);
    const waiting = await queuedJobs(t, 'deliver-discord');
    expect(waiting).toHaveLength(2);
    env.clock.advance(2_000);
    await t.sql(`UPDATE graphile_worker._private_jobs SET run_at = now()`);
    await runJobs(t, deps, ['deliver-discord']);
    expect(mine()).toHaveLength(7);
  });

  it('a 404 disables the webhook and tells the trader; later fills post nothing', async () => {
    const { member } = await traderWithWebhook('eve');
    receiver.answerNext({ status: 404, body: { message: 'Unknown Webhook', code: 10015 } });
    await order(member, { side: 'BTO', ...CONTRACT, quantity: 1 });
    await runDeliveries();
    expect(receiver.posts.at(-1)?.answered).toBe(404);
    expect(await expectJson(await member.client.get('/api/me/discord-webhook'), 200)).toEqual({ url: null });
    const page = await expectJson(await member.client.get('/api/notifications'), 200);
    const types = (page.notifications as Array<{ type: string; title: string }>).map((n) => [
      n.type,
      n.title,
    ]);
    expect(types).toContainEqual(['discord_webhook_disabled', 'Discord posting stopped']);

    const count = receiver.posts.length;
    await order(member, { side: 'BTO', ...CONTRACT, quantity: 1 });
    await runDeliveries();
    expect(receiver.posts.length).toBe(count);
    expect(await queuedJobs(t, 'deliver-discord')).toEqual([]);
  });
});
