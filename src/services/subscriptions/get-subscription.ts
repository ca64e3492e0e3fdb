import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import { loadOwnSubscription, subscriptionIdSchema } from './change-status';
import type { SubscriptionView } from './subscription-view';

/** One of the signed-in user's subscriptions; someone else's answers NOT_FOUND. */
export async function getSubscription({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { subscriptionId: string } | unknown;
}): Promise<SubscriptionView> {
  const subscriberId = requireUser(ctx);
  const { subscriptionId } = parseInput(subscriptionIdSchema, input);
  return loadOwnSubscription(ctx.db, { subscriptionId, subscriberId });
}
