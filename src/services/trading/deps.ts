import type { BrokerRegistry } from '../../broker/registry';
import type { SnapTradeAccountSummary, SnapTradeUserCredentials } from '../../broker/snaptrade/connections';

/** The SnapTrade connection steps (registration, portal link, accounts) the services use. */
export type SnapTradeConnector = {
  registerUser(userId: string): Promise<{ snaptradeUserId: string; userSecret: string }>;
  connectionPortalUrl(input: SnapTradeUserCredentials & { redirectUrl?: string }): Promise<string>;
  listAccounts(input: SnapTradeUserCredentials): Promise<SnapTradeAccountSummary[]>;
};

/** What the trading services need beyond the service context. */
export type TradingDeps = {
  brokers: BrokerRegistry;
  /** Absent when SnapTrade is not configured (BROKER=paper). */
  snaptrade?: SnapTradeConnector;
  /** Encrypts SnapTrade user secrets at rest. */
  encryptionKey: string;
  /** Verifies SnapTrade webhooks (the consumer key); absent without SnapTrade. */
  snaptradeWebhookKey?: string;
};

/** Order sync polls an account's broker no faster than this (PRODUCT.md §2). */
export const ORDER_SYNC_INTERVAL_MS = 15_000;
