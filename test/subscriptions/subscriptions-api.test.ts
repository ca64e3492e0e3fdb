/**
 * Subscriptions (PRODUCT.md §3) through the HTTP API against real PostgreSQL: subscribing with
 * default and custom settings, every validation boundary, who can be subscribed to, the
 * pause/resume/cancel life cycle, reactivation, the two lists, other users' ids, the
 * notification to the trader and the audit trail.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { subscribe } from '../../src/services/subscriptions/subscribe';
import { buildTestApp, HttpClient, inProcess, silentLogger, type TestApp, TestClock } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { createUser } from '../helpers/factories';
import { expectError, expectJson, type Json, type Member, patch, signUp, signUpTrader } from './helpers';

const t = useTestDatabase();
const clock = new TestClock(new Date('2026-11-24T15:00:00.000Z'));
let env: TestApp;

/** The seed's four settings and the risk controls' defaults (PRODUCT.md §3). */
const RISK_DEFAULTS = {
  sizing: { mode: 'multiplier' },
  maxPriceDriftPercent: null,
  driftLimitSeconds: 30,
  maxDailyLoss: null,
  copyOpenPositions: false,
};
const DEFAULTS = {
  autoExecute: false,
  maxPositionSize: 10,
  maxDailyTrades: 5,
  scalingFactor: 1,
  ...RISK_DEFAULTS,
};

beforeAll(() => {
  env = buildTestApp(t, { clock });
});

async function subscribeTo(member: Member, trader: Member, settings?: Json, status = 201): Promise<Json> {
  return expectJson(
    await member.client.post('/api/subscriptions', {
      traderId: trader.id,
      ...(settings ? { settings } : {}),
    }),
    status,
  );
}

async function storedRow(subscriptionId: string) {
  const { rows } = await t.sql<{
    settings: Json;
    status: string;
    scaling_type: string;
    equals_defaults: boolean;
  }>(
    `SELECT settings, status, jsonb_typeof(settings->'scalingFactor') AS scaling_type,
            settings = '{"autoExecute": false, "maxPositionSize": 10, "maxDailyTrades": 5, "scalingFactor": 1.0,
                         "sizing": {"mode": "multiplier"}, "maxPriceDriftPercent": null, "driftLimitSeconds": 30,
                         "maxDailyLoss": null, "copyOpenPositions": false}'::jsonb
              AS equals_defaults
       FROM subscriptions WHERE id = $1`,
    [subscriptionId],
  );
  const [row] = rows;
  if (!row) throw new Error(`no subscription ${subscriptionId}`);
  return row;
}

async function subscriptionCount(subscriberId: string): Promise<number> {
  const { rows } = await t.sql<{ n: number }>(
    'SELECT count(*)::int AS n FROM subscriptions WHERE subscriber_id = $1',
    [subscriberId],
  );
  return rows[0]?.n ?? 0;
}

