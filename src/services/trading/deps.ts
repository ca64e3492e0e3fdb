import type { BrokerRegistry } from '../../broker/registry';
import type {
  SnapTradeAccountSummary,
  SnapTradeConnectionStatus,
  SnapTradeUserCredentials,
} from '../../broker/snaptrade/connections';
import type { MarketData } from '../../market-data/port';

/** The SnapTrade connection steps (registration, portal link, accounts) the services use. */
export type SnapTradeConnector = {
  registerUser(userId: string): Promise<{ snaptradeUserId: string; userSecret: string }>;
  connectionPortalUrl(
    input: SnapTradeUserCredentials & { redirectUrl?: string; reconnectAuthorizationId?: string },
  ): Promise<string>;
  listAccounts(input: SnapTradeUserCredentials): Promise<SnapTradeAccountSummary[]>;
  /** Whether a connection is broken or read-only; null when SnapTrade no longer knows it. */
  connectionStatus(
    input: SnapTradeUserCredentials & { authorizationId: string },
  ): Promise<SnapTradeConnectionStatus | null>;
  /** Deregister a user and their connections (an account deleted here). */
  deleteUser(snaptradeUserId: string): Promise<void>;
};

/** What the trading services need beyond the service context. */
export type TradingDeps = {
  brokers: BrokerRegistry;
  /** Listed contracts and their prices (the option chain), apart from any broker. */
  marketData: MarketData;
  /**
   * A market-data provider trusted for real money: prices a SnapTrade Market order when its
   * brokerage has no option impact. Absent unless configured; without it such an order goes to
   * the broker unpriced and the broker's buying-power check decides.
   */
  brokerMarketData?: MarketData;
  /** Absent when SnapTrade is not configured (BROKER=paper). */
  snaptrade?: SnapTradeConnector;
  /** Encrypts SnapTrade user secrets at rest. */
  encryptionKey: string;
  /** Verifies SnapTrade webhooks (the consumer key); absent without SnapTrade. */
  snaptradeWebhookKey?: string;
  copy: CopySettings;
  /** Crash tests: called at the named points (nothing in production). */
  faults?: { afterCopyDecisions?: () => void; afterCopySent?: () => void };
};

/** PRODUCT.md §3 windows, and how copy orders are sent. */
export type CopySettings = {
  /** A copy waiting for the subscriber's approval lapses after this long (15 minutes). */
  approvalWindowMs: number;
  /** A position copied from another trader this recently makes a copy a `duplicate` (5 minutes). */
  duplicateWindowMs: number;
  /** Copy orders sent to brokers at once, when a broker has no batch placement. */
  placementConcurrency: number;
  /** A claim on a copy order older than this, still unsent, belonged to a worker that died. */
  claimTimeoutMs: number;
};

export const DEFAULT_COPY_SETTINGS: CopySettings = {
  approvalWindowMs: 15 * 60_000,
  duplicateWindowMs: 5 * 60_000,
  placementConcurrency: 16,
  claimTimeoutMs: 60_000,
};
