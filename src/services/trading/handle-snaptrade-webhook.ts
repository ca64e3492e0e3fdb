import { and, eq, sql } from 'drizzle-orm';
import { type SnapTradeWebhookEvent, verifySnapTradeWebhook } from '../../broker/snaptrade/webhook';
import { accounts, users } from '../../db/schema';
import { AppError } from '../../errors';
import { enqueueMany } from '../../jobs/queue';
import { completeSnaptradeConnection } from '../accounts/complete-snaptrade-connection';
import { deactivateAccounts, markConnectionBroken, markConnectionFixed } from '../accounts/connection-health';
import type { ServiceContext } from '../context';
import type { TradingDeps } from './deps';

/**
 * A SnapTrade webhook (PRODUCT.md §2 "Order sync", §1a): verified by its HMAC-SHA256
 * `Signature`, refused when older than 300 s, then acted on by type. TRADE_DETECTION syncs that
 * account's orders now (which also imports orders placed at the broker);
 * ACCOUNT_HOLDINGS_UPDATED refreshes its balances and orders; CONNECTION_BROKEN / FIXED mark
 * the connection's accounts; CONNECTION_DELETED and ACCOUNT_REMOVED stop using them;
 * NEW_ACCOUNT_AVAILABLE lists and upserts the user's accounts. Any other type is accepted and
 * logged: SnapTrade adds types, and an error would only make it resend.
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
  const synced = await act(ctx, deps, event);
  ctx.log.info(
    { webhookId: event.webhookId, type: event.type, kind: event.kind, accounts: synced },
    event.kind === 'other' ? 'SnapTrade webhook of a type we do not act on' : 'SnapTrade webhook',
  );
  return { accepted: true, synced };
}

/** What the event does; answers how many of our accounts it touched. */
async function act(ctx: ServiceContext, deps: TradingDeps, event: SnapTradeWebhookEvent): Promise<number> {
  switch (event.kind) {
    case 'trade_detection':
    case 'holdings_updated': {
      const targets = await activeAccounts(ctx, event.userId, event.accountId);
      const accountIds = targets.map((account) => account.id);
      // Replaces each account's waiting poll with one that runs now.
      await enqueueMany(
        ctx.db,
        'sync-account-orders',
        accountIds.map((accountId) => ({ accountId })),
        { jobKeyMode: 'replace', delayMs: 0 },
      );
      if (event.kind === 'holdings_updated' && accountIds.length > 0) {
        await enqueueMany(ctx.db, 'sync-account-balances', [{ accountIds }]);
      }
      return accountIds.length;
    }
    case 'connection_broken': {
      const target = { snaptradeUserId: event.userId, authorizationId: event.brokerageAuthorizationId };
      return (await markConnectionBroken({ ctx, input: { target } })).accountIds.length;
    }
    case 'connection_fixed': {
      const target = { snaptradeUserId: event.userId, authorizationId: event.brokerageAuthorizationId };
      return (await markConnectionFixed({ ctx, input: { target } })).accountIds.length;
    }
    case 'connection_deleted': {
      const target = { snaptradeUserId: event.userId, authorizationId: event.brokerageAuthorizationId };
      return (await deactivateAccounts({ ctx, input: { target } })).accountIds.length;
    }
    case 'account_removed': {
      const target = { snaptradeUserId: event.userId, snaptradeAccountId: event.accountId };
      return (await deactivateAccounts({ ctx, input: { target } })).accountIds.length;
    }
    case 'new_account': {
      const [owner] = await ctx.db
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.snaptradeUserId, event.userId), sql`${users.deletedAt} IS NULL`));
      if (!owner || !deps.snaptrade) return 0;
      const upserted = await completeSnaptradeConnection({
        ctx: { ...ctx, actor: { type: 'user', userId: owner.id } },
        deps,
      });
      return upserted.length;
    }
    case 'other':
      return 0;
  }
}

function activeAccounts(ctx: ServiceContext, snaptradeUserId: string, snaptradeAccountId: string) {
  return ctx.db
    .select({ id: accounts.id })
    .from(accounts)
    .innerJoin(users, eq(users.id, accounts.userId))
    .where(
      and(
        eq(accounts.snaptradeAccountId, snaptradeAccountId),
        eq(users.snaptradeUserId, snaptradeUserId),
        eq(accounts.isActive, true),
      ),
    );
}
