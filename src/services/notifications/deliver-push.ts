import { sql } from 'drizzle-orm';
import webpush from 'web-push';
import { notificationLink, type PushMessage } from '../../domain/notification-links';
import { checkPushEndpoint } from '../../domain/push-endpoint';
import type { NotificationType } from '../../domain/vocabulary';
import type { ServiceContext } from '../context';
import { type DeliveryDeps, DeliveryRetryError, postOutbound } from './deps';
import type { StoredPushSubscription } from './push-subscription-shape';

export type PushOutcome =
  /** The push service took it. */
  | 'sent'
  /** The notification or the subscription no longer exists. */
  | 'gone'
  /** The push service says the subscription has ended (404/410): it was deleted. */
  | 'expired'
  /** Refused for good (a bad request, a stored endpoint no longer allowed): not retried. */
  | 'rejected';

/** A push waits at the push service this long for a browser that is offline (RFC 8030 TTL). */
const PUSH_TTL_SECONDS = 24 * 60 * 60;

/** Push services take at least 4 KB; text beyond this is cut so the whole message fits. */
const MAX_BODY_CHARACTERS = 1000;

/** Urgent: someone must act (approve a copy, fix a failure); the rest can wait for the battery. */
const HIGH_URGENCY: ReadonlySet<NotificationType> = new Set([
  'copy_trade_alert',
  'copy_trade_failed',
  'connection_broken',
]);

type Row = {
  type: NotificationType;
  title: string;
  body: string;
  data: Record<string, unknown> | null;
  subscription: StoredPushSubscription;
  decision_id: string | null;
};

/**
 * Send one notification to one of its user's browsers through the browser's push service
 * (RFC 8030), encrypted for that browser (RFC 8291, aes128gcm) and signed with the server's VAPID
 * key (RFC 8292). A push service that is busy or failing makes the job fail, so it is retried
 * with backoff; one that says the subscription is gone (404, 410) has it deleted.
 */
export async function deliverPush({
  ctx,
  deps,
  input,
}: {
  ctx: ServiceContext;
  deps: DeliveryDeps;
  input: { notificationId: string; pushSubscriptionId: string };
}): Promise<PushOutcome> {
  const { rows } = await ctx.db.execute<Row>(sql`
    SELECT n.type, n.title, n.body, n.data, p.subscription,
           (SELECT d.id FROM subscription_trades d
             WHERE n.type = 'copy_trade_alert'
               AND d.subscription_id = n.data->>'subscriptionId' AND d.source_trade_id = n.data->>'sourceTradeId') AS decision_id
      FROM notifications n
      JOIN push_subscriptions p ON p.id = ${input.pushSubscriptionId} AND p.user_id = n.user_id
     WHERE n.id = ${input.notificationId}`);
  const row = rows[0];
  if (!row) return 'gone';
  const message: PushMessage = {
    notificationId: input.notificationId,
    type: row.type,
    title: row.title,
    body: row.body.length > MAX_BODY_CHARACTERS ? `${row.body.slice(0, MAX_BODY_CHARACTERS - 1)}…` : row.body,
    url: notificationLink(row.type, { decisionId: row.decision_id }),
    data: row.data,
  };
  return sendPushMessage({
    ctx,
    deps,
    input: {
      pushSubscriptionId: input.pushSubscriptionId,
      subscription: row.subscription,
      message,
      urgency: HIGH_URGENCY.has(row.type) ? 'high' : 'normal',
    },
  });
}

/**
 * Send one message to one browser through its push service: encrypted for that browser,
 * signed with the server's VAPID key. 404/410 delete the subscription; 429 and 5xx throw
 * DeliveryRetryError (a job retries it).
 */
export async function sendPushMessage({
  ctx,
  deps,
  input,
}: {
  ctx: ServiceContext;
  deps: DeliveryDeps;
  input: {
    pushSubscriptionId: string;
    subscription: StoredPushSubscription;
    message: PushMessage;
    urgency: 'high' | 'normal';
  };
}): Promise<Exclude<PushOutcome, 'gone'>> {
  const endpoint = checkPushEndpoint(input.subscription.endpoint, deps.pushTestOrigin);
  if (!endpoint.ok) {
    ctx.log.warn({ pushSubscriptionId: input.pushSubscriptionId }, 'push endpoint no longer allowed');
    return 'rejected';
  }
  const request = webpush.generateRequestDetails(input.subscription, JSON.stringify(input.message), {
    vapidDetails: deps.vapid,
    TTL: PUSH_TTL_SECONDS,
    urgency: input.urgency,
    contentEncoding: 'aes128gcm',
  });
  const headers = Object.fromEntries(
    Object.entries(request.headers)
      .filter(([name]) => name.toLowerCase() !== 'content-length')
      .map(([name, value]) => [name, String(value)]),
  );
  let response: Response;
  try {
    response = await postOutbound(deps, endpoint.value.href, { headers, body: request.body });
  } catch (error) {
    throw new DeliveryRetryError(`push service unreachable: ${(error as Error).message}`, { cause: error });
  }
  await response.body?.cancel();
  if (response.status >= 200 && response.status < 300) return 'sent';
  if (response.status === 404 || response.status === 410) {
    await ctx.db.execute(sql`DELETE FROM push_subscriptions WHERE id = ${input.pushSubscriptionId}`);
    ctx.log.info({ pushSubscriptionId: input.pushSubscriptionId }, 'push subscription ended; deleted');
    return 'expired';
  }
  if (response.status === 429 || response.status >= 500) {
    throw new DeliveryRetryError(`push service answered ${response.status}`);
  }
  ctx.log.warn({ pushSubscriptionId: input.pushSubscriptionId, status: response.status }, 'push refused');
  return 'rejected';
}
