/**
 * The simulator's public face: its options, the controls tests drive it with, and the record of
 * each request it answered.
 */

/** `AccountOrderRecordStatus` values of the spec. */
export const SNAPTRADE_ORDER_STATUSES = [
  'NONE',
  'PENDING',
  'ACCEPTED',
  'FAILED',
  'REJECTED',
  'CANCELED',
  'PARTIAL_CANCELED',
  'CANCEL_PENDING',
  'EXECUTED',
  'PARTIAL',
  'REPLACE_PENDING',
  'REPLACED',
  'STOPPED',
  'SUSPENDED',
  'EXPIRED',
  'QUEUED',
  'TRIGGERED',
  'ACTIVATED',
  'PENDING_RISK_REVIEW',
  'CONTINGENT_ORDER',
] as const;
export type SnapTradeOrderStatus = (typeof SNAPTRADE_ORDER_STATUSES)[number];

/** One request the simulator answered, as it received and sent it. */
export type SimulatorExchange = {
  /** The spec's operationId; null for unknown paths and the portal pages. */
  operationId: string | null;
  method: string;
  path: string;
  /** Path parameters of the matched operation. */
  pathParams: Record<string, string>;
  rawQuery: string;
  query: Record<string, string>;
  requestHeaders: Record<string, string>;
  /** Parsed JSON body; undefined when there was none. */
  requestBody: unknown;
  status: number;
  responseHeaders: Record<string, string>;
  responseBody: unknown;
  /** The operation ran but its answer was dropped on purpose (`dropNextResponse`); status 0. */
  dropped?: boolean;
};

export type NextOrderOutcome =
  /** Fill completely at once (at `price`, or the quote). */
  | { type: 'fill'; price?: string }
  /** Fill `quantity` at once; the rest stays open until `fillOrder` or a cancel. */
  | { type: 'partial'; quantity: number; price?: string }
  /** Refuse the placement with HTTP 400 and this message. */
  | { type: 'reject'; reason?: string }
  /** Accept and keep it working, whatever the quote, until `fillOrder` or a cancel. */
  | { type: 'pending' };

export type InjectedFailure = {
  status: 429 | 500 | 502 | 503 | 504;
  /** How many requests in a row fail (default 1). */
  count?: number;
  retryAfterSeconds?: number;
  /** Sent as `X-RateLimit-Reset` with `X-RateLimit-Remaining: 0` on a 429. */
  rateLimitResetSeconds?: number;
  /** Only requests of this operation fail. */
  operationId?: string;
};

export type SimulatorAccountSnapshot = {
  accountId: string;
  userId: string;
  authorizationId: string;
  cash: string;
  positions: Array<{ symbol: string; units: number; averagePrice: string }>;
};

export type SimulatorOrderSnapshot = {
  brokerOrderId: string;
  accountId: string;
  symbol: string;
  action: string;
  orderType: string;
  status: SnapTradeOrderStatus;
  quantity: number;
  filledQuantity: number;
  averageFillPrice: string | null;
};

export type SimulatorControls = {
  /** Registers a user without a request (set-up of large tests); answers its secret. */
  registerUser(userId: string): { userId: string; userSecret: string };
  /** A connected brokerage account for a registered user, as if they finished the portal. */
  connectAccount(input: {
    userId: string;
    /** Starting cash, default '100000.00'. */
    cash?: string;
    brokerSlug?: string;
    brokerName?: string;
    accountName?: string;
    accountNumber?: string;
    rawType?: string;
    isPaper?: boolean;
    /** Add the account to this existing connection instead of a new one. */
    authorizationId?: string;
    positions?: Array<{ symbol: string; units: number; averagePrice: string }>;
    /** Whether the brokerage answers option impact (default true); a new connection only. */
    optionImpact?: boolean;
    /** Default `read` for the read-only brokerages (Robinhood, IBKR, Fidelity, Schwab), else `trade`. */
    connectionType?: 'read' | 'trade';
  }): { accountId: string; authorizationId: string };
  /** Breaks a connection (SnapTrade then reports it `disabled` and refuses trades) or fixes it. */
  setConnectionDisabled(authorizationId: string, disabled: boolean): void;
  /** Sets the quote of a contract; open orders it now crosses fill. */
  setQuote(symbol: string, quote: { bid: string; ask: string; last?: string }): void;
  /** Queues the outcome of the next placed order (outcomes apply in order, one per order). */
  nextOrder(outcome: NextOrderOutcome): void;
  /** Fills an open order, all of the rest or `quantity`, at `price` or the quote. */
  fillOrder(brokerOrderId: string, options?: { quantity?: number; price?: string }): void;
  /** Forces an order's SnapTrade status (to exercise status mapping). */
  setOrderStatus(brokerOrderId: string, status: SnapTradeOrderStatus): void;
  setCash(accountId: string, cash: string): void;
  /** The next request(s) fail with this status instead of being served. */
  failNext(failure: InjectedFailure): void;
  /**
   * The next matching request(s) are carried out (an order is placed) but the connection is
   * closed before the answer: a lost response, whose outcome the caller must reconcile.
   */
  dropNextResponse(drop?: { operationId?: string; count?: number }): void;
  /** Sends a signed webhook (TRADE_DETECTION by default) to `url`; resolves with our answer to it. */
  emitWebhook(input: {
    url: string;
    userId: string;
    accountId?: string;
    /** The connection it names (`brokerageAuthorizationId`); the account's, when not given. */
    authorizationId?: string;
    type?: string;
    details?: Record<string, unknown>;
    eventTimestamp?: Date;
  }): Promise<{ status: number; body: string; signature: string }>;
  account(accountId: string): SimulatorAccountSnapshot | null;
  order(brokerOrderId: string): SimulatorOrderSnapshot | null;
};

export type SnapTradeSimulatorOptions = {
  clientId?: string;
  consumerKey?: string;
  /** Makes ids, secrets and automatic quotes reproducible. */
  seed?: number;
  /** The simulator's business clock: order times, quote times, webhook times. */
  now?: () => Date;
  /** Wall clock (ms) the request `timestamp` is checked against; the SDK uses the real time. */
  wallClock?: () => number;
  timestampToleranceSeconds?: number;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Keep every exchange in `exchanges` (tests). */
  record?: boolean;
  onExchange?: (exchange: SimulatorExchange) => void;
  /** Send signed TRADE_DETECTION (an order changed) and CONNECTION_BROKEN/FIXED webhooks here. */
  webhookUrl?: string;
  onWebhookError?: (error: unknown) => void;
  /** Give contracts without a quote a reproducible made-up one (development). */
  autoQuotes?: boolean;
  /** Requests per rolling minute before answering 429, as SnapTrade's customer limit. */
  rateLimitPerMinute?: number;
  /** Cash of accounts connected through the portal page. */
  portalCash?: string;
};

export type SnapTradeSimulator = {
  url: string;
  clientId: string;
  consumerKey: string;
  controls: SimulatorControls;
  /** Filled when `record` is set. */
  exchanges: SimulatorExchange[];
  close(): Promise<void>;
};
