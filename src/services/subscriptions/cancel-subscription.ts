import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import { changeSubscriptionStatus, subscriptionIdSchema } from './change-status';
import type { SubscriptionView } from './subscription-view';

/** End an active or paused subscription (sets cancelled_at). Subscribing again reactivates it. */
export async function cancelSubscription({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { subscriptionId: string } | unknown;
}): Promise<SubscriptionView> {
  const subscriberId = requireUser(ctx);
  const { subscriptionId } = parseInput(subscriptionIdSchema, input);
  return changeSubscriptionStatus(ctx, { subscriberId, subscriptionId, event: 'cancel' });
}
