import { eq } from 'drizzle-orm';
import { type Account, accounts } from '../../db/schema';
import { AppError } from '../../errors';
import type { ServiceContext } from '../context';
import type { TradingDeps } from '../trading/deps';
import { loadAccount } from '../trading/load-account';
import { checkSnaptradeConnection } from './check-connection';

/**
 * Refresh an account's cached balance and buying power from its broker. Users may sync their
 * own accounts; the balance job syncs every active account as `system`. A SnapTrade connection
 * found disabled marks the account `needs_reconnect` (PRODUCT.md §1a); found working, clears it.
 */
export async function syncBalances({
  ctx,
  deps,
  input,
}: {
  ctx: ServiceContext;
  deps: TradingDeps;
  input: { accountId: string };
}): Promise<Account> {
  const userId = ctx.actor.type === 'user' ? ctx.actor.userId : undefined;
  if (ctx.actor.type === 'anonymous') throw new AppError('UNAUTHENTICATED', 'Sign in to continue');
  const account = await loadAccount(ctx.db, input.accountId, userId);
  if (!account) throw new AppError('NOT_FOUND', 'Account not found');
  if (!account.isActive) throw new AppError('PRECONDITION_FAILED', 'The account is disconnected');
  const { broker, ref } = deps.brokers.forAccount(account);
  await checkSnaptradeConnection({ ctx, deps, input: { account, ref } });
  const balances = await broker.getBalances(ref);
  const [updated] = await ctx.db
    .update(accounts)
    .set({ balance: balances.cash, buyingPower: balances.buyingPower, lastSyncAt: ctx.now() })
    .where(eq(accounts.id, account.id))
    .returning();
  if (!updated) throw new AppError('NOT_FOUND', 'Account not found');
  return updated;
}
