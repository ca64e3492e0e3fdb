import { eq } from 'drizzle-orm';
import { users } from '../../db/schema';
import { AppError } from '../../errors';
import type { ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import { inTransaction } from '../transaction';
import { lockUserByEmail, requireSystem, userByEmailSchema } from './admin';

export type VerifyTraderResult = {
  userId: string;
  email: string;
  verifiedAt: Date;
  /** Verified before this call; the original date is kept. */
  alreadyVerified: boolean;
};

/**
 * Admin: verify the trader with this email (sets trader_verified_at, the badge on their profile).
 * Only a trader can be verified. Verifying again keeps the first date.
 */
export async function verifyTrader({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { email: string } | unknown;
}): Promise<VerifyTraderResult> {
  requireSystem(ctx);
  const { email } = parseInput(userByEmailSchema, input);
  return inTransaction(ctx, async (tx) => {
    const user = await lockUserByEmail(tx, email);
    if (!user.isTrader) {
      throw new AppError(
        'PRECONDITION_FAILED',
        `${user.email} is not a trader; they must become one first (or run make-trader)`,
      );
    }
    if (user.traderVerifiedAt) {
      return { userId: user.id, email: user.email, verifiedAt: user.traderVerifiedAt, alreadyVerified: true };
    }
    const [verified] = await tx
      .update(users)
      .set({ traderVerifiedAt: ctx.now() })
      .where(eq(users.id, user.id))
      .returning({ verifiedAt: users.traderVerifiedAt });
    if (!verified?.verifiedAt) throw new Error(`user ${user.id} vanished under its own lock`);
    return { userId: user.id, email: user.email, verifiedAt: verified.verifiedAt, alreadyVerified: false };
  });
}
