import { and, eq } from 'drizzle-orm';
import { type Account, accounts } from '../../db/schema';
import { AppError } from '../../errors';
import { requireUser, type ServiceContext } from '../context';
import { inTransaction } from '../transaction';

/** Make one of the user's active accounts the selected one; the database deselects the others. */
export async function selectAccount({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { accountId: string };
}): Promise<Account> {
  const userId = requireUser(ctx);
  return inTransaction(ctx, async (tx) => {
    const [account] = await tx
      .select({ isActive: accounts.isActive, readOnly: accounts.readOnly })
      .from(accounts)
      .where(and(eq(accounts.id, input.accountId), eq(accounts.userId, userId)));
    if (!account) throw new AppError('NOT_FOUND', 'Account not found');
    if (!account.isActive)
      throw new AppError('PRECONDITION_FAILED', 'A disconnected account cannot be selected');
    if (account.readOnly) {
      throw new AppError(
        'PRECONDITION_FAILED',
        'This brokerage connects read-only through SnapTrade: it cannot be selected for trading',
      );
    }
    const [selected] = await tx
      .update(accounts)
      .set({ isSelected: true })
      .where(and(eq(accounts.id, input.accountId), eq(accounts.userId, userId)))
      .returning();
    if (!selected) throw new AppError('NOT_FOUND', 'Account not found');
    return selected;
  });
}
