import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { type SubscriptionSettings, subscriptions, users } from '../../db/schema';
import type { SubscriptionStatus } from '../../domain/vocabulary';
import { storedSettings } from './settings';

/** What anyone may see of a trader next to a subscription. */
export type TraderSummary = {
  id: string;
  username: string | null;
  name: string | null;
  avatarUrl: string | null;
  verified: boolean;
};

/** A subscription as its subscriber sees it. */
export type SubscriptionView = {
  id: string;
  trader: TraderSummary;
  settings: SubscriptionSettings;
  status: SubscriptionStatus;
  createdAt: Date | null;
  pausedAt: Date | null;
  cancelledAt: Date | null;
  updatedAt: Date | null;
};

export const subscriptionViewColumns = {
  id: subscriptions.id,
  trader: {
    id: users.id,
    username: users.username,
    name: users.name,
    avatarUrl: users.avatarUrl,
    verified: sql<boolean>`${users.traderVerifiedAt} IS NOT NULL`,
  },
  settings: subscriptions.settings,
  status: subscriptions.status,
  createdAt: subscriptions.createdAt,
  pausedAt: subscriptions.pausedAt,
  cancelledAt: subscriptions.cancelledAt,
  updatedAt: subscriptions.updatedAt,
};

/** Subscriptions joined to their trader; callers add the conditions. */
export function selectSubscriptionViews(db: Executor) {
  return db
    .select(subscriptionViewColumns)
    .from(subscriptions)
    .innerJoin(users, eq(users.id, subscriptions.traderId));
}

type SubscriptionViewRow = Awaited<ReturnType<ReturnType<typeof selectSubscriptionViews>['execute']>>[number];

export function toSubscriptionView(row: SubscriptionViewRow): SubscriptionView {
  return { ...row, settings: storedSettings(row.settings) };
}

/** One of the subscriber's subscriptions, or null when there is none with that id. */
export async function loadSubscriptionView(
  db: Executor,
  key: { subscriptionId: string; subscriberId: string },
): Promise<SubscriptionView | null> {
  const [row] = await selectSubscriptionViews(db).where(
    and(eq(subscriptions.id, key.subscriptionId), eq(subscriptions.subscriberId, key.subscriberId)),
  );
  return row ? toSubscriptionView(row) : null;
}
