import { and, count, eq, isNull } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { subscriptions, users } from '../../db/schema';

/** What anyone may see of a trader. */
export type TraderProfile = {
  id: string;
  username: string | null;
  name: string | null;
  bio: string | null;
  avatarUrl: string | null;
  isTrader: boolean;
  /** An admin has verified the trader (a badge; subscribing does not require it). */
  verified: boolean;
  /** Active subscriptions to the trader; paused ones do not count. */
  followers: number;
};

/** A trader's public profile, or null for anyone who is not an active (not soft-deleted) trader. */
export async function loadTraderProfile(db: Executor, traderId: string): Promise<TraderProfile | null> {
  const [trader] = await db
    .select({
      id: users.id,
      username: users.username,
      name: users.name,
      bio: users.bio,
      avatarUrl: users.avatarUrl,
      traderVerifiedAt: users.traderVerifiedAt,
    })
    .from(users)
    .where(and(eq(users.id, traderId), eq(users.isTrader, true), isNull(users.deletedAt)));
  if (!trader) return null;
  const [followers] = await db
    .select({ count: count() })
    .from(subscriptions)
    .where(and(eq(subscriptions.traderId, traderId), eq(subscriptions.status, 'active')));
  const { traderVerifiedAt, ...profile } = trader;
  return {
    ...profile,
    isTrader: true,
    verified: traderVerifiedAt !== null,
    followers: followers?.count ?? 0,
  };
}
