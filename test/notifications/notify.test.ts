/**
 * notify()/notifyMany(): the in-app row always, in the caller's transaction, and the deliveries
 * the user's preferences allow (PRODUCT.md §4: push for fills, approvals wanted, failures and
 * broken connections by default; Discord for a trader's fills), at most 10 pushes a minute.
 *
 * connection_broken and daily_loss_limit have no event raising them yet (issues 13 and 14): their
 * routing is tested here, with every other type.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PREFERENCES } from '../../src/domain/notification-preferences';
import { NOTIFICATION_TYPES, type NotificationType } from '../../src/domain/vocabulary';
import type { ServiceContext } from '../../src/services/context';
import { notify, notifyMany, PUSH_RATE_LIMIT } from '../../src/services/notifications/notify';
import { updateNotificationPreferences } from '../../src/services/notifications/preferences';
import { silentLogger, TestClock } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { createUser } from '../helpers/factories';
import { queuedJobs } from '../helpers/jobs';

const t = useTestDatabase();
const clock = new TestClock(new Date('2026-11-24T15:00:00Z'));
const WEBHOOK =
  'https://discord.com/api/webhooks/123456789012345678/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-';

const as = (userId: string): ServiceContext => ({
  db: t.db,
  actor: { type: 'user', userId },
  now: clock.now,
  log: silentLogger(),
});

let browserCounter = 0;
/** A user with `browsers` registered push subscriptions (and, for a trader, a Discord webhook). */
async function person(options: { browsers?: number; trader?: boolean } = {}) {
  const user = await createUser(t.db, {
    isTrader: options.trader ?? false,
    discordWebhookUrl: options.trader ? WEBHOOK : null,
  });
  for (let i = 0; i < (options.browsers ?? 1); i++) {
    browserCounter += 1;
    await t.sql('INSERT INTO push_subscriptions (user_id, subscription) VALUES ($1, $2)', [
      user.id,
      {
        endpoint: `https://fcm.googleapis.com/fcm/send/browser-${browserCounter}`,
        keys: { p256dh: 'k', auth: 'a' },
      },
    ]);
  }
  return user;
}

/** The push and Discord jobs queued for a notification. */
async function deliveriesOf(notificationId: string) {
  const pushes = (await queuedJobs(t, 'deliver-push')).filter(
    (j) => j.payload.notificationId === notificationId,
  );
  const discord = (await queuedJobs(t, 'deliver-discord')).filter(
    (j) => j.payload.notificationId === notificationId,
  );
  return { pushes: pushes.length, discord: discord.length };
}

beforeAll(async () => {
  await t.sql('DELETE FROM graphile_worker._private_jobs');
});

