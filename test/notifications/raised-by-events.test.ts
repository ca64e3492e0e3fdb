/**
 * Every notification type whose event exists is raised by that event, through the real path
 * (services, order reactions, the jobs a worker runs), and routed by the defaults: a push queued
 * for fills, approvals wanted and failures, none for the others; Discord for a trader's own fills.
 * (connection_broken and daily_loss_limit have no event yet: their routing is in notify.test.ts.)
 */
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOccSymbol } from '../../src/domain/occ';
import type { NotificationType } from '../../src/domain/vocabulary';
import type { JobDeps } from '../../src/jobs/tasks';
import { createPaperAccount } from '../../src/services/accounts/create-paper-account';
import { subscribe } from '../../src/services/subscriptions/subscribe';
import { applyOrderUpdate } from '../../src/services/trading/apply-order-update';
import { cancelOrder } from '../../src/services/trading/cancel-order';
import { expirePositions } from '../../src/services/trading/expire-positions';
import { placeBto } from '../../src/services/trading/place-bto';
import {
  CONTRACT,
  type CopyWorld,
  copyWorld,
  subscriber,
  trader,
  traderBuys,
  traderSells,
} from '../copy/support';
import { useTestDatabase } from '../helpers/db';
import { createUser } from '../helpers/factories';
import { queuedJobs, runJobs, testJobDeps } from '../helpers/jobs';

const t = useTestDatabase();
const WEBHOOK =
  'https://discord.com/api/webhooks/223456789012345678/bcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-a';
let w: CopyWorld;
let deps: JobDeps;

beforeAll(() => {
  w = copyWorld(t);
  deps = testJobDeps(t, { now: w.clock.now, trading: w.trading });
});

let browsers = 0;
/** Register a browser for the user's pushes, as the API stores one. */
async function withBrowser(userId: string): Promise<string> {
  browsers += 1;
  await t.sql('INSERT INTO push_subscriptions (user_id, subscription) VALUES ($1, $2)', [
    userId,
    { endpoint: `https://fcm.googleapis.com/fcm/send/events-${browsers}`, keys: { p256dh: 'k', auth: 'a' } },
  ]);
  return userId;
}

/** Run the follow-up jobs an event leaves (notifications of order changes and expiries). */
const runFollowUps = () => runJobs(t, deps, ['order-updated', 'position-expired']);

type Told = { type: NotificationType; title: string; body: string; pushes: number; discord: number };

/** What a user was told, with the deliveries queued for each notification. */
async function told(userId: string): Promise<Told[]> {
  const { rows } = await t.db.execute<{
    id: string;
    type: NotificationType;
    title: string;
    body: string;
  }>(sql`
    SELECT id, type, title, body FROM notifications WHERE user_id = ${userId} ORDER BY created_at, id`);
  const pushes = await queuedJobs(t, 'deliver-push');
  const discord = await queuedJobs(t, 'deliver-discord');
  return rows.map((row) => ({
    type: row.type,
    title: row.title,
    body: row.body,
    pushes: pushes.filter((j) => j.payload.notificationId === row.id).length,
    discord: discord.filter((j) => j.payload.notificationId === row.id).length,
  }));
}

