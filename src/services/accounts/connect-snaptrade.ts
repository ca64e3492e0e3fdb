import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { decryptSecret, encryptSecret } from '../../crypto/secret-box';
import { users } from '../../db/schema';
import { AppError } from '../../errors';
import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import type { SnapTradeConnector, TradingDeps } from '../trading/deps';

export const connectSnaptradeSchema = z.object({ redirectUrl: z.url() });

export function requireSnaptrade(deps: TradingDeps): SnapTradeConnector {
  if (!deps.snaptrade) {
    throw new AppError('PRECONDITION_FAILED', 'Brokerage connections are not enabled on this server');
  }
  return deps.snaptrade;
}

/**
 * The user's SnapTrade credentials, registering them with SnapTrade on first use. The secret is
 * stored only encrypted (AES-256-GCM).
 */
export async function snaptradeCredentials(
  ctx: ServiceContext,
  deps: TradingDeps,
  userId: string,
): Promise<{ userId: string; userSecret: string }> {
  const snaptrade = requireSnaptrade(deps);
  const [user] = await ctx.db
    .select({ snaptradeUserId: users.snaptradeUserId, snaptradeUserSecret: users.snaptradeUserSecret })
    .from(users)
    .where(eq(users.id, userId));
  if (!user) throw new AppError('NOT_FOUND', 'User not found');
  if (user.snaptradeUserId && user.snaptradeUserSecret) {
    return {
      userId: user.snaptradeUserId,
      userSecret: decryptSecret(user.snaptradeUserSecret, deps.encryptionKey),
    };
  }
  const registered = await snaptrade.registerUser(userId);
  await ctx.db
    .update(users)
    .set({
      snaptradeUserId: registered.snaptradeUserId,
      snaptradeUserSecret: encryptSecret(registered.userSecret, deps.encryptionKey),
    })
    .where(eq(users.id, userId));
  return { userId: registered.snaptradeUserId, userSecret: registered.userSecret };
}

/**
 * Step one of connecting a brokerage (PRODUCT.md §1): register with SnapTrade if needed and hand
 * back the Connection Portal link; the portal sends the user back to `redirectUrl`.
 */
export async function connectSnaptrade({
  ctx,
  deps,
  input,
}: {
  ctx: ServiceContext;
  deps: TradingDeps;
  input: unknown;
}): Promise<{ url: string }> {
  const userId = requireUser(ctx);
  const { redirectUrl } = parseInput(connectSnaptradeSchema, input);
  const credentials = await snaptradeCredentials(ctx, deps, userId);
  const url = await requireSnaptrade(deps).connectionPortalUrl({ ...credentials, redirectUrl });
  return { url };
}
