import { and, eq, inArray, sql } from 'drizzle-orm';
import { type Account, accounts } from '../../db/schema';
import { requireUser, type ServiceContext } from '../context';
import type { TradingDeps } from '../trading/deps';
import { inTransaction } from '../transaction';
import { requireSnaptrade, snaptradeCredentials } from './connect-snaptrade';
import { markConnectionBroken, markConnectionFixed } from './connection-health';

/**
 * Step two, when the portal redirects back: list the user's SnapTrade accounts and upsert one
 * `accounts` row each (the same brokerage account is never added twice). The first account
 * that can trade becomes selected when the user has none selected; read-only ones say so, and a
 * connection SnapTrade reports disabled marks its accounts `needs_reconnect`. Safe to repeat.
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
  const upserted = await inTransaction(ctx, async (tx) => {
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
        readOnly: summary.readOnly,
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
            readOnly: values.readOnly,
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
    // A read-only account cannot be selected for trading (PRODUCT.md §1a).
    const first = upserted.find((account) => !account.readOnly);
    if (!selected && first) {
      await tx.update(accounts).set({ isSelected: true }).where(eq(accounts.id, first.id));
      first.isSelected = true;
    }
    return upserted;
  });
  // What the listing says of each connection's health: broken ones are marked (the user told
  // once), working ones cleared (how a reconnect through the portal comes back).
  const byHealth = (disabled: boolean) =>
    upserted
      .filter((account) =>
        listed.some((s) => s.snaptradeAccountId === account.snaptradeAccountId && s.disabled === disabled),
      )
      .map((account) => account.id);
  const broken = byHealth(true);
  const working = byHealth(false);
  if (broken.length > 0) await markConnectionBroken({ ctx, input: { target: { accountIds: broken } } });
  if (working.length > 0) await markConnectionFixed({ ctx, input: { target: { accountIds: working } } });
  return loadAccounts(
    ctx,
    upserted.map((account) => account.id),
  );
}

async function loadAccounts(ctx: ServiceContext, ids: string[]): Promise<Account[]> {
  const rows = await ctx.db.select().from(accounts).where(inArray(accounts.id, ids));
  return ids.flatMap((id) => rows.filter((row) => row.id === id));
}
