import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import { changeSubscriptionStatus, subscriptionIdSchema } from './change-status';
import type { SubscriptionView } from './subscription-view';

/** Resume a paused subscription: copying starts again (clears paused_at). */
export async function resumeSubscription({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { subscriptionId: string } | unknown;
}): Promise<SubscriptionView> {
  const subscriberId = requireUser(ctx);
  const { subscriptionId } = parseInput(subscriptionIdSchema, input);
  return changeSubscriptionStatus(ctx, { subscriberId, subscriptionId, event: 'resume' });
}
