import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { accounts } from '../../db/schema';
import { AppError } from '../../errors';
import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import type { TradingDeps } from '../trading/deps';
import { requireSnaptrade, snaptradeCredentials } from './connect-snaptrade';

export const reconnectSnaptradeSchema = z.object({ accountId: z.string(), redirectUrl: z.url() });

/**
 * Repair a broken connection (PRODUCT.md §1a): the Connection Portal opened with
 * `reconnect=<authorization id>` re-authenticates the same connection, so its accounts keep
 * their ids (a new connection would change them). Coming back, the callback lists the accounts
 * again, which clears `needs_reconnect`; SnapTrade's CONNECTION_FIXED does the same.
 */
export async function reconnectSnaptrade({
  ctx,
  deps,
  input,
}: {
  ctx: ServiceContext;
  deps: TradingDeps;
  input: unknown;
}): Promise<{ url: string }> {
  const userId = requireUser(ctx);
  const { accountId, redirectUrl } = parseInput(reconnectSnaptradeSchema, input);
  const [account] = await ctx.db
    .select({ provider: accounts.provider, authorizationId: accounts.snaptradeAuthorizationId })
    .from(accounts)
    .where(and(eq(accounts.id, accountId), eq(accounts.userId, userId)));
  if (!account) throw new AppError('NOT_FOUND', 'Account not found');
  if (account.provider !== 'snaptrade') {
    throw new AppError('PRECONDITION_FAILED', 'Only a SnapTrade connection can be reconnected');
  }
  const credentials = await snaptradeCredentials(ctx, deps, userId);
  const url = await requireSnaptrade(deps).connectionPortalUrl({
    ...credentials,
    redirectUrl,
    reconnectAuthorizationId: account.authorizationId,
  });
  return { url };
}
