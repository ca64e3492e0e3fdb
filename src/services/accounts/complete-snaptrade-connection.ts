import { and, eq, sql } from 'drizzle-orm';
import { type Account, accounts } from '../../db/schema';
import { requireUser, type ServiceContext } from '../context';
import type { TradingDeps } from '../trading/deps';
import { inTransaction } from '../transaction';
import { requireSnaptrade, snaptradeCredentials } from './connect-snaptrade';

/**
 * Step two, when the portal redirects back: list the user's SnapTrade accounts and upsert one
 * `accounts` row each (the same brokerage account is never added twice). The first account
 * becomes selected when the user has none selected. Safe to repeat.
 */
export async function completeSnaptradeConnection({
  ctx,
  deps,
}: {
  ctx: ServiceContext;
  deps: TradingDeps;
}): Promise<Account[]> {
  const userId = requireUser(ctx);
  const credentials = await snaptradeCredentials(ctx, deps, userId);
  const listed = await requireSnaptrade(deps).listAccounts(credentials);
  return inTransaction(ctx, async (tx) => {
    const upserted: Account[] = [];
    for (const summary of listed) {
      const values = {
        userId,
        provider: 'snaptrade' as const,
        brokerName: summary.institutionName,
        brokerSlug: summary.institutionSlug ?? summary.institutionName.toUpperCase().replace(/\W+/g, '_'),
        accountNumber: summary.number,
        accountName: summary.name,
        accountType: summary.type,
        snaptradeAccountId: summary.snaptradeAccountId,
        snaptradeAuthorizationId: summary.brokerageAuthorizationId,
        balance: summary.balance,
        isActive: true,
        lastSyncAt: ctx.now(),
      };
      const [row] = await tx
        .insert(accounts)
        .values(values)
        .onConflictDoUpdate({
          target: [accounts.userId, accounts.snaptradeAccountId],
          set: {
            brokerName: values.brokerName,
            brokerSlug: values.brokerSlug,
            accountNumber: values.accountNumber,
            accountName: values.accountName,
            accountType: values.accountType,
            snaptradeAuthorizationId: values.snaptradeAuthorizationId,
            balance: sql`COALESCE(excluded.balance, ${accounts.balance})`,
            isActive: true,
            lastSyncAt: values.lastSyncAt,
          },
        })
        .returning();
      if (row) upserted.push(row);
    }
    const [selected] = await tx
      .select({ id: accounts.id })
      .from(accounts)
      .where(and(eq(accounts.userId, userId), eq(accounts.isSelected, true), eq(accounts.isActive, true)));
    const first = upserted[0];
    if (!selected && first) {
      await tx.update(accounts).set({ isSelected: true }).where(eq(accounts.id, first.id));
      first.isSelected = true;
    }
    return upserted;
  });
}
