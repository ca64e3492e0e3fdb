/**
 * The in-app notifications API (PRODUCT.md §4, §7): list with cursor paging and an unread filter,
 * unread count, mark one / all read, preferences read and changed (unknown types or channels are
 * a 400 naming them).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { NOTIFICATION_TYPES } from '../../src/domain/vocabulary';
import { notifyMany } from '../../src/services/notifications/notify';
import { buildTestApp, HttpClient, inProcess, type TestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { expectError, expectJson, type Json, type Member, patch, signUp } from '../subscriptions/helpers';

const t = useTestDatabase();
let env: TestApp;

beforeAll(() => {
  env = buildTestApp(t);
});

/** `count` notifications for the member, one clock second apart, oldest first. */
async function notifyTimes(member: Member, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    env.clock.advance(1_000);
    await notifyMany({
      tx: t.db,
      ctx: { now: env.clock.now },
      input: [
        { userId: member.id, type: 'order_filled', title: `Fill ${i}`, body: `body ${i}`, data: { i } },
      ],
    });
  }
}

type Page = { notifications: Json[]; nextCursor: string | null; unread: number };

async function page(member: Member, query = ''): Promise<Page> {
  return (await expectJson(await member.client.get(`/api/notifications${query}`), 200)) as Page;
}

describe('the notification list', () => {
  it('pages newest first by cursor, with the unread count', async () => {
    const ann = await signUp(env.app, 'ann');
    await notifyTimes(ann, 5);
    const first = await page(ann, '?limit=2');
    expect(first.notifications.map((n) => n.title)).toEqual(['Fill 4', 'Fill 3']);
    expect(first.unread).toBe(5);
    expect(first.notifications[0]).toEqual({
      id: expect.any(String),
      type: 'order_filled',
      title: 'Fill 4',
      body: 'body 4',
      data: { i: 4 },
      read: false,
      readAt: null,
      createdAt: env.clock.now().toISOString(),
    });
    const titles = [...first.notifications.map((n) => n.title)];
    let cursor = first.nextCursor;
    while (cursor) {
      const next = await page(ann, `?limit=2&cursor=${encodeURIComponent(cursor)}`);
      titles.push(...next.notifications.map((n) => n.title));
      cursor = next.nextCursor;
    }
    expect(titles).toEqual(['Fill 4', 'Fill 3', 'Fill 2', 'Fill 1', 'Fill 0']);
  });

  it('filters unread, marks one read (keeping the first time) and all read', async () => {
    const bob = await signUp(env.app, 'bob');
    await notifyTimes(bob, 3);
    const [newest, middle] = (await page(bob)).notifications;
    env.clock.advance(5_000);
    const readAt = env.clock.now().toISOString();
    const read = await expectJson(await bob.client.post(`/api/notifications/${middle?.id}/read`), 200);
    expect(read).toMatchObject({ id: middle?.id, read: true, readAt });
    env.clock.advance(5_000);
    const again = await expectJson(await bob.client.post(`/api/notifications/${middle?.id}/read`), 200);
    expect(again.readAt).toBe(readAt);
    expect(await expectJson(await bob.client.get('/api/notifications/unread-count'), 200)).toEqual({
      unread: 2,
    });
    const unread = await page(bob, '?unread=true');
    expect(unread.notifications.map((n) => n.id)).toEqual([newest?.id, expect.any(String)]);
    expect(unread.notifications.every((n) => n.read === false)).toBe(true);

    expect(await expectJson(await bob.client.post('/api/notifications/read-all'), 200)).toEqual({
      updated: 2,
      unread: 0,
    });
    expect((await page(bob, '?unread=true')).notifications).toEqual([]);
    const me = await expectJson(await bob.client.get('/api/me'), 200);
    expect(me.unreadNotifications).toBe(0);
  });

  it("answers 404 for another user's notification, and changes nothing", async () => {
    const cai = await signUp(env.app, 'cai');
    const dan = await signUp(env.app, 'dan');
    await notifyTimes(cai, 1);
    const [mine] = (await page(cai)).notifications;
    await expectError(await dan.client.post(`/api/notifications/${mine?.id}/read`), 404, 'NOT_FOUND');
    expect((await page(cai)).unread).toBe(1);
  });

  it('refuses bad paging input with 400 naming the field', async () => {
    const eve = await signUp(env.app, 'eve');
    expect(
      (await expectError(await eve.client.get('/api/notifications?limit=0'), 400, 'VALIDATION')).field,
    ).toBe('limit');
    expect(
      (await expectError(await eve.client.get('/api/notifications?cursor=nonsense'), 400, 'VALIDATION'))
        .field,
    ).toBe('cursor');
    expect(
      (await expectError(await eve.client.get('/api/notifications?unread=yes'), 400, 'VALIDATION')).field,
    ).toBe('unread');
  });

  it('needs a session', async () => {
    const anonymous = new HttpClient(inProcess(env.app));
    for (const path of [
      '/api/notifications',
      '/api/notifications/unread-count',
      '/api/notifications/preferences',
    ]) {
      await expectError(await anonymous.get(path), 401, 'UNAUTHENTICATED');
    }
    await expectError(await anonymous.post('/api/notifications/read-all'), 401, 'UNAUTHENTICATED');
  });
});

