import { and, eq, isNull } from 'drizzle-orm';
import { users } from '../../db/schema';
import { AppError } from '../../errors';
import { requireUser, type ServiceContext } from '../context';
import { inTransaction } from '../transaction';
import { loadTraderProfile, type TraderProfile } from './trader-profile';

/**
 * Make the signed-in user a trader, whom others can subscribe to. Idempotent. Only with a
 * confirmed email address: followers trust a trader with real money, so a trader must be
 * reachable. The verified badge is separate: an admin grants it (`npm run admin -- verify-trader <email>`).
 */
export async function becomeTrader({ ctx }: { ctx: ServiceContext }): Promise<TraderProfile> {
  const userId = requireUser(ctx);
  return inTransaction(ctx, async (tx) => {
    const [user] = await tx
      .select({ emailVerified: users.emailVerified })
      .from(users)
      .where(and(eq(users.id, userId), isNull(users.deletedAt)))
      .for('no key update');
    if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in to continue');
    if (!user.emailVerified) {
      throw new AppError(
        'PRECONDITION_FAILED',
        'Confirm your email address first: use the link we emailed you (or ask for a new one)',
      );
    }
    await tx.update(users).set({ isTrader: true }).where(eq(users.id, userId));
    const profile = await loadTraderProfile(tx, userId);
    if (!profile) throw new Error(`trader ${userId} vanished in its own transaction`);
    return profile;
  });
}
