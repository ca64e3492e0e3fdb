import type { BrokerRegistry } from '../../broker/registry';

/** What the trading services need beyond the service context. */
export type TradingDeps = {
  brokers: BrokerRegistry;
};

/** Order sync polls an account's broker no faster than this (PRODUCT.md §2). */
export const ORDER_SYNC_INTERVAL_MS = 15_000;