describe('notify', () => {
  it('always writes the in-app row, and routes every type by the defaults of PRODUCT.md §4', async () => {
    const pushed = new Set<NotificationType>([
      'order_filled',
      'copy_trade_alert',
      'copy_trade_failed',
      'connection_broken',
    ]);
    const routes: Record<string, { pushes: number; discord: number }> = {};
    for (const type of NOTIFICATION_TYPES) {
      const user = await person({ browsers: 2, trader: true });
      const id = await notify({
        tx: t.db,
        ctx: { now: clock.now },
        input: { userId: user.id, type, title: `A ${type}`, body: 'something happened', data: { k: type } },
      });
      const { rows } = await t.sql(
        'SELECT user_id, type, title, body, data, read FROM notifications WHERE id = $1',
        [id],
      );
      expect(rows).toEqual([
        {
          user_id: user.id,
          type,
          title: `A ${type}`,
          body: 'something happened',
          data: { k: type },
          read: false,
        },
      ]);
      routes[type] = await deliveriesOf(id);
    }
    expect(routes).toEqual(
      Object.fromEntries(
        NOTIFICATION_TYPES.map((type) => [
          type,
          { pushes: pushed.has(type) ? 2 : 0, discord: type === 'order_filled' ? 1 : 0 },
        ]),
      ),
    );
    // The defaults the API shows are the ones applied.
    for (const type of NOTIFICATION_TYPES) expect(DEFAULT_PREFERENCES[type].push).toBe(pushed.has(type));
  });

  it("follows the user's preferences, per type and channel", async () => {
    const user = await person({ browsers: 1, trader: true });
    await updateNotificationPreferences({
      ctx: as(user.id),
      input: {
        order_filled: { push: false, discord: false },
        copy_trade_skipped: { push: true },
        connection_broken: { push: false },
      },
    });
    const send = (type: NotificationType) =>
      notify({ tx: t.db, ctx: { now: clock.now }, input: { userId: user.id, type, title: 't', body: 'b' } });
    expect(await deliveriesOf(await send('order_filled'))).toEqual({ pushes: 0, discord: 0 });
    expect(await deliveriesOf(await send('copy_trade_skipped'))).toEqual({ pushes: 1, discord: 0 });
    expect(await deliveriesOf(await send('connection_broken'))).toEqual({ pushes: 0, discord: 0 });
    // Untouched types keep their defaults.
    expect(await deliveriesOf(await send('copy_trade_alert'))).toEqual({ pushes: 1, discord: 0 });
    expect(await deliveriesOf(await send('daily_loss_limit'))).toEqual({ pushes: 0, discord: 0 });
  });

  it('queues no push for a user without browsers, and no Discord post without a webhook', async () => {
    const user = await person({ browsers: 0 });
    const id = await notify({
      tx: t.db,
      ctx: { now: clock.now },
      input: { userId: user.id, type: 'order_filled', title: 't', body: 'b' },
    });
    expect(await deliveriesOf(id)).toEqual({ pushes: 0, discord: 0 });
  });

  it('queues at most 10 pushes a minute per user; the rest stay in-app; the next minute pushes again', async () => {
    expect(PUSH_RATE_LIMIT).toEqual({ limit: 10, windowSeconds: 60 });
    const busy = await person({ browsers: 1 });
    const calm = await person({ browsers: 1 });
    const alert = (userId: string, n: number) => ({
      userId,
      type: 'copy_trade_alert' as const,
      title: `alert ${n}`,
      body: 'b',
    });
    const first = await notifyMany({
      tx: t.db,
      ctx: { now: clock.now },
      input: [
        ...Array.from({ length: 11 }, (_, n) => alert(busy.id, n)),
        alert(calm.id, 0),
        alert(calm.id, 1),
      ],
    });
    expect(first).toMatchObject({ pushes: 12, pushesLimited: 1 });
    expect(first.notifications).toHaveLength(13);
    const pushedTo = async (userId: string) => {
      const { rows } = await t.sql<{ id: string }>('SELECT id FROM notifications WHERE user_id = $1', [
        userId,
      ]);
      const mine = new Set(rows.map((row) => row.id));
      return (await queuedJobs(t, 'deliver-push')).filter((j) => mine.has(String(j.payload.notificationId)))
        .length;
    };
    expect(await pushedTo(busy.id)).toBe(10);
    expect(await pushedTo(calm.id)).toBe(2);
    const { rows } = await t.sql<{ n: number }>(
      'SELECT count(*)::int AS n FROM notifications WHERE user_id = $1',
      [busy.id],
    );
    expect(rows[0]?.n).toBe(11);

    clock.advance(30_000);
    expect(
      await notifyMany({ tx: t.db, ctx: { now: clock.now }, input: [alert(busy.id, 12)] }),
    ).toMatchObject({
      pushes: 0,
      pushesLimited: 1,
    });
    clock.advance(30_000);
    expect(
      await notifyMany({ tx: t.db, ctx: { now: clock.now }, input: [alert(busy.id, 13)] }),
    ).toMatchObject({
      pushes: 1,
      pushesLimited: 0,
    });
  });

  it("writes in the caller's transaction: rolled back, nothing is written or queued", async () => {
    const user = await person({ browsers: 1, trader: true });
    await expect(
      t.db.transaction(async (tx) => {
        await notify({
          tx,
          ctx: { now: clock.now },
          input: { userId: user.id, type: 'order_filled', title: 't', body: 'b' },
        });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const { rows } = await t.sql('SELECT 1 FROM notifications WHERE user_id = $1', [user.id]);
    expect(rows).toEqual([]);
    const { rows: browsers } = await t.sql<{ id: string }>(
      'SELECT id FROM push_subscriptions WHERE user_id = $1',
      [user.id],
    );
    const pushes = await queuedJobs(t, 'deliver-push');
    expect(pushes.filter((j) => j.payload.pushSubscriptionId === browsers[0]?.id)).toEqual([]);
    expect((await queuedJobs(t, 'deliver-discord')).filter((j) => j.payload.userId === user.id)).toEqual([]);
  });

  it('notifies two thousand users in one call, each with their own unread count', async () => {
    const { rows: people } = await t.sql<{ id: string }>(
      `INSERT INTO users (email) SELECT 'many-' || g || '@example.test' FROM generate_series(1, 2000) g RETURNING id`,
    );
    const result = await notifyMany({
      tx: t.db,
      ctx: { now: clock.now },
      input: people.map((p) => ({
        userId: p.id,
        type: 'copy_trade_skipped' as const,
        title: 't',
        body: 'b',
      })),
    });
    expect(result.notifications).toHaveLength(2000);
    const { rows } = await t.sql<{ n: number; unread: number }>(
      `SELECT count(*)::int AS n, sum(unread_notifications)::int AS unread FROM users WHERE id = ANY($1)`,
      [people.map((p) => p.id)],
    );
    expect(rows[0]).toEqual({ n: 2000, unread: 2000 });
  });
});
