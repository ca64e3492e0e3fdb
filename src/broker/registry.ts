import { decryptSecret } from '../crypto/secret-box';
import type { AccountProvider } from '../domain/vocabulary';
import type { Broker, BrokerAccountRef } from './port';

/** The account fields a broker needs, and the owner's SnapTrade credentials (encrypted). */
export type BrokerAccountSource = {
  id: string;
  provider: AccountProvider;
  snaptradeAccountId: string;
  owner: { snaptradeUserId: string | null; snaptradeUserSecret: string | null };
};

export type BrokerRegistry = {
  forAccount(account: BrokerAccountSource): { broker: Broker; ref: BrokerAccountRef };
};

/** Pick the implementation serving an account and build the reference it needs. */
export function createBrokerRegistry(options: {
  paper: Broker;
  snaptrade?: Broker;
  encryptionKey: string;
}): BrokerRegistry {
  return {
    forAccount(account) {
      if (account.provider === 'paper') {
        return {
          broker: options.paper,
          ref: { accountId: account.id, provider: 'paper', brokerAccountId: account.snaptradeAccountId },
        };
      }
      const { snaptradeUserId, snaptradeUserSecret } = account.owner;
      if (!options.snaptrade) throw new Error('SnapTrade is not configured on this server');
      if (!snaptradeUserId || !snaptradeUserSecret) {
        throw new Error(`account ${account.id} has no SnapTrade credentials`);
      }
      return {
        broker: options.snaptrade,
        ref: {
          accountId: account.id,
          provider: 'snaptrade',
          brokerAccountId: account.snaptradeAccountId,
          snaptrade: {
            userId: snaptradeUserId,
            userSecret: decryptSecret(snaptradeUserSecret, options.encryptionKey),
          },
        },
      };
    },
  };
}
