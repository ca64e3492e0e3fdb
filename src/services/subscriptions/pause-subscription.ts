import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import { changeSubscriptionStatus, subscriptionIdSchema } from './change-status';
import type { SubscriptionView } from './subscription-view';

/** Pause an active subscription: nothing is copied until it is resumed (sets paused_at). */
export async function pauseSubscription({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { subscriptionId: string } | unknown;
}): Promise<SubscriptionView> {
  const subscriberId = requireUser(ctx);
  const { subscriptionId } = parseInput(subscriptionIdSchema, input);
  return changeSubscriptionStatus(ctx, { subscriberId, subscriptionId, event: 'pause' });
}
