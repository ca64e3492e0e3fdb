/**
 * Traders through the HTTP API: becoming one, the public profile with its followers, and what
 * a soft delete (of a trader or a subscriber) does to subscriptions (PRODUCT.md §1, §3).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, HttpClient, inProcess, type TestApp, TestClock } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { confirmEmail, expectError, expectJson, type Json, signUp, signUpTrader } from './helpers';

const t = useTestDatabase();
const clock = new TestClock(new Date('2026-11-24T15:00:00.000Z'));
let env: TestApp;

beforeAll(() => {
  env = buildTestApp(t, { clock });
});

const softDelete = (userId: string) =>
  t.sql(`UPDATE users SET deleted_at = now() AT TIME ZONE 'UTC' WHERE id = $1`, [userId]);

describe('becoming a trader', () => {
  it('makes the signed-in user a trader, idempotently, unverified', async () => {
    const vera = await signUp(env.app, 'vera');
    await confirmEmail(env.app, vera);
    expect((await expectJson(await vera.client.get('/api/me'), 200)).isTrader).toBe(false);
    const expected = {
      id: vera.id,
      name: vera.name,
      username: null,
      bio: null,
      avatarUrl: null,
      isTrader: true,
      verified: false,
      followers: 0,
    };
    expect(await expectJson(await vera.client.post('/api/me/trader'), 200)).toEqual(expected);
    expect(await expectJson(await vera.client.post('/api/me/trader'), 200)).toEqual(expected);
    expect(await expectJson(await vera.client.get('/api/me'), 200)).toMatchObject({
      isTrader: true,
      traderVerifiedAt: null,
    });
  });

  it('needs a session', async () => {
    const anonymous = new HttpClient(inProcess(env.app));
    await expectError(await anonymous.post('/api/me/trader'), 401, 'UNAUTHENTICATED');
  });

  it('needs a confirmed email address first', async () => {
    const uma = await signUp(env.app, 'uma');
    const refused = await expectError(await uma.client.post('/api/me/trader'), 422, 'PRECONDITION_FAILED');
    expect(refused.message).toMatch(/^Confirm your email address first/);
    expect((await expectJson(await uma.client.get('/api/me'), 200)).isTrader).toBe(false);
    await confirmEmail(env.app, uma);
    expect((await expectJson(await uma.client.post('/api/me/trader'), 200)).isTrader).toBe(true);
  });

  it('lets others subscribe once they are a trader, verified or not', async () => {
    const will = await signUp(env.app, 'will');
    const xena = await signUp(env.app, 'xena');
    await expectError(await xena.client.post('/api/subscriptions', { traderId: will.id }), 404, 'NOT_FOUND');
    await confirmEmail(env.app, will);
    await expectJson(await will.client.post('/api/me/trader'), 200);
    await expectJson(await xena.client.post('/api/subscriptions', { traderId: will.id }), 201);
  });
});

describe("a trader's public profile", () => {
  it('is public, shows the verified badge, and counts active subscriptions as followers', async () => {
    const trader = await signUpTrader(env.app);
    await t.sql(
      `UPDATE users SET username = 'options_ace', bio = 'Weeklies only', avatar_url = 'https://example.test/a.png'
        WHERE id = $1`,
      [trader.id],
    );
    const anonymous = new HttpClient(inProcess(env.app));
    const profilePath = `/api/traders/${trader.id}`;
    expect(await expectJson(await anonymous.get(profilePath), 200)).toEqual({
      id: trader.id,
      username: 'options_ace',
      name: trader.name,
      bio: 'Weeklies only',
      avatarUrl: 'https://example.test/a.png',
      isTrader: true,
      verified: false,
      followers: 0,
      // Issue 10: the profile grows its analytics (test/analytics/traders.test.ts checks them).
      statistics: expect.objectContaining({ closedPositions: 0, totalPnl: '0.00' }),
      curve: [],
      recentPositions: [],
      followerResults: expect.objectContaining({ totalPnl: '0.00', copyFills: 0 }),
      followerResultsAsOf: null,
    });

    const followers: Json[] = [];
    for (const name of ['f1', 'f2', 'f3', 'f4']) {
      const follower = await signUp(env.app, name);
      const subscription = await expectJson(
        await follower.client.post('/api/subscriptions', { traderId: trader.id }),
        201,
      );
      followers.push({ client: follower.client, id: subscription.id });
    }
    expect((await expectJson(await anonymous.get(profilePath), 200)).followers).toBe(4);

    // Paused and cancelled subscriptions are not followers.
    const [paused, cancelled] = followers as { client: HttpClient; id: string }[];
    if (!paused || !cancelled) throw new Error('followers missing');
    await expectJson(await paused.client.post(`/api/subscriptions/${paused.id}/pause`), 200);
    await expectJson(await cancelled.client.post(`/api/subscriptions/${cancelled.id}/cancel`), 200);
    expect((await expectJson(await anonymous.get(profilePath), 200)).followers).toBe(2);

    await t.sql(`UPDATE users SET trader_verified_at = now() AT TIME ZONE 'UTC' WHERE id = $1`, [trader.id]);
    expect((await expectJson(await anonymous.get(profilePath), 200)).verified).toBe(true);
    const subscriptions = await expectJson(await paused.client.get('/api/subscriptions'), 200);
    expect((subscriptions.subscriptions as Json[])[0]?.trader).toMatchObject({
      id: trader.id,
      verified: true,
    });
  });

  it('is not found for users who are not traders, unknown ids and soft-deleted traders', async () => {
    const plain = await signUp(env.app, 'plain');
    const gone = await signUpTrader(env.app);
    await softDelete(gone.id);
    const anonymous = new HttpClient(inProcess(env.app));
    for (const id of [plain.id, 'no-such-user', gone.id]) {
      const error = await expectError(await anonymous.get(`/api/traders/${id}`), 404, 'NOT_FOUND');
      expect(error.message).toBe('Trader not found');
    }
  });
});

describe('soft delete', () => {
  it("soft-deleting a trader cancels their subscribers' subscriptions", async () => {
    const trader = await signUpTrader(env.app);
    const yuri = await signUp(env.app, 'yuri');
    const zoe = await signUp(env.app, 'zoe');
    const yuris = await expectJson(
      await yuri.client.post('/api/subscriptions', { traderId: trader.id }),
      201,
    );
    const zoes = await expectJson(await zoe.client.post('/api/subscriptions', { traderId: trader.id }), 201);
    await expectJson(await zoe.client.post(`/api/subscriptions/${zoes.id}/pause`), 200);

    await softDelete(trader.id);

    for (const [member, subscription] of [
      [yuri, yuris],
      [zoe, zoes],
    ] as const) {
      const seen = await expectJson(await member.client.get(`/api/subscriptions/${subscription.id}`), 200);
      expect(seen).toMatchObject({ status: 'cancelled', cancelledAt: expect.any(String) });
      // Nothing to resume, and no new subscription to a deleted trader.
      await expectError(
        await member.client.post(`/api/subscriptions/${subscription.id}/resume`),
        422,
        'PRECONDITION_FAILED',
      );
      await expectError(
        await member.client.post('/api/subscriptions', { traderId: trader.id }),
        404,
        'NOT_FOUND',
      );
    }
    // The trigger acted without an application user.
    const { rows } = await t.sql<{ actor_id: string | null }>(
      `SELECT actor_id FROM audit_log
        WHERE table_name = 'subscriptions' AND row_id = $1 AND new_row->>'status' = 'cancelled'`,
      [yuris.id],
    );
    expect(rows).toEqual([{ actor_id: null }]);
  });

  it("soft-deleting a subscriber cancels their subscriptions, as the trader's list shows", async () => {
    const trader = await signUpTrader(env.app);
    const amy = await signUp(env.app, 'amy');
    const subscription = await expectJson(
      await amy.client.post('/api/subscriptions', { traderId: trader.id }),
      201,
    );
    expect((await expectJson(await trader.client.get(`/api/traders/${trader.id}`), 200)).followers).toBe(1);

    await softDelete(amy.id);

    const list = await expectJson(await trader.client.get('/api/subscriptions/subscribers'), 200);
    expect(list.subscribers).toEqual([
      expect.objectContaining({
        subscriptionId: subscription.id,
        status: 'cancelled',
        cancelledAt: expect.any(String),
      }),
    ]);
    expect((await expectJson(await trader.client.get(`/api/traders/${trader.id}`), 200)).followers).toBe(0);
    await expectError(await amy.client.get('/api/subscriptions'), 401, 'UNAUTHENTICATED');
  });
});
