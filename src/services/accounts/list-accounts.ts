import { asc, eq } from 'drizzle-orm';
import { type Account, accounts } from '../../db/schema';
import { requireUser, type ServiceContext } from '../context';

/** The user's brokerage accounts, connected and disconnected, oldest first. */
export async function listAccounts({ ctx }: { ctx: ServiceContext }): Promise<Account[]> {
  const userId = requireUser(ctx);
  return ctx.db
    .select()
    .from(accounts)
    .where(eq(accounts.userId, userId))
    .orderBy(asc(accounts.createdAt), asc(accounts.id));
}
