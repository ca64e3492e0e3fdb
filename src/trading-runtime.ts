import { PaperBroker } from './broker/paper/paper-broker';
import { createQuoteModel, type QuoteSource } from './broker/paper/quotes';
import type { Broker } from './broker/port';
import { createBrokerRegistry } from './broker/registry';
import type { Config } from './config';
import type { Database } from './db/client';
import type { TradingDeps } from './services/trading/deps';

/**
 * The brokers this process talks to: the paper broker always (quotes from the seeded model
 * unless given), and SnapTrade when configured.
 */
export function buildTradingDeps(options: {
  db: Database;
  config: Pick<Config, 'encryptionKey' | 'paperQuoteSeed'>;
  now?: () => Date;
  quotes?: QuoteSource;
  snaptrade?: Broker;
}): TradingDeps & { paper: PaperBroker } {
  const paper = new PaperBroker({
    db: options.db,
    quotes: options.quotes ?? createQuoteModel({ seed: options.config.paperQuoteSeed }),
    now: options.now,
  });
  return {
    paper,
    brokers: createBrokerRegistry({
      paper,
      snaptrade: options.snaptrade,
      encryptionKey: options.config.encryptionKey,
    }),
  };
}
