/**
 * SnapTrade users and brokerage connections, for our services: register a SnapTrade user for one
 * of ours, send them to the Connection Portal, list the accounts they connected (to upsert our
 * `accounts` rows), delete the user. Errors follow the adapter: outages throw
 * `BrokerUnavailableError`, anything else SnapTrade refuses throws `SnapTradeApiError`.
 */
import { z } from 'zod';
import { Dec } from '../../domain/money';
import {
  expectOk,
  SnapTradeApiError,
  SnapTradeClient,
  type SnapTradeClientOptions,
  unexpectedResponse,
} from './client';

export type SnapTradeUserCredentials = { userId: string; userSecret: string };

/** One brokerage account a user connected, in the terms of our `accounts` table. */
export type SnapTradeAccountSummary = {
  /** `accounts.snaptrade_account_id` */
  snaptradeAccountId: string;
  /** `accounts.snaptrade_authorization_id` */
  brokerageAuthorizationId: string;
  /** `accounts.account_number` (may be masked by the brokerage) */
  number: string;
  /** `accounts.account_name` */
  name: string | null;
  /** `accounts.broker_name` */
  institutionName: string;
  /** `accounts.broker_slug`; null when the connection could not be found. */
  institutionSlug: string | null;
  /** `accounts.account_type`: the brokerage's own account type (Margin, Cash, TFSA, ...). */
  type: string | null;
  /** Total account value as SnapTrade reports it, 2 decimals; null when unknown. */
  balance: string | null;
  currency: string | null;
  isPaper: boolean;
  status: string | null;
  /** The connection cannot trade (a `read` connection, or a brokerage that does not allow it). */
  readOnly: boolean;
  /** The connection is broken ("disabled"): the user must reconnect it. */
  disabled: boolean;
};

/** What a connection says about itself: broken, read-only. */
export type SnapTradeConnectionStatus = { disabled: boolean; readOnly: boolean };

const userSchema = z.object({ userId: z.string(), userSecret: z.string() });
const loginSchema = z.object({ redirectURI: z.string().nullish() });
const accountsSchema = z.array(
  z.object({
    id: z.string(),
    brokerage_authorization: z.string(),
    name: z.string().nullish(),
    number: z.string(),
    institution_name: z.string(),
    raw_type: z.string().nullish(),
    status: z.string().nullish(),
    is_paper: z.boolean().nullish(),
    balance: z
      .object({
        total: z.object({ amount: z.number().nullish(), currency: z.string().nullish() }).nullish(),
      })
      .nullish(),
  }),
);
const authorizationSchema = z.object({
  id: z.string(),
  type: z.string().nullish(),
  disabled: z.boolean().nullish(),
  brokerage: z.object({ slug: z.string().nullish(), allows_trading: z.boolean().nullish() }).nullish(),
});
const authorizationsSchema = z.array(authorizationSchema);

function statusOf(authorization: z.infer<typeof authorizationSchema> | undefined): SnapTradeConnectionStatus {
  return {
    disabled: authorization?.disabled === true,
    readOnly: authorization?.type === 'read' || authorization?.brokerage?.allows_trading === false,
  };
}

export class SnapTradeConnections {
  private readonly client: SnapTradeClient;

  constructor(options: SnapTradeClientOptions) {
    this.client = new SnapTradeClient(options);
  }

  /**
   * Registers a SnapTrade user under our user id. The secret is returned only here: store it
   * (encrypted). Registering the same id twice is refused by SnapTrade.
   */
  async registerUser(userId: string): Promise<{ snaptradeUserId: string; userSecret: string }> {
    const response = await this.client.send('registerSnapTradeUser', 'unsafe', () =>
      this.client.sdk.authentication.registerSnapTradeUser({ userId }),
    );
    const user = expectOk('registerSnapTradeUser', userSchema, response);
    return { snaptradeUserId: user.userId, userSecret: user.userSecret };
  }

