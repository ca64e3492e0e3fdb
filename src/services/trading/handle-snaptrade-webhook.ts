import { and, eq } from 'drizzle-orm';
import { verifySnapTradeWebhook } from '../../broker/snaptrade/webhook';
import { accounts, users } from '../../db/schema';
import { AppError } from '../../errors';
import { enqueueMany } from '../../jobs/queue';
import type { ServiceContext } from '../context';
import type { TradingDeps } from './deps';

/**
 * A SnapTrade webhook (PRODUCT.md §2): verified by its HMAC-SHA256 `Signature`, refused when older
 * than 300 s; a TRADE_UPDATE syncs that account's orders now instead of at the next poll.
 */
export async function handleSnaptradeWebhook({
  ctx,
  deps,
  input,
}: {
  ctx: ServiceContext;
  deps: TradingDeps;
  input: { rawBody: string; signature: string | undefined };
}): Promise<{ accepted: boolean; synced: number }> {
  if (!deps.snaptradeWebhookKey) throw new AppError('NOT_FOUND', 'SnapTrade is not enabled on this server');
  const verified = verifySnapTradeWebhook({
    rawBody: input.rawBody,
    signatureHeader: input.signature,
    consumerKey: deps.snaptradeWebhookKey,
    now: ctx.now(),
  });
  if (!verified.ok) {
    if (verified.reason === 'bad_signature')
      throw new AppError('UNAUTHENTICATED', 'Invalid webhook signature');
    throw new AppError(
      'VALIDATION',
      verified.reason === 'stale' ? 'Webhook event is too old' : 'Malformed webhook event',
      { field: 'body' },
    );
  }
  const { event } = verified;
  if (event.kind !== 'trade_update') return { accepted: true, synced: 0 };
  const targets = await ctx.db
    .select({ id: accounts.id })
    .from(accounts)
    .innerJoin(users, eq(users.id, accounts.userId))
    .where(
      and(
        eq(accounts.snaptradeAccountId, event.accountId),
        eq(users.snaptradeUserId, event.userId),
        eq(accounts.isActive, true),
      ),
    );
  // Replaces each account's waiting poll with one that runs now.
  await enqueueMany(
    ctx.db,
    'sync-account-orders',
    targets.map((account) => ({ accountId: account.id })),
    { jobKeyMode: 'replace', delayMs: 0 },
  );
  return { accepted: true, synced: targets.length };
}