describe('subscribing', () => {
  it('subscribes with the default settings, stored in the JSONB shape the fan-out reads', async () => {
    const trader = await signUpTrader(env.app);
    const alice = await signUp(env.app, 'alice');
    const subscription = await subscribeTo(alice, trader);
    expect(subscription).toMatchObject({
      trader: { id: trader.id, name: trader.name, username: null, avatarUrl: null, verified: false },
      settings: DEFAULTS,
      status: 'active',
      createdAt: clock.current.toISOString(),
      pausedAt: null,
      cancelledAt: null,
    });
    const stored = await storedRow(subscription.id as string);
    expect(stored).toMatchObject({ status: 'active', scaling_type: 'number', equals_defaults: true });
    expect(stored.settings).toEqual(DEFAULTS);
    expect(Object.keys(stored.settings).sort()).toEqual(
      [
        'autoExecute',
        'maxDailyTrades',
        'maxPositionSize',
        'scalingFactor',
        ...Object.keys(RISK_DEFAULTS),
      ].sort(),
    );
  });

  it('subscribes with custom settings; a decimal string scaling factor is stored as a JSON number', async () => {
    const trader = await signUpTrader(env.app);
    const bob = await signUp(env.app, 'bob');
    const settings = { autoExecute: true, scalingFactor: '0.5', maxPositionSize: 3, maxDailyTrades: 20 };
    const subscription = await subscribeTo(bob, trader, settings);
    const expected = {
      autoExecute: true,
      scalingFactor: 0.5,
      maxPositionSize: 3,
      maxDailyTrades: 20,
      ...RISK_DEFAULTS,
    };
    expect(subscription.settings).toEqual(expected);
    const stored = await storedRow(subscription.id as string);
    expect(stored.settings).toEqual(expected);
    expect(stored.scaling_type).toBe('number');
  });

  it('fills in the defaults of settings left out', async () => {
    const trader = await signUpTrader(env.app);
    const carol = await signUp(env.app, 'carol');
    const subscription = await subscribeTo(carol, trader, { scalingFactor: 2 });
    expect(subscription.settings).toEqual({ ...DEFAULTS, scalingFactor: 2 });
  });

  it.each([
    [{ scalingFactor: 0.009 }, 'settings.scalingFactor'],
    [{ scalingFactor: 10.01 }, 'settings.scalingFactor'],
    [{ scalingFactor: '10.01' }, 'settings.scalingFactor'],
    [{ scalingFactor: 0 }, 'settings.scalingFactor'],
    [{ scalingFactor: -1 }, 'settings.scalingFactor'],
    [{ scalingFactor: 1.234 }, 'settings.scalingFactor'],
    [{ scalingFactor: '1.234' }, 'settings.scalingFactor'],
    [{ scalingFactor: 'abc' }, 'settings.scalingFactor'],
    [{ scalingFactor: '1e-1' }, 'settings.scalingFactor'],
    [{ scalingFactor: true }, 'settings.scalingFactor'],
    [{ maxPositionSize: 0 }, 'settings.maxPositionSize'],
    [{ maxPositionSize: 1001 }, 'settings.maxPositionSize'],
    [{ maxPositionSize: 2.5 }, 'settings.maxPositionSize'],
    [{ maxPositionSize: '10' }, 'settings.maxPositionSize'],
    [{ maxDailyTrades: 0 }, 'settings.maxDailyTrades'],
    [{ maxDailyTrades: 101 }, 'settings.maxDailyTrades'],
    [{ maxDailyTrades: 1.5 }, 'settings.maxDailyTrades'],
    [{ autoExecute: 'yes' }, 'settings.autoExecute'],
    [{ scaling_factor: 2 }, 'settings'],
  ])('refuses settings %j with 400 naming %s, and creates nothing', async (settings, field) => {
    const trader = await signUpTrader(env.app);
    const dan = await signUp(env.app, 'dan');
    const error = await expectError(
      await dan.client.post('/api/subscriptions', { traderId: trader.id, settings }),
      400,
      'VALIDATION',
    );
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
    expect(await subscriptionCount(dan.id)).toBe(0);
  });

  it.each([
    [{ scalingFactor: 0.01 }, { scalingFactor: 0.01 }],
    [{ scalingFactor: 10 }, { scalingFactor: 10 }],
    [{ scalingFactor: '10.00' }, { scalingFactor: 10 }],
    [{ scalingFactor: ' 0.25 ' }, { scalingFactor: 0.25 }],
    [
      { maxPositionSize: 1, maxDailyTrades: 1 },
      { maxPositionSize: 1, maxDailyTrades: 1 },
    ],
    [
      { maxPositionSize: 1000, maxDailyTrades: 100 },
      { maxPositionSize: 1000, maxDailyTrades: 100 },
    ],
  ])('accepts the boundary settings %j', async (settings, expected) => {
    const trader = await signUpTrader(env.app);
    const erin = await signUp(env.app, 'erin');
    const subscription = await subscribeTo(erin, trader, settings);
    expect(subscription.settings).toEqual({ ...DEFAULTS, ...expected });
    expect((await storedRow(subscription.id as string)).settings).toEqual({ ...DEFAULTS, ...expected });
  });

  it('needs a traderId', async () => {
    const frank = await signUp(env.app, 'frank');
    const error = await expectError(await frank.client.post('/api/subscriptions', {}), 400, 'VALIDATION');
    expect(error.field).toBe('traderId');
  });

  it('refuses subscribing to yourself with 400 on traderId', async () => {
    const trader = await signUpTrader(env.app);
    const error = await expectError(
      await trader.client.post('/api/subscriptions', { traderId: trader.id }),
      400,
      'VALIDATION',
    );
    expect(error.field).toBe('traderId');
    expect(await subscriptionCount(trader.id)).toBe(0);
  });

  it('answers "Trader not found" alike for a non-trader and an unknown id', async () => {
    const plain = await signUp(env.app, 'plain');
    const gina = await signUp(env.app, 'gina');
    const notTrader = await expectError(
      await gina.client.post('/api/subscriptions', { traderId: plain.id }),
      404,
      'NOT_FOUND',
    );
    const unknown = await expectError(
      await gina.client.post('/api/subscriptions', { traderId: 'no-such-user' }),
      404,
      'NOT_FOUND',
    );
    expect(notTrader.message).toBe('Trader not found');
    expect(unknown.message).toBe(notTrader.message);
    expect(await subscriptionCount(gina.id)).toBe(0);
  });

  it('refuses a soft-deleted trader as not found', async () => {
    const trader = await signUpTrader(env.app);
    await t.sql(`UPDATE users SET deleted_at = now() AT TIME ZONE 'UTC' WHERE id = $1`, [trader.id]);
    const hank = await signUp(env.app, 'hank');
    const error = await expectError(
      await hank.client.post('/api/subscriptions', { traderId: trader.id }),
      404,
      'NOT_FOUND',
    );
    expect(error.message).toBe('Trader not found');
  });

  it('a soft-deleted user has lost their session: 401, nothing created', async () => {
    const trader = await signUpTrader(env.app);
    const ivy = await signUp(env.app, 'ivy');
    await t.sql(`UPDATE users SET deleted_at = now() AT TIME ZONE 'UTC' WHERE id = $1`, [ivy.id]);
    const { rows } = await t.sql('SELECT 1 FROM sessions WHERE user_id = $1', [ivy.id]);
    expect(rows).toHaveLength(0);
    await expectError(
      await ivy.client.post('/api/subscriptions', { traderId: trader.id }),
      401,
      'UNAUTHENTICATED',
    );
    expect(await subscriptionCount(ivy.id)).toBe(0);
  });

  it('the service itself refuses a soft-deleted subscriber (a session resolved just before the delete)', async () => {
    const trader = await createUser(t.db, { isTrader: true });
    const gone = await createUser(t.db, { deletedAt: new Date() });
    await expect(
      subscribe({
        ctx: { db: t.db, actor: { type: 'user', userId: gone.id }, now: clock.now, log: silentLogger() },
        input: { traderId: trader.id },
      }),
    ).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await subscriptionCount(gone.id)).toBe(0);
  });

  it('refuses a second subscription to the same trader, active or paused, with 409', async () => {
    const trader = await signUpTrader(env.app);
    const jack = await signUp(env.app, 'jack');
    const subscription = await subscribeTo(jack, trader);
    const active = await expectError(
      await jack.client.post('/api/subscriptions', { traderId: trader.id }),
      409,
      'CONFLICT',
    );
    expect(active.details).toMatchObject({ subscriptionId: subscription.id, status: 'active' });
    await expectJson(await jack.client.post(`/api/subscriptions/${subscription.id}/pause`), 200);
    const paused = await expectError(
      await jack.client.post('/api/subscriptions', { traderId: trader.id }),
      409,
      'CONFLICT',
    );
    expect(paused.details).toMatchObject({ status: 'paused' });
    expect(await subscriptionCount(jack.id)).toBe(1);
  });

  it('tells the trader with an in-app subscription_new notification', async () => {
    const trader = await signUpTrader(env.app);
    const kate = await signUp(env.app, 'kate');
    const subscription = await subscribeTo(kate, trader);
    const { rows } = await t.sql<{ type: string; title: string; body: string; data: Json; read: boolean }>(
      'SELECT type, title, body, data, read FROM notifications WHERE user_id = $1',
      [trader.id],
    );
    expect(rows).toEqual([
      {
        type: 'subscription_new',
        title: 'New subscriber',
        body: `${kate.name} subscribed to your trades`,
        data: { subscriptionId: subscription.id, subscriberId: kate.id, reactivated: false },
        read: false,
      },
    ]);
    const me = await expectJson(await trader.client.get('/api/me'), 200);
    expect(me.unreadNotifications).toBe(1);
    const { rows: mine } = await t.sql('SELECT 1 FROM notifications WHERE user_id = $1', [kate.id]);
    expect(mine).toHaveLength(0);
  });

  it('needs a session', async () => {
    const anonymous = new HttpClient(inProcess(env.app));
    await expectError(await anonymous.post('/api/subscriptions', { traderId: 'x' }), 401, 'UNAUTHENTICATED');
    await expectError(await anonymous.get('/api/subscriptions'), 401, 'UNAUTHENTICATED');
    await expectError(await anonymous.get('/api/subscriptions/subscribers'), 401, 'UNAUTHENTICATED');
  });
});

