/**
 * Whether an account can take an order now (PRODUCT.md §1a): not when its SnapTrade connection
 * is broken (until it is reconnected) nor when its brokerage connects read-only. One rule for
 * the user's own orders and for copies (skipped with the same reason code).
 */
import { and, eq } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { accounts } from '../../db/schema';
import type { CopyReason } from '../../domain/vocabulary';
import { AppError } from '../../errors';

export type TradingBlock = {
  reason: Extract<CopyReason, 'connection_broken' | 'account_read_only'>;
  message: string;
};

export function tradingBlock(account: {
  readOnly: boolean;
  needsReconnect: boolean;
  reconnectReason?: string | null;
  brokerName?: string;
}): TradingBlock | null {
  const broker = account.brokerName ?? 'this brokerage';
  if (account.readOnly) {
    return {
      reason: 'account_read_only',
      message: `${broker} connects read-only through SnapTrade: this account cannot place orders`,
    };
  }
  if (account.needsReconnect) {
    return {
      reason: 'connection_broken',
      message: `The connection to ${broker} is broken: reconnect it to trade (${account.reconnectReason ?? 'SnapTrade reported it disabled'})`,
    };
  }
  return null;
}

/** The user's own order: refused with the reason while the account cannot trade. */
export function assertCanTrade(account: Parameters<typeof tradingBlock>[0]): void {
  const block = tradingBlock(account);
  if (block) throw new AppError('PRECONDITION_FAILED', block.message, { details: { reason: block.reason } });
}

/**
 * What a new subscriber must hear before any copy is skipped (PRODUCT.md §1a): their selected
 * account cannot trade, or they have only read-only accounts. Null when copies can be placed.
 */
export async function copyAccountWarning(db: Executor, userId: string): Promise<string | null> {
  const active = await db
    .select({
      isSelected: accounts.isSelected,
      readOnly: accounts.readOnly,
      needsReconnect: accounts.needsReconnect,
      reconnectReason: accounts.reconnectReason,
      brokerName: accounts.brokerName,
    })
    .from(accounts)
    .where(and(eq(accounts.userId, userId), eq(accounts.isActive, true)));
  const selected = active.find((account) => account.isSelected);
  if (selected) {
    const block = tradingBlock(selected);
    return block ? `Copies will be skipped: ${block.message}` : null;
  }
  if (active.length > 0 && active.every((account) => account.readOnly)) {
    return 'Copies will be skipped: your brokerage connects read-only through SnapTrade. Connect an account that can trade, or open a paper account.';
  }
  return 'Copies will be skipped until you select a brokerage account that can trade.';
}
