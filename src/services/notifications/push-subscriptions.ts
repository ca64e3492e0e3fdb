import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { checkPushEndpoint } from '../../domain/push-endpoint';
import { AppError } from '../../errors';
import { requireUser, type ServiceContext } from '../context';
import { consumeRateLimit } from '../limits/consume-rate-limit';
import { parseInput } from '../parse-input';
import { inTransaction } from '../transaction';
import { sendPushMessage } from './deliver-push';
import { type DeliveryDeps, DeliveryRetryError } from './deps';
import { pushSubscriptionSchema, type StoredPushSubscription, storedShape } from './push-subscription-shape';

/** A browser registered for push, as the API shows it. */
export type PushSubscriptionView = {
  id: string;
  endpoint: string;
  userAgent: string | null;
  createdAt: string | null;
};

type Row = {
  id: string;
  subscription: StoredPushSubscription;
  user_agent: string | null;
  created_at: string | null;
};

const COLUMNS = sql.raw(
  `id, subscription, user_agent, to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at`,
);

const toView = (row: Row): PushSubscriptionView => ({
  id: row.id,
  endpoint: row.subscription.endpoint,
  userAgent: row.user_agent,
  createdAt: row.created_at,
});

export const registerPushSubscriptionSchema = z.object({
  subscription: pushSubscriptionSchema,
  userAgent: z.string().max(500, 'must be at most 500 characters').nullish(),
});

/**
 * Register this browser for the signed-in user's pushes (PRODUCT.md §4): one row per user and
 * browser. A browser registering again (new keys, or another user signed in on it) replaces what
 * was kept for its endpoint, so a shared browser only ever receives the pushes of whoever
 * registered it last. Only browsers' push services are accepted as endpoints.
 */
export async function registerPushSubscription({
  ctx,
  deps,
  input,
}: {
  ctx: ServiceContext;
  deps: Pick<DeliveryDeps, 'pushTestOrigin'>;
  input: unknown;
}): Promise<PushSubscriptionView> {
  const userId = requireUser(ctx);
  const { subscription, userAgent } = parseInput(registerPushSubscriptionSchema, input ?? {});
  const endpoint = checkPushEndpoint(subscription.endpoint, deps.pushTestOrigin);
  if (!endpoint.ok) {
    throw new AppError('VALIDATION', `subscription.endpoint: ${endpoint.error}`, {
      field: 'subscription.endpoint',
    });
  }
  const stored = storedShape(subscription);
  return inTransaction(ctx, async (tx) => {
    await tx.execute(sql`
      DELETE FROM push_subscriptions
       WHERE subscription->>'endpoint' = ${stored.endpoint}
         AND NOT (user_id = ${userId} AND subscription = ${JSON.stringify(stored)}::jsonb)`);
    await tx.execute(sql`
      INSERT INTO push_subscriptions (user_id, subscription, user_agent, created_at)
      VALUES (${userId}, ${JSON.stringify(stored)}::jsonb, ${userAgent ?? null}, ${ctx.now().toISOString()}::timestamp)
      ON CONFLICT (user_id, subscription) DO UPDATE SET user_agent = EXCLUDED.user_agent`);
    const { rows } = await tx.execute<Row>(sql`
      SELECT ${COLUMNS} FROM push_subscriptions
       WHERE user_id = ${userId} AND subscription = ${JSON.stringify(stored)}::jsonb`);
    const row = rows[0];
    if (!row) throw new Error('push subscription not stored');
    return toView(row);
  });
}

/** The browsers registered for the signed-in user's pushes. */
export async function listPushSubscriptions({
  ctx,
}: {
  ctx: ServiceContext;
}): Promise<{ subscriptions: PushSubscriptionView[] }> {
  const userId = requireUser(ctx);
  const { rows } = await ctx.db.execute<Row>(sql`
    SELECT ${COLUMNS} FROM push_subscriptions WHERE user_id = ${userId} ORDER BY created_at, id`);
  return { subscriptions: rows.map(toView) };
}

/** Stop pushing to one of the user's browsers; anyone else's answers NOT_FOUND. */
export async function unregisterPushSubscription({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { pushSubscriptionId: string };
}): Promise<void> {
  const userId = requireUser(ctx);
  const { rowCount } = await ctx.db.execute(sql`
    DELETE FROM push_subscriptions WHERE id = ${input.pushSubscriptionId} AND user_id = ${userId}`);
  if (!rowCount) throw new AppError('NOT_FOUND', 'Push subscription not found');
}

/** A person may try their browser's push a few times a minute. */
const TEST_PUSHES = { limit: 5, windowSeconds: 60 } as const;

/**
 * Send a test push to one of the signed-in user's browsers now (no notification is written), so
 * they see what a push looks like there. The push service's answer is told back.
 */
export async function sendTestPush({
  ctx,
  deps,
  input,
}: {
  ctx: ServiceContext;
  deps: DeliveryDeps;
  input: { pushSubscriptionId: string };
}): Promise<{ sent: true }> {
  const userId = requireUser(ctx);
  const { rows } = await ctx.db.execute<{ subscription: StoredPushSubscription }>(sql`
    SELECT subscription FROM push_subscriptions WHERE id = ${input.pushSubscriptionId} AND user_id = ${userId}`);
  const row = rows[0];
  if (!row) throw new AppError('NOT_FOUND', 'Push subscription not found');
  const budget = await consumeRateLimit({ ctx, input: { key: `push:test:${userId}`, ...TEST_PUSHES } });
  if (!budget.allowed) throw new AppError('LIMIT_EXCEEDED', 'Too many test pushes; try again in a minute');
  let outcome: Awaited<ReturnType<typeof sendPushMessage>>;
  try {
    outcome = await sendPushMessage({
      ctx,
      deps,
      input: {
        pushSubscriptionId: input.pushSubscriptionId,
        subscription: row.subscription,
        urgency: 'normal',
        message: {
          notificationId: null,
          type: 'test',
          title: 'Alertsify test',
          body: 'Pushes reach this browser. Fills and approvals will appear like this.',
          url: '/settings',
          data: null,
        },
      },
    });
  } catch (error) {
    if (!(error instanceof DeliveryRetryError)) throw error;
    throw new AppError('PRECONDITION_FAILED', "The browser's push service did not take the push; try again");
  }
  if (outcome === 'sent') return { sent: true };
  if (outcome === 'expired') {
    throw new AppError('NOT_FOUND', "This browser's push registration has ended; turn push on again");
  }
  throw new AppError('PRECONDITION_FAILED', "The browser's push service refused the push");
}
