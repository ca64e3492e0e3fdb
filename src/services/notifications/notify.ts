import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import {
  effectivePreferences,
  type NotificationPreferences,
  routeNotification,
} from '../../domain/notification-preferences';
import type { NotificationType } from '../../domain/vocabulary';
import { enqueueMany } from '../../jobs/queue';
import type { ServiceContext } from '../context';
import { consumeRateLimits } from '../limits/consume-rate-limit';

/** One notification to write: who, what, and the facts the app and the channels show with it. */
export type NotificationInput = {
  userId: string;
  type: NotificationType;
  title: string;
  body: string;
  data?: Record<string, unknown> | null;
};

/** At most this many pushes a minute per user (PRODUCT.md §4); the rest stay in-app. */
export const PUSH_RATE_LIMIT = { limit: 10, windowSeconds: 60 } as const;

export const pushRateLimitKey = (userId: string) => `push:user:${userId}`;

export type NotifyResult = {
  /** The notifications written, one per input (in no particular order). */
  notifications: Array<{ id: string; userId: string; type: NotificationType }>;
  /** Push deliveries queued (one per notification and browser). */
  pushes: number;
  /** Notifications kept in-app only because the user's push rate limit was reached. */
  pushesLimited: number;
  /** Discord posts queued. */
  discordPosts: number;
  /** Emails queued (to confirmed addresses only). */
  emails: number;
};

type Written = {
  id: string;
  user_id: string;
  type: NotificationType;
  preferences: unknown;
  has_discord: boolean;
  email_verified: boolean;
  push_subscription_ids: string[];
};

/**
 * Notify many users at once (a fan-out telling thousands of subscribers): the in-app rows are
 * written in the caller's transaction `tx`, and delivery on every other channel the user's
 * preferences allow (PRODUCT.md §4) is queued there too, so a notification and its deliveries
 * commit or vanish with the change that caused them. A fixed number of statements for any
 * number of notifications: the rows with each user's preferences and browsers, the push rate
 * limits, the push jobs, the Discord jobs and the email jobs.
 */
export async function notifyMany({
  tx,
  ctx,
  input,
}: {
  tx: Executor;
  ctx: Pick<ServiceContext, 'now'>;
  input: readonly NotificationInput[];
}): Promise<NotifyResult> {
  const result: NotifyResult = { notifications: [], pushes: 0, pushesLimited: 0, discordPosts: 0, emails: 0 };
  if (input.length === 0) return result;
  const now = ctx.now();
  const { rows } = await tx.execute<Written>(sql`
    WITH input AS (
      SELECT * FROM unnest(
        ${sql.param(input.map((n) => n.userId))}::text[],
        ${sql.param(input.map((n) => n.type))}::text[],
        ${sql.param(input.map((n) => n.title))}::text[],
        ${sql.param(input.map((n) => n.body))}::text[],
        ${sql.param(input.map((n) => (n.data ? JSON.stringify(n.data) : null)))}::jsonb[]
      ) WITH ORDINALITY AS x(user_id, type, title, body, data, ord)
    ), written AS (
      INSERT INTO notifications (user_id, type, title, body, data, created_at)
      SELECT user_id, type, title, body, data, ${now.toISOString()}::timestamp FROM input ORDER BY ord
      RETURNING id, user_id, type
    )
    SELECT w.id, w.user_id, w.type, u.notification_preferences AS preferences,
           u.discord_webhook_url IS NOT NULL AS has_discord, u.email_verified,
           ARRAY(SELECT p.id FROM push_subscriptions p WHERE p.user_id = w.user_id ORDER BY p.id) AS push_subscription_ids
      FROM written w JOIN users u ON u.id = w.user_id
     ORDER BY w.id`);

  const preferencesOf = new Map<string, NotificationPreferences>();
  const wantPush = new Map<string, Written[]>();
  const discord: Written[] = [];
  const emails: Written[] = [];
  for (const row of rows) {
    result.notifications.push({ id: row.id, userId: row.user_id, type: row.type });
    let preferences = preferencesOf.get(row.user_id);
    if (!preferences) {
      preferences = effectivePreferences(row.preferences);
      preferencesOf.set(row.user_id, preferences);
    }
    const route = routeNotification(preferences, row.type);
    if (route.push && row.push_subscription_ids.length > 0) {
      const wanted = wantPush.get(row.user_id) ?? [];
      wanted.push(row);
      wantPush.set(row.user_id, wanted);
    }
    if (route.discord && row.has_discord) discord.push(row);
    // An address nobody confirmed may not be theirs: mail goes to confirmed ones only.
    if (route.email && row.email_verified) emails.push(row);
  }

  if (wantPush.size > 0) {
    const limits = await consumeRateLimits({
      ctx: { db: tx, now: ctx.now },
      input: [...wantPush].map(([userId, wanted]) => ({
        key: pushRateLimitKey(userId),
        ...PUSH_RATE_LIMIT,
        hits: wanted.length,
      })),
    });
    const admitted = new Map(limits.map((l) => [l.key, l.admitted]));
    const pushes: Array<{ notificationId: string; pushSubscriptionId: string }> = [];
    for (const [userId, wanted] of wantPush) {
      const allowed = admitted.get(pushRateLimitKey(userId)) ?? 0;
      result.pushesLimited += wanted.length - allowed;
      for (const row of wanted.slice(0, allowed)) {
        for (const pushSubscriptionId of row.push_subscription_ids) {
          pushes.push({ notificationId: row.id, pushSubscriptionId });
        }
      }
    }
    await enqueueMany(tx, 'deliver-push', pushes);
    result.pushes = pushes.length;
  }
  await enqueueMany(
    tx,
    'deliver-discord',
    discord.map((row) => ({ notificationId: row.id, userId: row.user_id })),
  );
  result.discordPosts = discord.length;
  await enqueueMany(
    tx,
    'deliver-email',
    emails.map((row) => ({ notificationId: row.id })),
  );
  result.emails = emails.length;
  return result;
}

/** Notify one user (see notifyMany); returns the notification's id. */
export async function notify({
  tx,
  ctx,
  input,
}: {
  tx: Executor;
  ctx: Pick<ServiceContext, 'now'>;
  input: NotificationInput;
}): Promise<string> {
  const { notifications } = await notifyMany({ tx, ctx, input: [input] });
  const [written] = notifications;
  if (!written) throw new Error(`notification for ${input.userId} not written`);
  return written.id;
}