describe('each notification type is raised by its real event', () => {
  it("order_filled: a trader's own fill, pushed and posted to Discord", async () => {
    const boss = await withBrowser(await trader(w));
    await t.sql('UPDATE users SET discord_webhook_url = $2 WHERE id = $1', [boss, WEBHOOK]);
    await traderBuys(w, boss, 3);
    await runFollowUps();
    expect(await told(boss)).toEqual([
      {
        type: 'order_filled',
        title: 'Order filled',
        body: 'BTO 3 of 3 × AAPL 150 C 2030-01-18 @ 2.5000',
        pushes: 1,
        discord: 1,
      },
    ]);
  });

  it('order_cancelled: a working order cancelled by its owner (in-app only)', async () => {
    const user = await withBrowser(await trader(w));
    const order = await placeBto({
      ctx: w.as(user),
      deps: w.trading,
      input: { side: 'BTO', ...CONTRACT, quantity: 2, orderType: 'Limit', limitPrice: '1.00' },
    });
    expect(order.status).toBe('pending');
    await cancelOrder({ ctx: w.as(user), deps: w.trading, input: { tradeId: order.id } });
    await runFollowUps();
    expect(await told(user)).toEqual([
      {
        type: 'order_cancelled',
        title: 'Order cancelled',
        body: 'BTO 2 × AAPL 150 C 2030-01-18 cancelled',
        pushes: 0,
        discord: 0,
      },
    ]);
  });

  it('order_rejected: the broker rejects a working order (reported by a sync; in-app only)', async () => {
    const user = await withBrowser(await trader(w));
    const order = await placeBto({
      ctx: w.as(user),
      deps: w.trading,
      input: { side: 'BTO', ...CONTRACT, quantity: 1, orderType: 'Limit', limitPrice: '1.00' },
    });
    await applyOrderUpdate({
      ctx: w.system,
      input: {
        tradeId: order.id,
        report: {
          status: 'rejected',
          filledQuantity: 0,
          averageFillPrice: null,
          reason: 'Options level too low',
        },
        source: 'sync',
      },
    });
    await runFollowUps();
    expect(await told(user)).toEqual([
      {
        type: 'order_rejected',
        title: 'Order rejected',
        body: 'BTO 1 × AAPL 150 C 2030-01-18: Options level too low',
        pushes: 0,
        discord: 0,
      },
    ]);
  });

  it('copy_trade_alert, copy_trade_skipped, copy_trade_executed and copy_trade_close: a fan-out and its copies', async () => {
    const boss = await trader(w);
    const waiting = await subscriber(w, boss, { autoExecute: false });
    const small = await subscriber(w, boss, { scalingFactor: 0.1 });
    const copier = await subscriber(w, boss, { autoExecute: true });
    for (const s of [waiting, small, copier]) await withBrowser(s.userId);
    const { trade } = await traderBuys(w, boss, 2);
    await runFollowUps();
    expect(await told(waiting.userId)).toEqual([
      {
        type: 'copy_trade_alert',
        title: 'Copy trade waiting for approval',
        body: 'BTO AAPL 150 C 2030-01-18: approve within 15 minutes to copy 2 contract(s)',
        pushes: 1,
        discord: 0,
      },
    ]);
    expect(await told(small.userId)).toEqual([
      {
        type: 'copy_trade_skipped',
        title: 'Copy trade skipped',
        body: 'BTO AAPL 150 C 2030-01-18 was not copied: below minimum',
        pushes: 0,
        discord: 0,
      },
    ]);
    expect(await told(copier.userId)).toEqual([
      {
        type: 'copy_trade_executed',
        title: 'Copy trade executed',
        body: 'BTO 2 of 2 × AAPL 150 C 2030-01-18 @ 2.5000',
        pushes: 0,
        discord: 0,
      },
    ]);

    w.clock.advance(60_000);
    await traderSells(w, boss, trade.parentTradeId, 2);
    await runFollowUps();
    expect((await told(copier.userId)).at(-1)).toEqual({
      type: 'copy_trade_close',
      title: 'Copied position closed',
      body: 'STC 2 of 2 × AAPL 150 C 2030-01-18 @ 2.4000',
      pushes: 0,
      discord: 0,
    });
  });

  it("copy_trade_failed: the subscriber's broker refuses the copy (pushed)", async () => {
    const boss = await trader(w);
    const user = await createUser(t.db);
    await createPaperAccount({ ctx: w.as(user.id), input: { startingBalance: '10' } });
    await t.sql(
      `INSERT INTO subscriptions (subscriber_id, trader_id, settings) VALUES ($1, $2, '{"autoExecute": true}'::jsonb)`,
      [user.id, boss],
    );
    await withBrowser(user.id);
    await traderBuys(w, boss, 1);
    await runFollowUps();
    const [failed] = await told(user.id);
    expect(failed).toMatchObject({
      type: 'copy_trade_failed',
      title: 'Copy trade failed',
      pushes: 1,
      discord: 0,
    });
    expect(failed?.body).toMatch(/^BTO 1 × AAPL 150 C 2030-01-18: /);
  });

  it('subscription_new: a user subscribes to the trader (in-app only)', async () => {
    const boss = await withBrowser(await trader(w));
    const fan = await createUser(t.db, { name: 'Fan' });
    await subscribe({ ctx: w.as(fan.id), input: { traderId: boss } });
    const [note] = await told(boss);
    expect(note).toMatchObject({ type: 'subscription_new', title: 'New subscriber', pushes: 0, discord: 0 });
  });
});

describe('position_expired', () => {
  it('is raised when a position expires after the close of its expiration day (in-app only)', async () => {
    // Wednesday 2026-11-25, 10:00 in New York; the contract expires that day.
    const world = copyWorld(t, new Date('2026-11-25T15:00:00Z'));
    const contract = {
      underlying: 'AAPL',
      optionType: 'call',
      strike: '150',
      expiration: '2026-11-25',
    } as const;
    world.quotes.set(buildOccSymbol(contract), { bid: '1.40', ask: '1.50' });
    const holder = await withBrowser(await trader(world));
    await placeBto({
      ctx: world.as(holder),
      deps: world.trading,
      input: { side: 'BTO', ...contract, quantity: 1 },
    });
    const worldDeps = { ...deps, now: world.clock.now, trading: world.trading };
    await runJobs(t, worldDeps, ['order-updated']);
    world.clock.advance(10 * 60 * 60 * 1000); // 20:00 in New York: after the close
    const { expired } = await expirePositions({ ctx: world.system, deps: world.trading });
    expect(expired).toHaveLength(1);
    await runJobs(t, worldDeps, ['order-updated', 'position-expired']);
    const notes = await told(holder);
    expect(notes.map((n) => n.type)).toEqual(['order_filled', 'position_expired']);
    expect(notes[1]).toEqual({
      type: 'position_expired',
      title: 'Position expired',
      body: 'AAPL 150 C 2026-11-25 expired; realised P&L -150.00',
      pushes: 0,
      discord: 0,
    });
  });
});