  /**
   * A Connection Portal link (valid about 5 minutes) where the user connects a brokerage with
   * trading permission; they come back to `redirectUrl`.
   */
  async connectionPortalUrl(
    input: SnapTradeUserCredentials & {
      redirectUrl?: string;
      /** Preselect a brokerage by slug (`ALPACA`, `ROBINHOOD`, ...). */
      broker?: string;
      /** Reconnect this broken connection instead of adding one. */
      reconnectAuthorizationId?: string;
    },
  ): Promise<string> {
    const response = await this.client.send('loginSnapTradeUser', 'idempotent', () =>
      this.client.sdk.authentication.loginSnapTradeUser({
        userId: input.userId,
        userSecret: input.userSecret,
        connectionType: 'trade',
        ...(input.redirectUrl ? { customRedirect: input.redirectUrl, immediateRedirect: true } : {}),
        ...(input.broker ? { broker: input.broker } : {}),
        ...(input.reconnectAuthorizationId ? { reconnect: input.reconnectAuthorizationId } : {}),
      }),
    );
    const login = expectOk('loginSnapTradeUser', loginSchema, response);
    if (!login.redirectURI) {
      // The other answer the spec allows is an encrypted one, for users registered with an RSA key.
      throw new SnapTradeApiError(
        'SnapTrade loginSnapTradeUser: no redirectURI in the answer',
        'loginSnapTradeUser',
        response.status,
        response.data,
      );
    }
    return login.redirectURI;
  }

  /** Every brokerage account the user connected, with the brokerage's slug. */
  async listAccounts(input: SnapTradeUserCredentials): Promise<SnapTradeAccountSummary[]> {
    const user = { userId: input.userId, userSecret: input.userSecret };
    const [accountsResponse, authorizationsResponse] = await Promise.all([
      this.client.send('listUserAccounts', 'idempotent', () =>
        this.client.sdk.accountInformation.listUserAccounts(user),
      ),
      // Accounts name the institution but not its slug; their connection does.
      this.client.send('listBrokerageAuthorizations', 'idempotent', () =>
        this.client.sdk.connections.listBrokerageAuthorizations(user),
      ),
    ]);
    const accounts = expectOk('listUserAccounts', accountsSchema, accountsResponse);
    const authorizations = expectOk(
      'listBrokerageAuthorizations',
      authorizationsSchema,
      authorizationsResponse,
    );
    const byId = new Map(authorizations.map((item) => [item.id, item]));

    return accounts.map((account) => {
      const total = account.balance?.total;
      return {
        snaptradeAccountId: account.id,
        brokerageAuthorizationId: account.brokerage_authorization,
        number: account.number,
        name: account.name ?? null,
        institutionName: account.institution_name,
        institutionSlug: byId.get(account.brokerage_authorization)?.brokerage?.slug ?? null,
        type: account.raw_type ?? null,
        balance: typeof total?.amount === 'number' ? new Dec(total.amount).toFixed(2) : null,
        currency: total?.currency ?? null,
        isPaper: account.is_paper ?? false,
        status: account.status ?? null,
        ...statusOf(byId.get(account.brokerage_authorization)),
      };
    });
  }

  /** Whether a connection is broken or read-only; null when SnapTrade no longer knows it. */
  async connectionStatus(
    input: SnapTradeUserCredentials & { authorizationId: string },
  ): Promise<SnapTradeConnectionStatus | null> {
    const response = await this.client.send('detailBrokerageAuthorization', 'idempotent', () =>
      this.client.sdk.connections.detailBrokerageAuthorization({
        userId: input.userId,
        userSecret: input.userSecret,
        authorizationId: input.authorizationId,
      }),
    );
    if (response.status === 404) return null;
    return statusOf(expectOk('detailBrokerageAuthorization', authorizationSchema, response));
  }

  /** Deletes the SnapTrade user and its connections (SnapTrade completes it asynchronously). */
  async deleteUser(userId: string): Promise<void> {
    const response = await this.client.send('deleteSnapTradeUser', 'idempotent', () =>
      this.client.sdk.authentication.deleteSnapTradeUser({ userId }),
    );
    // Already gone is what we wanted.
    if (response.status === 404) return;
    if (response.status >= 400) throw unexpectedResponse('deleteSnapTradeUser', response);
  }
}
