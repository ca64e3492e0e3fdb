import { and, desc, eq, inArray, type SQL } from 'drizzle-orm';
import type { SubscriptionSettings } from '../../db/schema';
import { subscriptions, users } from '../../db/schema';
import type { SubscriptionStatus } from '../../domain/vocabulary';
import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import { afterCursor, pageOf, subscriptionListSchema } from './listing';
import { storedSettings } from './settings';

/** One subscriber of a trader, as the trader sees them. */
export type SubscriberView = {
  subscriptionId: string;
  subscriber: { id: string; username: string | null; name: string | null };
  settings: SubscriptionSettings;
  status: SubscriptionStatus;
  /** When the subscription was first made. */
  since: Date | null;
  pausedAt: Date | null;
  cancelledAt: Date | null;
};

/** Who subscribes to the signed-in user's trades (cancelled ones too unless filtered), newest first. */
export async function listMySubscribers({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input?: unknown;
}): Promise<{ subscribers: SubscriberView[]; nextCursor: string | null }> {
  const traderId = requireUser(ctx);
  const query = parseInput(subscriptionListSchema, input ?? {});
  const conditions: (SQL | undefined)[] = [
    eq(subscriptions.traderId, traderId),
    query.status ? inArray(subscriptions.status, query.status) : undefined,
    afterCursor(query.cursor),
  ];
  const rows = await ctx.db
    .select({
      subscriptionId: subscriptions.id,
      subscriber: { id: users.id, username: users.username, name: users.name },
      settings: subscriptions.settings,
      status: subscriptions.status,
      since: subscriptions.createdAt,
      pausedAt: subscriptions.pausedAt,
      cancelledAt: subscriptions.cancelledAt,
    })
    .from(subscriptions)
    .innerJoin(users, eq(users.id, subscriptions.subscriberId))
    .where(and(...conditions))
    .orderBy(desc(subscriptions.createdAt), desc(subscriptions.id))
    .limit(query.limit + 1);
  const { page, nextCursor } = pageOf(rows, query.limit, (row) => ({
    id: row.subscriptionId,
    createdAt: row.since,
  }));
  return {
    subscribers: page.map((row) => ({ ...row, settings: storedSettings(row.settings) })),
    nextCursor,
  };
}
