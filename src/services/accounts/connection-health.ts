/**
 * PRODUCT.md §1a: a SnapTrade connection breaks (CONNECTION_BROKEN, or a sync finds it
 * disabled) and is fixed (CONNECTION_FIXED, a reconnect); SnapTrade deletes connections and
 * removes accounts. Each is one race-safe statement; the user hears of a break once, however
 * many accounts, events and syncs report it.
 */
import { sql } from 'drizzle-orm';
import type { ServiceContext } from '../context';
import { notifyMany } from '../notifications/notify';
import { inTransaction } from '../transaction';

/** Which of our accounts an event is about: one SnapTrade account, or all of a connection. */
export type ConnectionTarget =
  | { snaptradeUserId: string; authorizationId: string }
  | { snaptradeUserId: string; snaptradeAccountId: string }
  | { accountIds: string[] };

function where(target: ConnectionTarget) {
  if ('accountIds' in target) return sql`a.id = ANY(${sql.param(target.accountIds)}::text[])`;
  const owner = sql`a.user_id IN (SELECT id FROM users WHERE snaptrade_user_id = ${target.snaptradeUserId})`;
  return 'authorizationId' in target
    ? sql`${owner} AND a.snaptrade_authorization_id = ${target.authorizationId}`
    : sql`${owner} AND a.snaptrade_account_id = ${target.snaptradeAccountId}`;
}

export const DEFAULT_BROKEN_REASON =
  'The brokerage connection stopped working (expired login or changed password). Reconnect it to resume trading and copies.';

/**
 * Mark the target's active SnapTrade accounts `needs_reconnect`. Only accounts not already
 * marked change, and only their owners are notified: one notification per user per break.
 */
export async function markConnectionBroken({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { target: ConnectionTarget; reason?: string };
}): Promise<{ accountIds: string[] }> {
  const now = ctx.now().toISOString();
  const reason = input.reason ?? DEFAULT_BROKEN_REASON;
  return inTransaction(ctx, async (tx) => {
    const { rows } = await tx.execute<{ id: string; user_id: string; broker_name: string }>(sql`
      UPDATE accounts a SET needs_reconnect = TRUE, reconnect_reason = ${reason}, broken_at = ${now}::timestamp,
             updated_at = ${now}::timestamp
       WHERE ${where(input.target)} AND a.provider = 'snaptrade' AND a.is_active IS TRUE
         AND a.needs_reconnect = FALSE
      RETURNING a.id, a.user_id, a.broker_name`);
    const byUser = new Map<string, { brokerName: string; accountIds: string[] }>();
    for (const row of rows) {
      const entry = byUser.get(row.user_id) ?? { brokerName: row.broker_name, accountIds: [] };
      entry.accountIds.push(row.id);
      byUser.set(row.user_id, entry);
    }
    await notifyMany({
      tx,
      ctx,
      input: [...byUser].map(([userId, { brokerName, accountIds }]) => ({
        userId,
        type: 'connection_broken' as const,
        title: `Reconnect ${brokerName}`,
        body: `${reason} Copies to this account are skipped until then.`,
        data: { accountIds },
      })),
    });
    return { accountIds: rows.map((row) => row.id) };
  });
}

/** The connection works again: its accounts trade and receive copies again. */
export async function markConnectionFixed({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { target: ConnectionTarget };
}): Promise<{ accountIds: string[] }> {
  const now = ctx.now().toISOString();
  const { rows } = await ctx.db.execute<{ id: string }>(sql`
    UPDATE accounts a SET needs_reconnect = FALSE, reconnect_reason = NULL, broken_at = NULL,
           updated_at = ${now}::timestamp
     WHERE ${where(input.target)} AND a.needs_reconnect = TRUE
    RETURNING a.id`);
  return { accountIds: rows.map((row) => row.id) };
}

/**
 * SnapTrade deleted the connection or removed the account: ours stop being used, as a
 * disconnect does (inactive, unselected); their history stays.
 */
export async function deactivateAccounts({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { target: ConnectionTarget };
}): Promise<{ accountIds: string[] }> {
  const now = ctx.now().toISOString();
  const { rows } = await ctx.db.execute<{ id: string }>(sql`
    UPDATE accounts a SET is_active = FALSE, is_selected = FALSE, updated_at = ${now}::timestamp
     WHERE ${where(input.target)} AND a.provider = 'snaptrade' AND a.is_active IS TRUE
    RETURNING a.id`);
  return { accountIds: rows.map((row) => row.id) };
}
