import { and, eq } from 'drizzle-orm';
import { type Account, accounts } from '../../db/schema';
import { AppError } from '../../errors';
import { requireUser, type ServiceContext } from '../context';

/** Stop using an account: inactive and unselected. Its orders and positions stay for history. */
export async function disconnectAccount({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { accountId: string };
}): Promise<Account> {
  const userId = requireUser(ctx);
  const [account] = await ctx.db
    .update(accounts)
    .set({ isActive: false, isSelected: false })
    .where(and(eq(accounts.id, input.accountId), eq(accounts.userId, userId)))
    .returning();
  if (!account) throw new AppError('NOT_FOUND', 'Account not found');
  return account;
}