describe('the life cycle', () => {
  it('pauses, resumes and cancels with their timestamps; illegal changes answer 422', async () => {
    const trader = await signUpTrader(env.app);
    const liam = await signUp(env.app, 'liam');
    const { id } = await subscribeTo(liam, trader);
    const path = `/api/subscriptions/${id}`;

    const resumeActive = await expectError(
      await liam.client.post(`${path}/resume`),
      422,
      'PRECONDITION_FAILED',
    );
    expect(resumeActive.details).toEqual({ status: 'active' });

    clock.advance(60_000);
    const pausedAt = clock.current.toISOString();
    expect(await expectJson(await liam.client.post(`${path}/pause`), 200)).toMatchObject({
      status: 'paused',
      pausedAt,
      cancelledAt: null,
    });
    const pauseAgain = await expectError(await liam.client.post(`${path}/pause`), 422, 'PRECONDITION_FAILED');
    expect(pauseAgain.message).toContain('already paused');

    clock.advance(60_000);
    expect(await expectJson(await liam.client.post(`${path}/resume`), 200)).toMatchObject({
      status: 'active',
      pausedAt: null,
    });

    clock.advance(60_000);
    const cancelledAt = clock.current.toISOString();
    expect(await expectJson(await liam.client.post(`${path}/cancel`), 200)).toMatchObject({
      status: 'cancelled',
      cancelledAt,
    });
    for (const action of ['pause', 'resume', 'cancel']) {
      const error = await expectError(
        await liam.client.post(`${path}/${action}`),
        422,
        'PRECONDITION_FAILED',
      );
      expect(error.details).toEqual({ status: 'cancelled' });
    }
    await expectError(
      await patch(liam.client, path, { settings: { maxDailyTrades: 3 } }),
      422,
      'PRECONDITION_FAILED',
    );
    expect(await expectJson(await liam.client.get(path), 200)).toMatchObject({
      status: 'cancelled',
      cancelledAt,
      settings: DEFAULTS,
    });
  });

  it('cancels a paused subscription', async () => {
    const trader = await signUpTrader(env.app);
    const mia = await signUp(env.app, 'mia');
    const { id } = await subscribeTo(mia, trader);
    await expectJson(await mia.client.post(`/api/subscriptions/${id}/pause`), 200);
    expect(await expectJson(await mia.client.post(`/api/subscriptions/${id}/cancel`), 200)).toMatchObject({
      status: 'cancelled',
    });
  });

  it('subscribing again after a cancel reactivates the same row with the new settings', async () => {
    const trader = await signUpTrader(env.app);
    const noah = await signUp(env.app, 'noah');
    const first = await subscribeTo(noah, trader, { scalingFactor: 3, autoExecute: true });
    await expectJson(await noah.client.post(`/api/subscriptions/${first.id}/pause`), 200);
    await expectJson(await noah.client.post(`/api/subscriptions/${first.id}/cancel`), 200);

    clock.advance(3_600_000);
    const again = await subscribeTo(noah, trader, { maxPositionSize: 2 });
    expect(again).toMatchObject({
      id: first.id,
      status: 'active',
      pausedAt: null,
      cancelledAt: null,
      createdAt: first.createdAt,
      settings: { ...DEFAULTS, maxPositionSize: 2 },
    });
    expect(await subscriptionCount(noah.id)).toBe(1);
    expect((await storedRow(first.id as string)).settings).toEqual({ ...DEFAULTS, maxPositionSize: 2 });

    const { rows } = await t.sql<{ data: Json }>(
      `SELECT data FROM notifications WHERE user_id = $1 AND type = 'subscription_new' ORDER BY created_at, id`,
      [trader.id],
    );
    expect(rows.map((row) => row.data.reactivated)).toEqual([false, true]);
  });

  it('changes some settings and keeps the others, on an active or a paused subscription', async () => {
    const trader = await signUpTrader(env.app);
    const olga = await signUp(env.app, 'olga');
    const { id } = await subscribeTo(olga, trader, { maxPositionSize: 4 });
    const path = `/api/subscriptions/${id}`;
    expect(
      await expectJson(await patch(olga.client, path, { settings: { scalingFactor: '0.75' } }), 200),
    ).toMatchObject({ settings: { ...DEFAULTS, maxPositionSize: 4, scalingFactor: 0.75 } });
    await expectJson(await olga.client.post(`${path}/pause`), 200);
    expect(
      await expectJson(
        await patch(olga.client, path, { settings: { autoExecute: true, maxDailyTrades: 100 } }),
        200,
      ),
    ).toMatchObject({
      status: 'paused',
      settings: { autoExecute: true, maxPositionSize: 4, maxDailyTrades: 100, scalingFactor: 0.75 },
    });
    const stored = await storedRow(id as string);
    expect(stored.settings).toEqual({
      autoExecute: true,
      maxPositionSize: 4,
      maxDailyTrades: 100,
      scalingFactor: 0.75,
      ...RISK_DEFAULTS,
    });
    expect(stored.scaling_type).toBe('number');
  });

  it.each([
    [{ settings: { scalingFactor: 0.009 } }, 'settings.scalingFactor'],
    [{ settings: { scalingFactor: 10.01 } }, 'settings.scalingFactor'],
    [{ settings: { maxPositionSize: 0 } }, 'settings.maxPositionSize'],
    [{ settings: { maxDailyTrades: 2.5 } }, 'settings.maxDailyTrades'],
    [{ settings: { unknown: 1 } }, 'settings'],
    [{}, 'settings'],
  ])('refuses the change %j with 400 naming %s and keeps the settings', async (body, field) => {
    const trader = await signUpTrader(env.app);
    const pia = await signUp(env.app, 'pia');
    const { id } = await subscribeTo(pia, trader);
    const error = await expectError(
      await patch(pia.client, `/api/subscriptions/${id}`, body),
      400,
      'VALIDATION',
    );
    expect(error.field).toBe(field);
    expect((await storedRow(id as string)).settings).toEqual(DEFAULTS);
  });
});