describe('notification preferences', () => {
  it('shows the defaults, takes changes of some channels of some types, and keeps the rest', async () => {
    const fay = await signUp(env.app, 'fay');
    const defaults = await expectJson(await fay.client.get('/api/notifications/preferences'), 200);
    expect(Object.keys(defaults).sort()).toEqual([...NOTIFICATION_TYPES].sort());
    expect(defaults.order_filled).toEqual({ in_app: true, push: true, email: false, discord: true });
    expect(defaults.copy_trade_alert).toEqual({ in_app: true, push: true, email: true });
    expect(defaults.copy_trade_skipped).toEqual({ in_app: true, push: false, email: false });

    const changed = await expectJson(
      await patch(fay.client, '/api/notifications/preferences', {
        order_filled: { discord: false },
        copy_trade_skipped: { push: true },
      }),
      200,
    );
    expect(changed.order_filled).toEqual({ in_app: true, push: true, email: false, discord: false });
    expect(changed.copy_trade_skipped).toEqual({ in_app: true, push: true, email: false });
    expect(changed.copy_trade_alert).toEqual(defaults.copy_trade_alert);
    await expectJson(
      await patch(fay.client, '/api/notifications/preferences', { order_filled: { push: false } }),
      200,
    );
    const now = await expectJson(await fay.client.get('/api/notifications/preferences'), 200);
    expect(now.order_filled).toEqual({ in_app: true, push: false, email: false, discord: false });
    expect(now.copy_trade_skipped).toEqual({ in_app: true, push: true, email: false });
    // Only the changes are stored: a later change of a default reaches users who never touched it.
    const { rows } = await t.sql('SELECT notification_preferences AS p FROM users WHERE id = $1', [fay.id]);
    expect(rows[0]?.p).toEqual({
      order_filled: { push: false, discord: false },
      copy_trade_skipped: { push: true },
    });
  });

  it('refuses unknown types and channels, in-app off and Discord for other types, naming the field', async () => {
    const gus = await signUp(env.app, 'gus');
    const refused = async (body: unknown) =>
      (await expectError(await patch(gus.client, '/api/notifications/preferences', body), 400, 'VALIDATION'))
        .field;
    expect(await refused({ order_shipped: { push: true } })).toBe('order_shipped');
    expect(await refused({ order_filled: { sms: true } })).toBe('order_filled.sms');
    expect(await refused({ order_filled: { push: 'yes' } })).toBe('order_filled.push');
    expect(await refused({ order_filled: { in_app: false } })).toBe('order_filled.in_app');
    expect(await refused({ copy_trade_alert: { discord: true } })).toBe('copy_trade_alert.discord');
    const { rows } = await t.sql('SELECT notification_preferences AS p FROM users WHERE id = $1', [gus.id]);
    expect(rows[0]?.p).toEqual({});
  });
});
