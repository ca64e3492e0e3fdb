/**
 * Delete my account (PRODUCT.md §1), confirmed by the password: a soft delete. In one
 * transaction the user is marked deleted (the database then ends their sessions and their
 * subscriptions on both sides), their personal fields are scrubbed, the password and browser
 * push registrations go, and brokerage connections are deactivated; orders, positions and copy
 * decisions stay for history (and for the other side's records). The subscribers of a trader who
 * leaves are told. The SnapTrade user is deregistered by a job after the commit, with retries.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import {
  accounts,
  authAccounts,
  notifications,
  pushSubscriptions,
  subscriptions,
  users,
} from '../../db/schema';
import { AppError } from '../../errors';
import { enqueue } from '../../jobs/queue';
import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import { inTransaction } from '../transaction';

export const deleteAccountSchema = z.strictObject({
  password: z.string('is required').min(1, 'is required').max(128, 'must be at most 128 characters'),
});

export type DeleteAccountDeps = {
  /** Checks a password against a stored hash (better-auth's hasher). */
  verifyPassword: (input: { hash: string; password: string }) => Promise<boolean>;
};

/** What stays of a deleted user's email: unique, and no one's address. */
export const deletedEmail = (userId: string) => `deleted+${userId}@deleted.invalid`;

export async function deleteAccount({
  ctx,
  deps,
  input,
}: {
  ctx: ServiceContext;
  deps: DeleteAccountDeps;
  input: z.input<typeof deleteAccountSchema> | unknown;
}): Promise<{ endedSubscriptions: number }> {
  const userId = requireUser(ctx);
  const { password } = parseInput(deleteAccountSchema, input ?? {});
  const [credential] = await ctx.db
    .select({ hash: authAccounts.password })
    .from(authAccounts)
    .innerJoin(users, eq(users.id, authAccounts.userId))
    .where(
      and(
        eq(authAccounts.userId, userId),
        eq(authAccounts.providerId, 'credential'),
        isNull(users.deletedAt),
      ),
    );
  if (!credential?.hash || !(await deps.verifyPassword({ hash: credential.hash, password }))) {
    throw new AppError('VALIDATION', 'password: that is not your password', { field: 'password' });
  }

  return inTransaction(ctx, async (tx) => {
    const now = ctx.now();
    // Who followed this user as a trader, before the trigger ends those subscriptions.
    const followers = await tx
      .select({ subscriberId: subscriptions.subscriberId })
      .from(subscriptions)
      .where(and(eq(subscriptions.traderId, userId), sql`${subscriptions.status} <> 'cancelled'`));
    const [before] = await tx
      .select({ name: users.name, username: users.username, snaptradeUserId: users.snaptradeUserId })
      .from(users)
      .where(and(eq(users.id, userId), isNull(users.deletedAt)))
      .for('update');
    if (!before) throw new AppError('UNAUTHENTICATED', 'Sign in to continue');

    const ended = await tx
      .select({ id: subscriptions.id })
      .from(subscriptions)
      .where(
        and(
          sql`(${subscriptions.subscriberId} = ${userId} OR ${subscriptions.traderId} = ${userId})`,
          sql`${subscriptions.status} <> 'cancelled'`,
        ),
      );
    await tx
      .update(users)
      .set({
        deletedAt: now,
        email: deletedEmail(userId),
        emailVerified: false,
        name: null,
        username: null,
        bio: null,
        avatarUrl: null,
        isTrader: false,
        snaptradeUserId: null,
        snaptradeUserSecret: null,
        settings: {},
      })
      .where(eq(users.id, userId));
    await tx.delete(authAccounts).where(eq(authAccounts.userId, userId));
    await tx.delete(pushSubscriptions).where(eq(pushSubscriptions.userId, userId));
    await tx
      .update(accounts)
      .set({ isActive: false, isSelected: false })
      .where(and(eq(accounts.userId, userId), eq(accounts.isActive, true)));

    const traderName = before.username ?? before.name ?? 'A trader you followed';
    if (followers.length > 0) {
      await tx.insert(notifications).values(
        followers.map((f) => ({
          userId: f.subscriberId,
          type: 'subscription_ended' as const,
          title: 'Subscription ended',
          body: `${traderName} closed their Alertsify account, so your subscription ended. Positions copied from them stay yours to manage.`,
          data: { traderId: userId },
          createdAt: now,
        })),
      );
    }
    if (before.snaptradeUserId) {
      await enqueue(tx, 'deregister-snaptrade-user', { snaptradeUserId: before.snaptradeUserId });
    }
    return { endedSubscriptions: ended.length };
  });
}
