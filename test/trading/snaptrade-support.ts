/**
 * Services over the SnapTrade simulator with the real SDK: a simulator recording every exchange,
 * the trading dependencies pointed at it, and users with a connected SnapTrade account written
 * straight into the database (the connect flow itself is covered by snaptrade-api.test.ts).
 */
import { eq } from 'drizzle-orm';
import { SnapTradeBroker, type SnapTradeBrokerOptions } from '../../src/broker/snaptrade/adapter';
import { SnapTradeConnections } from '../../src/broker/snaptrade/connections';
import {
  createSnapTradeSimulator,
  type SnapTradeSimulator,
  type SnapTradeSimulatorOptions,
} from '../../src/broker/snaptrade/simulator';
import type { Config } from '../../src/config';
import { encryptSecret } from '../../src/crypto/secret-box';
import { type Account, type User, users } from '../../src/db/schema';
import type { MarketData } from '../../src/market-data/port';
import { buildTradingDeps } from '../../src/runtime';
import type { ServiceContext } from '../../src/services/context';
import type { CopySettings, TradingDeps } from '../../src/services/trading/deps';
import { silentLogger, TestClock, testConfig } from '../helpers/app';
import type { TestDatabase } from '../helpers/db';
import { createAccount, createUser } from '../helpers/factories';

export type SnapTradeEnv = {
  sim: SnapTradeSimulator;
  trading: TradingDeps;
  connections: SnapTradeConnections;
  config: Config;
  clock: TestClock;
  /** A context acting as this user (or the system when none). */
  ctx(userId?: string): ServiceContext;
  close(): Promise<void>;
};

export async function startSnapTradeEnv(
  t: TestDatabase,
  options: {
    sim?: SnapTradeSimulatorOptions;
    client?: Partial<SnapTradeBrokerOptions>;
    brokerMarketData?: MarketData;
    copy?: Partial<CopySettings>;
  } = {},
): Promise<SnapTradeEnv> {
  const sim = await createSnapTradeSimulator({ seed: 11, record: true, ...options.sim });
  const clientOptions: SnapTradeBrokerOptions = {
    clientId: sim.clientId,
    consumerKey: sim.consumerKey,
    basePath: sim.url,
    sleep: async () => {},
    random: () => 0,
    ...options.client,
  };
  const config = testConfig();
  const clock = new TestClock();
  const connections = new SnapTradeConnections(clientOptions);
  const trading: TradingDeps = {
    ...buildTradingDeps({
      db: t.db,
      config,
      now: clock.now,
      snaptrade: {
        broker: new SnapTradeBroker(clientOptions),
        connector: connections,
        consumerKey: sim.consumerKey,
      },
      copy: options.copy,
    }),
    ...(options.brokerMarketData ? { brokerMarketData: options.brokerMarketData } : {}),
  };
  const log = silentLogger();
  return {
    sim,
    trading,
    connections,
    config,
    clock,
    ctx: (userId) => ({
      db: t.db,
      actor: userId ? { type: 'user', userId } : { type: 'system', job: 'test' },
      now: clock.now,
      log,
    }),
    close: () => sim.close(),
  };
}

export type SnapTradeUser = {
  user: User;
  account: Account;
  brokerAccountId: string;
  authorizationId: string;
  userSecret: string;
};

/** A user registered at the simulator with one connected account, selected, as our rows. */
export async function snapTradeUser(
  t: TestDatabase,
  env: SnapTradeEnv,
  options: {
    cash?: string;
    brokerSlug?: string;
    optionImpact?: boolean;
    connectionType?: 'read' | 'trade';
    isTrader?: boolean;
  } = {},
): Promise<SnapTradeUser> {
  const user = await createUser(t.db, options.isTrader ? { isTrader: true } : {});
  const { userSecret } = await env.connections.registerUser(user.id);
  const cash = options.cash ?? '100000.00';
  const { accountId, authorizationId } = env.sim.controls.connectAccount({
    userId: user.id,
    cash,
    brokerSlug: options.brokerSlug ?? 'ALPACA',
    ...(options.optionImpact !== undefined ? { optionImpact: options.optionImpact } : {}),
    ...(options.connectionType ? { connectionType: options.connectionType } : {}),
  });
  const [updated] = await t.db
    .update(users)
    .set({
      snaptradeUserId: user.id,
      snaptradeUserSecret: encryptSecret(userSecret, env.config.encryptionKey),
    })
    .where(eq(users.id, user.id))
    .returning();
  const account = await createAccount(t.db, user.id, {
    provider: 'snaptrade',
    brokerName: options.brokerSlug ?? 'Alpaca',
    brokerSlug: options.brokerSlug ?? 'ALPACA',
    snaptradeAccountId: accountId,
    snaptradeAuthorizationId: authorizationId,
    balance: cash,
    buyingPower: cash,
    isSelected: true,
  });
  return { user: updated ?? user, account, brokerAccountId: accountId, authorizationId, userSecret };
}
