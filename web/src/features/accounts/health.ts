import type { Account } from './api';

/**
 * Why an account cannot take orders or copies now (PRODUCT.md §1a), in a trader's words, or
 * null when it can. The server refuses the same accounts; this only says so before asking.
 */
export type TradingBlock = { label: string; explanation: string };

export function tradingBlock(account: Account): TradingBlock | null {
  if (!account.isActive) {
    return {
      label: 'disconnected',
      explanation: 'It is disconnected: its history stays; it takes no orders.',
    };
  }
  if (account.readOnly) {
    return {
      label: 'read-only, cannot trade',
      explanation: `${account.brokerName} only lets us read this account through SnapTrade, so it cannot place orders or receive copies.`,
    };
  }
  if (account.needsReconnect) {
    return {
      label: 'needs reconnecting',
      explanation: `The connection to ${account.brokerName} needs reconnecting: ${reconnectReasonInWords(account)}`,
    };
  }
  return null;
}

/** The broken connection's reason as SnapTrade or a sync gave it, or a plain default. */
export function reconnectReasonInWords(account: Account): string {
  const reason = account.reconnectReason?.trim();
  return reason && reason.length > 0
    ? reason
    : 'the brokerage stopped accepting our connection (an expired login or a changed password).';
}

export const accountName = (account: Account) => account.accountName ?? account.brokerName;
