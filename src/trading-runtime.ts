import { PaperBroker } from './broker/paper/paper-broker';
import { createQuoteModel, type QuoteSource } from './broker/paper/quotes';
import type { Broker } from './broker/port';
import { createBrokerRegistry } from './broker/registry';
import { SnapTradeBroker } from './broker/snaptrade/adapter';
import { SnapTradeConnections } from './broker/snaptrade/connections';
import { startSnapTradeSimulator } from './broker/snaptrade/simulator';
import type { Config } from './config';
import type { Database } from './db/client';
import {
  type CopySettings,
  DEFAULT_COPY_SETTINGS,
  type SnapTradeConnector,
  type TradingDeps,
} from './services/trading/deps';

/**
 * The brokers this process talks to: the paper broker always (quotes from the seeded model
 * unless given), and SnapTrade when configured.
 */
export function buildTradingDeps(options: {
  db: Database;
  config: Pick<Config, 'encryptionKey' | 'paperQuoteSeed'> & Partial<Pick<Config, 'copyClaimTimeoutMs'>>;
  now?: () => Date;
  quotes?: QuoteSource;
  snaptrade?: { broker: Broker; connector: SnapTradeConnector; consumerKey: string };
  copy?: Partial<CopySettings>;
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
      snaptrade: options.snaptrade?.broker,
      encryptionKey: options.config.encryptionKey,
    }),
    snaptrade: options.snaptrade?.connector,
    snaptradeWebhookKey: options.snaptrade?.consumerKey,
    copy: {
      ...DEFAULT_COPY_SETTINGS,
      ...(options.config.copyClaimTimeoutMs ? { claimTimeoutMs: options.config.copyClaimTimeoutMs } : {}),
      ...options.copy,
    },
    encryptionKey: options.config.encryptionKey,
  };
}

export type SnapTradeRuntime = {
  broker: Broker;
  connector: SnapTradeConnector;
  consumerKey: string;
  stop: () => Promise<void>;
};

const SIMULATOR_CREDENTIALS = { clientId: 'ALERTSIFY_SIM', consumerKey: 'alertsify-snaptrade-simulator-key' };

/**
 * SnapTrade as configured: nothing for BROKER=paper; the real API for BROKER=snaptrade; for
 * BROKER=snaptrade-sim the local simulator, started here when `startSimulator` (the serving
 * process) or reached on its port (worker processes).
 */
export async function startSnaptradeRuntime(options: {
  config: Pick<Config, 'broker' | 'snaptrade' | 'publicUrl'>;
  startSimulator: boolean;
}): Promise<SnapTradeRuntime | undefined> {
  const { config } = options;
  if (config.broker === 'paper') return undefined;
  let clientId = config.snaptrade.clientId;
  let consumerKey = config.snaptrade.consumerKey;
  let basePath = config.snaptrade.baseUrl;
  let stop = async () => {};
  if (config.broker === 'snaptrade-sim') {
    ({ clientId, consumerKey } = SIMULATOR_CREDENTIALS);
    basePath = `http://127.0.0.1:${config.snaptrade.simulatorPort}`;
    if (options.startSimulator) {
      const simulator = await startSnapTradeSimulator({
        ...SIMULATOR_CREDENTIALS,
        host: '127.0.0.1',
        port: config.snaptrade.simulatorPort,
        webhookUrl: `${config.publicUrl}/api/webhooks/snaptrade`,
      });
      basePath = simulator.url;
      stop = () => simulator.close();
    }
  }
  if (!clientId || !consumerKey)
    throw new Error('SnapTrade needs SNAPTRADE_CLIENT_ID and SNAPTRADE_CONSUMER_KEY');
  const clientOptions = { clientId, consumerKey, basePath };
  return {
    broker: new SnapTradeBroker(clientOptions),
    connector: new SnapTradeConnections(clientOptions),
    consumerKey,
    stop,
  };
}