describe('lists', () => {
  it('lists my subscriptions with the trader, filtered by status, a page at a time', async () => {
    const first = await signUpTrader(env.app, 'first');
    const second = await signUpTrader(env.app, 'second');
    const third = await signUpTrader(env.app, 'third');
    const quinn = await signUp(env.app, 'quinn');
    const a = await subscribeTo(quinn, first);
    clock.advance(1_000);
    const b = await subscribeTo(quinn, second, { scalingFactor: 2 });
    clock.advance(1_000);
    const c = await subscribeTo(quinn, third);
    await expectJson(await quinn.client.post(`/api/subscriptions/${c.id}/cancel`), 200);

    const all = await expectJson(await quinn.client.get('/api/subscriptions'), 200);
    const listed = all.subscriptions as Json[];
    expect(listed.map((s) => s.id)).toEqual([c.id, b.id, a.id]);
    expect(listed[1]).toMatchObject({
      trader: { id: second.id, name: second.name },
      settings: { ...DEFAULTS, scalingFactor: 2 },
      status: 'active',
    });
    expect(all.nextCursor).toBeNull();

    const live = await expectJson(await quinn.client.get('/api/subscriptions?status=active,paused'), 200);
    expect((live.subscriptions as Json[]).map((s) => s.id)).toEqual([b.id, a.id]);

    const page1 = await expectJson(await quinn.client.get('/api/subscriptions?limit=2'), 200);
    expect((page1.subscriptions as Json[]).map((s) => s.id)).toEqual([c.id, b.id]);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = await expectJson(
      await quinn.client.get(`/api/subscriptions?limit=2&cursor=${page1.nextCursor as string}`),
      200,
    );
    expect((page2.subscriptions as Json[]).map((s) => s.id)).toEqual([a.id]);
    expect(page2.nextCursor).toBeNull();

    const bad = await expectError(
      await quinn.client.get('/api/subscriptions?status=gone'),
      400,
      'VALIDATION',
    );
    expect(bad.field).toBe('status.0');

    // The traders see none of this as their own subscriptions.
    const theirs = await expectJson(await first.client.get('/api/subscriptions'), 200);
    expect(theirs.subscriptions).toEqual([]);
  });

  it('lists my subscribers as a trader', async () => {
    const trader = await signUpTrader(env.app);
    const rita = await signUp(env.app, 'rita');
    const sam = await signUp(env.app, 'sam');
    const ritas = await subscribeTo(rita, trader, { maxDailyTrades: 9 });
    clock.advance(1_000);
    const sams = await subscribeTo(sam, trader);
    await expectJson(await sam.client.post(`/api/subscriptions/${sams.id}/pause`), 200);

    const body = await expectJson(await trader.client.get('/api/subscriptions/subscribers'), 200);
    expect(body.subscribers).toEqual([
      {
        subscriptionId: sams.id,
        subscriber: { id: sam.id, username: null, name: sam.name },
        settings: DEFAULTS,
        status: 'paused',
        since: sams.createdAt,
        pausedAt: clock.current.toISOString(),
        cancelledAt: null,
      },
      {
        subscriptionId: ritas.id,
        subscriber: { id: rita.id, username: null, name: rita.name },
        settings: { ...DEFAULTS, maxDailyTrades: 9 },
        status: 'active',
        since: ritas.createdAt,
        pausedAt: null,
        cancelledAt: null,
      },
    ]);
    const active = await expectJson(
      await trader.client.get('/api/subscriptions/subscribers?status=active'),
      200,
    );
    expect((active.subscribers as Json[]).map((s) => s.subscriptionId)).toEqual([ritas.id]);

    // A subscriber has no subscribers of their own.
    expect(
      (await expectJson(await rita.client.get('/api/subscriptions/subscribers'), 200)).subscribers,
    ).toEqual([]);
  });
});

