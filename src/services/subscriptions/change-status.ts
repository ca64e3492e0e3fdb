import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client';
import { subscriptions } from '../../db/schema';
import type { SubscriptionStatus } from '../../domain/vocabulary';
import { AppError } from '../../errors';
import type { ServiceContext } from '../context';
import { inTransaction } from '../transaction';
import { loadSubscriptionView, type SubscriptionView } from './subscription-view';

export const subscriptionIdSchema = z.object({
  subscriptionId: z.string('is required').trim().min(1, 'is required'),
});

/**
 * The allowed status changes of a subscription (PRODUCT.md §3). Reactivating a cancelled one
 * is not here: it is a new subscription on the same row, done by `subscribe`.
 */
const TRANSITIONS = {
  pause: {
    from: ['active'],
    to: 'paused',
    done: 'paused',
    changes: (now: Date) => ({ status: 'paused' as const, pausedAt: now }),
  },
  resume: {
    from: ['paused'],
    to: 'active',
    done: 'resumed',
    changes: (_now: Date) => ({ status: 'active' as const, pausedAt: null }),
  },
  cancel: {
    from: ['active', 'paused'],
    to: 'cancelled',
    done: 'cancelled',
    changes: (now: Date) => ({ status: 'cancelled' as const, cancelledAt: now }),
  },
} as const satisfies Record<
  string,
  {
    from: readonly SubscriptionStatus[];
    to: SubscriptionStatus;
    done: string;
    changes: (now: Date) => object;
  }
>;

export type SubscriptionEvent = keyof typeof TRANSITIONS;

/**
 * Move one of the subscriber's subscriptions along a transition. The UPDATE names the statuses
 * it may start from, so of two concurrent requests only one changes the row; the other is
 * told why not.
 */
export async function changeSubscriptionStatus(
  ctx: ServiceContext,
  change: { subscriberId: string; subscriptionId: string; event: SubscriptionEvent },
): Promise<SubscriptionView> {
  const transition = TRANSITIONS[change.event];
  const key = { subscriptionId: change.subscriptionId, subscriberId: change.subscriberId };
  return inTransaction(ctx, async (tx) => {
    const [changed] = await tx
      .update(subscriptions)
      .set(transition.changes(ctx.now()))
      .where(
        and(
          eq(subscriptions.id, key.subscriptionId),
          eq(subscriptions.subscriberId, key.subscriberId),
          inArray(subscriptions.status, [...transition.from]),
        ),
      )
      .returning({ id: subscriptions.id });
    if (!changed) {
      const status = await findOwnStatus(tx, key);
      throw new AppError(
        'PRECONDITION_FAILED',
        status === transition.to
          ? `The subscription is already ${transition.to}`
          : status === 'cancelled'
            ? 'The subscription is cancelled; subscribe to the trader again to reactivate it'
            : `Only a ${transition.from.join(' or ')} subscription can be ${transition.done}; this one is ${status}`,
        { details: { status } },
      );
    }
    return loadOwnSubscription(tx, key);
  });
}

/**
 * The status of one of the subscriber's subscriptions, to explain why a change did not apply;
 * NOT_FOUND when the id is unknown or someone else's (the two are not told apart).
 */
export async function findOwnStatus(
  db: Executor,
  key: { subscriptionId: string; subscriberId: string },
): Promise<SubscriptionStatus> {
  const [row] = await db
    .select({ status: subscriptions.status })
    .from(subscriptions)
    .where(and(eq(subscriptions.id, key.subscriptionId), eq(subscriptions.subscriberId, key.subscriberId)));
  if (!row) throw new AppError('NOT_FOUND', 'Subscription not found');
  return row.status;
}

/** One of the subscriber's subscriptions as the API shows it; NOT_FOUND otherwise. */
export async function loadOwnSubscription(
  db: Executor,
  key: { subscriptionId: string; subscriberId: string },
): Promise<SubscriptionView> {
  const view = await loadSubscriptionView(db, key);
  if (!view) throw new AppError('NOT_FOUND', 'Subscription not found');
  return view;
}
