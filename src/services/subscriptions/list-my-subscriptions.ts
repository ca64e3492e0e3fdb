import { and, desc, eq, inArray, type SQL } from 'drizzle-orm';
import { subscriptions } from '../../db/schema';
import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import { afterCursor, pageOf, subscriptionListSchema } from './listing';
import { type SubscriptionView, selectSubscriptionViews, toSubscriptionView } from './subscription-view';

/** The traders the signed-in user subscribes to (cancelled ones too unless filtered), newest first. */
export async function listMySubscriptions({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input?: unknown;
}): Promise<{ subscriptions: SubscriptionView[]; nextCursor: string | null }> {
  const subscriberId = requireUser(ctx);
  const query = parseInput(subscriptionListSchema, input ?? {});
  const conditions: (SQL | undefined)[] = [
    eq(subscriptions.subscriberId, subscriberId),
    query.status ? inArray(subscriptions.status, query.status) : undefined,
    afterCursor(query.cursor),
  ];
  const rows = await selectSubscriptionViews(ctx.db)
    .where(and(...conditions))
    .orderBy(desc(subscriptions.createdAt), desc(subscriptions.id))
    .limit(query.limit + 1);
  const { page, nextCursor } = pageOf(rows, query.limit, (row) => row);
  return { subscriptions: page.map(toSubscriptionView), nextCursor };
}
