/**
 * The trader's desk (GET /api/subscriptions/subscribers/{id}/copies): for each subscriber, what
 * was copied or skipped and why, counted; nothing of the subscriber's account; only the trader
 * of that subscription may read it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { fanOutCopies } from '../../src/services/copy/fan-out-copies';
import { buildTestApp, HttpClient, inProcess, silentLogger, type TestApp, TestClock } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { confirmEmail, expectError, expectJson, type Json } from '../subscriptions/helpers';
import { CONTRACT, SYMBOL } from './support';

const t = useTestDatabase();
const clock = new TestClock(new Date('2026-11-24T15:00:00Z'));
let env: TestApp;

beforeAll(() => {
  env = buildTestApp(t, { clock });
  env.quotes.set(SYMBOL, { bid: '2.40', ask: '2.50' });
});

let seq = 0;
async function user(name: string, paper: boolean) {
  seq += 1;
  const client = new HttpClient(inProcess(env.app, `192.0.2.${seq}`));
  const email = `${name}${seq}@example.test`;
  const body = await expectJson(
    await client.post('/api/auth/sign-up/email', { email, password: 'correct horse battery', name }),
    200,
  );
  if (paper) await expectJson(await client.post('/api/accounts/paper', { startingBalance: '100000' }), 201);
  return { client, id: (body.user as Json).id as string, email };
}

describe("the trader's desk", () => {
  it('shows per subscriber what was copied and skipped, with reasons and counts, and no account details', async () => {
    const boss = await user('boss', true);
    await confirmEmail(env.app, boss);
    await expectJson(await boss.client.post('/api/me/trader'), 200);
    const copier = await user('copier', true);
    const accountless = await user('accountless', false);
    const follow = async (follower: HttpClient, settings: Json) =>
      (await expectJson(await follower.post('/api/subscriptions', { traderId: boss.id, settings }), 201))
        .id as string;
    const copierSub = await follow(copier.client, { autoExecute: true, scalingFactor: 1 });
    const accountlessSub = await follow(accountless.client, { autoExecute: true, scalingFactor: 1 });

    clock.advance(61_000);
    const order = await expectJson(
      await boss.client.post('/api/orders', { side: 'BTO', ...CONTRACT, quantity: 2 }),
      201,
    );
    await fanOutCopies({
      ctx: { db: t.db, actor: { type: 'system', job: 'test' }, now: clock.now, log: silentLogger() },
      deps: env.trading,
      input: { tradeId: order.id as string },
    });

    const copied = await expectJson(
      await boss.client.get(`/api/subscriptions/subscribers/${copierSub}/copies`),
      200,
    );
    expect(copied.summary).toEqual({ total: 1, byOutcome: { executed: 1 }, byReason: {} });
    expect(copied.copies).toEqual([
      {
        id: expect.any(String),
        sourceTradeId: order.id,
        side: 'BTO',
        symbol: SYMBOL,
        outcome: 'executed',
        reason: null,
        sourceQuantity: 2,
        copyQuantity: 2,
        copyStatus: 'filled',
        createdAt: expect.any(String),
      },
    ]);
    expect(copied.nextCursor).toBeNull();

    const skipped = await expectJson(
      await boss.client.get(`/api/subscriptions/subscribers/${accountlessSub}/copies`),
      200,
    );
    expect(skipped.summary).toEqual({ total: 1, byOutcome: { skipped: 1 }, byReason: { no_account: 1 } });
    expect((skipped.copies as Json[])[0]).toMatchObject({
      outcome: 'skipped',
      reason: 'no_account',
      copyStatus: null,
    });

    // Filtered by outcome.
    const none = await expectJson(
      await boss.client.get(`/api/subscriptions/subscribers/${copierSub}/copies?outcome=skipped`),
      200,
    );
    expect(none.copies).toEqual([]);
  });

  it('is for the trader of that subscription only: the subscriber and others get 404, no session 401', async () => {
    const boss = await user('boss', false);
    await confirmEmail(env.app, boss);
    await expectJson(await boss.client.post('/api/me/trader'), 200);
    const follower = await user('follower', false);
    const sub = (
      await expectJson(await follower.client.post('/api/subscriptions', { traderId: boss.id }), 201)
    ).id as string;
    const stranger = await user('stranger', false);
    await expectError(
      await follower.client.get(`/api/subscriptions/subscribers/${sub}/copies`),
      404,
      'NOT_FOUND',
    );
    await expectError(
      await stranger.client.get(`/api/subscriptions/subscribers/${sub}/copies`),
      404,
      'NOT_FOUND',
    );
    await expectError(
      await new HttpClient(inProcess(env.app)).get(`/api/subscriptions/subscribers/${sub}/copies`),
      401,
      'UNAUTHENTICATED',
    );
    await expectError(
      await boss.client.get(`/api/subscriptions/subscribers/${sub}/copies?limit=0`),
      400,
      'VALIDATION',
    );
  });
});