describe("another user's subscription", () => {
  it('answers 404 to everyone but its subscriber (the trader included) and changes nothing', async () => {
    const trader = await signUpTrader(env.app);
    const tom = await signUp(env.app, 'tom');
    const stranger = await signUp(env.app, 'stranger');
    const { id } = await subscribeTo(tom, trader);
    const path = `/api/subscriptions/${id}`;
    for (const outsider of [stranger, trader]) {
      await expectError(await outsider.client.get(path), 404, 'NOT_FOUND');
      await expectError(
        await patch(outsider.client, path, { settings: { maxPositionSize: 1 } }),
        404,
        'NOT_FOUND',
      );
      for (const action of ['pause', 'resume', 'cancel']) {
        await expectError(await outsider.client.post(`${path}/${action}`), 404, 'NOT_FOUND');
      }
    }
    // Unknown ids answer the same.
    await expectError(await stranger.client.get('/api/subscriptions/nope'), 404, 'NOT_FOUND');
    await expectError(await stranger.client.post('/api/subscriptions/nope/pause'), 404, 'NOT_FOUND');
    expect(await expectJson(await tom.client.get(path), 200)).toMatchObject({
      status: 'active',
      settings: DEFAULTS,
    });
  });
});

describe('audit trail', () => {
  it('records every change of a subscription with the acting user', async () => {
    const trader = await signUpTrader(env.app);
    const uma = await signUp(env.app, 'uma');
    const { id } = await subscribeTo(uma, trader);
    const path = `/api/subscriptions/${id}`;
    await expectJson(await patch(uma.client, path, { settings: { scalingFactor: 1.5 } }), 200);
    await expectJson(await uma.client.post(`${path}/pause`), 200);
    await expectJson(await uma.client.post(`${path}/resume`), 200);
    await expectJson(await uma.client.post(`${path}/cancel`), 200);
    await subscribeTo(uma, trader);
    // A refused change writes nothing.
    await expectError(await uma.client.post(`${path}/resume`), 422, 'PRECONDITION_FAILED');

    const { rows } = await t.sql<{
      operation: string;
      actor_id: string | null;
      old_status: string | null;
      new_status: string | null;
      new_scaling: number | null;
    }>(
      `SELECT operation, actor_id, old_row->>'status' AS old_status, new_row->>'status' AS new_status,
              (new_row->'settings'->>'scalingFactor')::numeric::float8 AS new_scaling
         FROM audit_log WHERE table_name = 'subscriptions' AND row_id = $1 ORDER BY id`,
      [id],
    );
    expect(rows).toEqual([
      { operation: 'INSERT', actor_id: uma.id, old_status: null, new_status: 'active', new_scaling: 1 },
      { operation: 'UPDATE', actor_id: uma.id, old_status: 'active', new_status: 'active', new_scaling: 1.5 },
      { operation: 'UPDATE', actor_id: uma.id, old_status: 'active', new_status: 'paused', new_scaling: 1.5 },
      { operation: 'UPDATE', actor_id: uma.id, old_status: 'paused', new_status: 'active', new_scaling: 1.5 },
      {
        operation: 'UPDATE',
        actor_id: uma.id,
        old_status: 'active',
        new_status: 'cancelled',
        new_scaling: 1.5,
      },
      {
        operation: 'UPDATE',
        actor_id: uma.id,
        old_status: 'cancelled',
        new_status: 'active',
        new_scaling: 1,
      },
    ]);
  });
});

describe('OpenAPI', () => {
  it('documents the subscription and trader routes', async () => {
    const doc = (await (await env.app.request('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, { tags?: string[]; security?: unknown }>>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/subscriptions',
        '/api/subscriptions/subscribers',
        '/api/subscriptions/{id}',
        '/api/subscriptions/{id}/pause',
        '/api/subscriptions/{id}/resume',
        '/api/subscriptions/{id}/cancel',
        '/api/me/trader',
        '/api/traders/{id}',
      ]),
    );
    expect(doc.paths['/api/subscriptions']?.post?.security).toEqual([{ sessionCookie: [] }]);
    expect(Object.keys(doc.paths['/api/subscriptions/{id}'] ?? {}).sort()).toEqual(['get', 'patch']);
    // Public, said explicitly (issue 8: every operation declares its security).
    expect(doc.paths['/api/traders/{id}']?.get?.security).toEqual([]);
  });
});
