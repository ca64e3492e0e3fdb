import { and, eq, isNull } from 'drizzle-orm';
import { users } from '../../db/schema';
import { AppError } from '../../errors';
import { requireUser, type ServiceContext } from '../context';
import { inTransaction } from '../transaction';
import { loadTraderProfile, type TraderProfile } from './trader-profile';

/**
 * Make the signed-in user a trader, whom others can subscribe to. Idempotent. Verification is
 * separate: an admin grants it (`npm run admin -- verify-trader <email>`).
 */
export async function becomeTrader({ ctx }: { ctx: ServiceContext }): Promise<TraderProfile> {
  const userId = requireUser(ctx);
  return inTransaction(ctx, async (tx) => {
    const [user] = await tx
      .update(users)
      .set({ isTrader: true })
      .where(and(eq(users.id, userId), isNull(users.deletedAt)))
      .returning({ id: users.id });
    if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in to continue');
    const profile = await loadTraderProfile(tx, userId);
    if (!profile) throw new Error(`trader ${userId} vanished in its own transaction`);
    return profile;
  });
}
