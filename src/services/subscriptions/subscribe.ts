import { and, asc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { subscriptions, users } from '../../db/schema';
import { AppError } from '../../errors';
import { copyAccountWarning } from '../accounts/trading-permission';
import { requireUser, type ServiceContext } from '../context';
import { notify } from '../notifications/notify';
import { parseInput } from '../parse-input';
import { inTransaction } from '../transaction';
import { loadOwnSubscription } from './change-status';
import { subscriptionSettingsSchema } from './settings';
import type { SubscriptionView } from './subscription-view';

export const subscribeSchema = z.object({
  traderId: z.string('must be the id of a trader').trim().min(1, 'is required'),
  settings: subscriptionSettingsSchema.prefault({}),
});

export type SubscribeResult = {
  subscription: SubscriptionView;
  /** True when a cancelled subscription to this trader was brought back rather than created. */
  reactivated: boolean;
  /** Why copies cannot be placed yet (no account that can trade), told before any is skipped. */
  accountWarning: string | null;
};

/**
 * Subscribe the signed-in user to a trader (PRODUCT.md §3). Only an active trader can be
 * subscribed to; anyone else answers "Trader not found", so the answer does not tell which
 * users exist. Subscribing again after a cancel reactivates the same row with the new settings.
 * The trader is told through a `subscription_new` notification; the subscriber is told when
 * their account cannot take copies (read-only, broken connection, none selected).
 */
export async function subscribe({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: z.input<typeof subscribeSchema> | unknown;
}): Promise<SubscribeResult> {
  const subscriberId = requireUser(ctx);
  const { traderId, settings } = parseInput(subscribeSchema, input ?? {});
  if (traderId === subscriberId) {
    throw new AppError('VALIDATION', 'traderId: you cannot subscribe to yourself', { field: 'traderId' });
  }
  const now = ctx.now();
  const subscribed = await inTransaction(ctx, async (tx) => {
    // Both users are locked, in id order so two users subscribing to each other cannot
    // deadlock: a soft delete (whose trigger cancels subscriptions) or a second subscribe of
    // the same pair waits for this one, and this one sees the state they commit. The trader's
    // row would be locked anyway by the unread counter the notification below increments.
    const people = await tx
      .select({
        id: users.id,
        name: users.name,
        username: users.username,
        isTrader: users.isTrader,
        deletedAt: users.deletedAt,
      })
      .from(users)
      .where(inArray(users.id, [subscriberId, traderId]))
      .orderBy(asc(users.id))
      .for('no key update');
    const subscriber = people.find((person) => person.id === subscriberId);
    if (!subscriber || subscriber.deletedAt) throw new AppError('UNAUTHENTICATED', 'Sign in to continue');
    const trader = people.find((person) => person.id === traderId);
    if (!trader || trader.deletedAt || !trader.isTrader) throw new AppError('NOT_FOUND', 'Trader not found');

    const pair = and(eq(subscriptions.subscriberId, subscriberId), eq(subscriptions.traderId, traderId));
    const [existing] = await tx
      .select({ id: subscriptions.id, status: subscriptions.status })
      .from(subscriptions)
      .where(pair);
    if (existing && existing.status !== 'cancelled') {
      throw new AppError('CONFLICT', `You are already subscribed to this trader (${existing.status})`, {
        details: { subscriptionId: existing.id, status: existing.status },
      });
    }

    let subscriptionId: string;
    if (existing) {
      const [reactivated] = await tx
        .update(subscriptions)
        .set({ status: 'active', settings, pausedAt: null, cancelledAt: null })
        .where(and(eq(subscriptions.id, existing.id), eq(subscriptions.status, 'cancelled')))
        .returning({ id: subscriptions.id });
      if (!reactivated) throw new AppError('CONFLICT', 'The subscription changed meanwhile; try again');
      subscriptionId = reactivated.id;
    } else {
      // The unique (subscriber_id, trader_id) pair backs the lock above against any other writer.
      const [created] = await tx
        .insert(subscriptions)
        .values({ subscriberId, traderId, settings, status: 'active', createdAt: now, updatedAt: now })
        .onConflictDoNothing({ target: [subscriptions.subscriberId, subscriptions.traderId] })
        .returning({ id: subscriptions.id });
      if (!created) throw new AppError('CONFLICT', 'You are already subscribed to this trader');
      subscriptionId = created.id;
    }

    const who = subscriber.username ?? subscriber.name ?? 'Someone';
    await notify({
      tx,
      ctx,
      input: {
        userId: traderId,
        type: 'subscription_new',
        title: 'New subscriber',
        body: `${who} subscribed to your trades`,
        data: { subscriptionId, subscriberId, reactivated: Boolean(existing) },
      },
    });

    return {
      subscription: await loadOwnSubscription(tx, { subscriptionId, subscriberId }),
      reactivated: Boolean(existing),
    };
  });
  return { ...subscribed, accountWarning: await copyAccountWarning(ctx.db, subscriberId) };
}
