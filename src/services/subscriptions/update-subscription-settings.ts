import { and, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { subscriptions } from '../../db/schema';
import { AppError } from '../../errors';
import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import { inTransaction } from '../transaction';
import { findOwnStatus, loadOwnSubscription } from './change-status';
import { subscriptionSettingsPatchSchema } from './settings';
import type { SubscriptionView } from './subscription-view';

export const updateSubscriptionSettingsSchema = z.object({
  subscriptionId: z.string('is required').trim().min(1, 'is required'),
  settings: subscriptionSettingsPatchSchema,
});

/**
 * Change some settings of an active or paused subscription; the ones not given keep their
 * values. A cancelled subscription is changed by subscribing again.
 */
export async function updateSubscriptionSettings({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: z.input<typeof updateSubscriptionSettingsSchema> | unknown;
}): Promise<SubscriptionView> {
  const subscriberId = requireUser(ctx);
  const { subscriptionId, settings } = parseInput(updateSubscriptionSettingsSchema, input ?? {});
  const key = { subscriptionId, subscriberId };
  return inTransaction(ctx, async (tx) => {
    // Merged in the database (jsonb ||), so two concurrent changes of different settings both
    // survive.
    const [changed] = await tx
      .update(subscriptions)
      .set({ settings: sql`${subscriptions.settings} || ${JSON.stringify(settings)}::jsonb` })
      .where(
        and(
          eq(subscriptions.id, subscriptionId),
          eq(subscriptions.subscriberId, subscriberId),
          inArray(subscriptions.status, ['active', 'paused']),
        ),
      )
      .returning({ id: subscriptions.id });
    if (!changed) {
      const status = await findOwnStatus(tx, key);
      throw new AppError(
        'PRECONDITION_FAILED',
        `The subscription is ${status}; subscribe to the trader again to set new settings`,
        { details: { status } },
      );
    }
    return loadOwnSubscription(tx, key);
  });
}
