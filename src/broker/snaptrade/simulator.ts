/**
 * A local SnapTrade: an HTTP server answering the operations our adapter and connections module
 * use, as `specs/snaptrade-openapi.yaml` describes them, so the real SDK can be exercised end to
 * end in tests and in development (`BROKER=snaptrade-sim`).
 *
 * Implemented operations (operationId — method path):
 *   ApiStatus_check                              GET    /
 *   Authentication_registerSnapTradeUser         POST   /snapTrade/registerUser
 *   Authentication_deleteSnapTradeUser           DELETE /snapTrade/deleteUser
 *   Authentication_loginSnapTradeUser            POST   /snapTrade/login
 *   AccountInformation_listUserAccounts          GET    /accounts
 *   AccountInformation_getUserAccountDetails     GET    /accounts/{accountId}
 *   Connections_listBrokerageAuthorizations      GET    /authorizations
 *   AccountInformation_getUserAccountBalance     GET    /accounts/{accountId}/balances
 *   AccountInformation_getAllAccountPositions    GET    /accounts/{accountId}/positions/all
 *   AccountInformation_getUserAccountOrders      GET    /accounts/{accountId}/orders
 *   AccountInformation_getUserAccountOrderDetail POST   /accounts/{accountId}/orders/details
 *   Trading_placeMlegOrder                       POST   /accounts/{accountId}/trading/options
 *   Trading_cancelOrder                          POST   /accounts/{accountId}/trading/cancel
 *   Trading_getUserAccountOptionQuotes           GET    /accounts/{accountId}/quotes/options
 * plus a stand-in Connection Portal (`GET /portal`, `POST /portal/connect`, not part of the API).
 *
 * Every API request must carry `clientId`, a `timestamp` within 5 minutes of the wall clock (the
 * SDK stamps requests with the real time, whatever clock the simulator's orders use) and the
 * `Signature` the SDK computes (see `signature.ts`); user-scoped operations also need a matching
 * `userId` and `userSecret`. Refusals are 401 with the spec's `401FailedRequestResponse` body.
 *
 * Orders (single-leg options, BUY_TO_OPEN and SELL_TO_CLOSE): Market orders fill at once at the
 * quote (ask to buy, bid to sell); Limit orders fill when the quote crosses them, at placement
 * or on a later quote change; Stop orders trigger when the quote reaches the stop. Buying more
 * than the free cash (cash less what open buys reserve) or selling more than the free position is
 * rejected with HTTP 400, as a brokerage refusal comes back from SnapTrade. Controls override the
 * next outcome (fill, partial fill, reject, stay pending) and drive everything else.
 */
import { randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Dec, type Decimal } from '../../domain/money';
import { buildOccSymbol, type OptionContract, parseOccSymbol } from '../../domain/occ';
import { computeRequestSignature, requestSignatureContent, signaturesEqual } from './signature';
import { signSnapTradeWebhook } from './webhook';

// ---------------------------------------------------------------------------------------------
// Public types

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
  }): { accountId: string; authorizationId: string };
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
  /** Sends a signed webhook (TRADE_UPDATE by default) to `url`; resolves with our answer to it. */
  emitWebhook(input: {
    url: string;
    userId: string;
    accountId?: string;
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
  /** Send a signed TRADE_UPDATE here whenever an order changes. */
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

// ---------------------------------------------------------------------------------------------
// State

type SimUser = { userId: string; userSecret: string };
type SimAuthorization = {
  id: string;
  userId: string;
  brokerageId: string;
  brokerSlug: string;
  brokerName: string;
  createdAt: Date;
};
type SimPosition = { units: number; costBasis: Decimal };
type SimAccount = {
  id: string;
  userId: string;
  authorizationId: string;
  number: string;
  name: string;
  rawType: string;
  isPaper: boolean;
  cash: Decimal;
  positions: Map<string, SimPosition>;
  createdAt: Date;
};
type SimQuote = { bid: Decimal; ask: Decimal; last: Decimal; updatedAt: Date };
type MlegOrderType = 'MARKET' | 'LIMIT' | 'STOP_LOSS_MARKET' | 'STOP_LOSS_LIMIT';
type SimOrder = {
  id: string;
  accountId: string;
  symbol: string;
  contract: OptionContract;
  action: 'BUY_TO_OPEN' | 'SELL_TO_CLOSE';
  side: 'buy' | 'sell';
  orderType: MlegOrderType;
  timeInForce: string;
  limitPrice: Decimal | null;
  stopPrice: Decimal | null;
  triggered: boolean;
  /** Only controls fill it (outcome `pending`, or the rest of a `partial`). */
  held: boolean;
  quantity: number;
  filledQuantity: number;
  /** Σ fill quantity × price per share. */
  filledValue: Decimal;
  canceledQuantity: number;
  status: SnapTradeOrderStatus;
  placedAt: Date;
  updatedAt: Date;
  executedAt: Date | null;
};

const OPEN_STATUSES: ReadonlySet<SnapTradeOrderStatus> = new Set([
  'NONE',
  'PENDING',
  'ACCEPTED',
  'PARTIAL',
  'QUEUED',
  'TRIGGERED',
  'ACTIVATED',
  'STOPPED',
  'SUSPENDED',
  'PENDING_RISK_REVIEW',
  'CONTINGENT_ORDER',
  'CANCEL_PENDING',
  'REPLACE_PENDING',
]);

const CONTRACT_SIZE = 100;
const USD = { id: '57f81c39-3a4b-4be8-8e2b-9b4c0e1a4a11', code: 'USD', name: 'US Dollar' };

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(typeof body.default_detail === 'string' ? body.default_detail : `HTTP ${status}`);
  }
}

const badRequest = (detail: string, code = 1076) =>
  new HttpFailure(400, { default_detail: detail, default_code: code });
const unauthorized = (detail: string, code = 1076) =>
  new HttpFailure(401, { default_detail: detail, default_code: code });
const notFound = (detail = 'The requested resource does not exist.') =>
  new HttpFailure(404, { default_detail: detail, default_code: 1011 });

// ---------------------------------------------------------------------------------------------
// Routing

type Auth = 'none' | 'partner' | 'user' | 'account';
type RequestContext = {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  user: SimUser | null;
  account: SimAccount | null;
  baseUrl: string;
};
type Handler = (context: RequestContext) => { status?: number; body: unknown };
type Route = {
  method: string;
  template: string;
  pattern: RegExp;
  paramNames: string[];
  operationId: string | null;
  auth: Auth;
  handler: Handler;
};

function route(
  method: string,
  template: string,
  operationId: string | null,
  auth: Auth,
  handler: Handler,
): Route {
  const paramNames: string[] = [];
  const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_, name: string) => {
    paramNames.push(name);
    return '([^/]+)';
  });
  return { method, template, pattern: new RegExp(`^${source}$`), paramNames, operationId, auth, handler };
}

// ---------------------------------------------------------------------------------------------
// The simulator

export async function createSnapTradeSimulator(
  options: SnapTradeSimulatorOptions = {},
): Promise<SnapTradeSimulator> {
  const clientId = options.clientId ?? 'SNAPTRADE_SIM';
  const consumerKey = options.consumerKey ?? 'snaptrade-sim-consumer-key';
  const now = options.now ?? (() => new Date());
  const wallClock = options.wallClock ?? (() => Date.now());
  const toleranceMs = (options.timestampToleranceSeconds ?? 300) * 1000;
  const rateLimit = options.rateLimitPerMinute ?? 250;
  const random = seededRandom(options.seed ?? randomInt(0, 2 ** 31));

  const users = new Map<string, SimUser>();
  const authorizations = new Map<string, SimAuthorization>();
  const accounts = new Map<string, SimAccount>();
  const quotes = new Map<string, SimQuote>();
  const orders = new Map<string, SimOrder>();
  const outcomes: NextOrderOutcome[] = [];
  const failures: Array<InjectedFailure & { remaining: number }> = [];
  const portalSessions = new Map<
    string,
    { userId: string; redirect: string | null; broker: string | null }
  >();
  const symbolIds = new Map<string, string>();
  const requestTimes: number[] = [];
  const inFlight = new Set<Promise<unknown>>();
  const exchanges: SimulatorExchange[] = [];
  let accountCounter = 0;
  let orderCounter = 0;

  const uuid = () => uuidFrom(random);
  const idFor = (key: string) => {
    let id = symbolIds.get(key);
    if (!id) {
      id = uuid();
      symbolIds.set(key, id);
    }
    return id;
  };

  // --- quotes and money --------------------------------------------------------------------

  function quoteFor(symbol: string): SimQuote | null {
    const known = quotes.get(symbol);
    if (known || !options.autoQuotes) return known ?? null;
    // A made-up but stable quote: mid between 0.50 and 10.49, 10 cents wide.
    const mid = new Dec(50 + (hashString(`${options.seed ?? 0}:${symbol}`) % 1000)).dividedBy(100);
    const quote = { bid: mid.minus('0.05'), ask: mid.plus('0.05'), last: mid, updatedAt: now() };
    quotes.set(symbol, quote);
    return quote;
  }

  /**
   * The price an order would execute at now, or null if it would not. A stop order whose stop the
   * quote has reached is marked triggered here, and stays so.
   */
  function executablePrice(order: SimOrder, quote: SimQuote | null): Decimal | null {
    if (!quote) return null;
    const market = order.side === 'buy' ? quote.ask : quote.bid;
    if (order.orderType === 'STOP_LOSS_MARKET' || order.orderType === 'STOP_LOSS_LIMIT') {
      if (!order.triggered) {
        const stop = order.stopPrice;
        const reached = stop !== null && (order.side === 'buy' ? quote.ask.gte(stop) : quote.bid.lte(stop));
        if (!reached) return null;
        order.triggered = true;
      }
      if (order.orderType === 'STOP_LOSS_MARKET') return market;
    }
    if (order.orderType === 'MARKET') return market;
    const limit = order.limitPrice;
    if (limit === null) return null;
    return order.side === 'buy' ? (market.lte(limit) ? market : null) : market.gte(limit) ? market : null;
  }

  /** Price for a fill a control forces: given, else the quote bounded by the limit, else the limit. */
  function forcedPrice(order: SimOrder, explicit: string | undefined): Decimal | null {
    if (explicit !== undefined) return new Dec(explicit);
    const quote = quoteFor(order.symbol);
    let price = quote ? (order.side === 'buy' ? quote.ask : quote.bid) : null;
    const limit = order.limitPrice;
    if (limit !== null) {
      if (price === null) price = limit;
      else price = order.side === 'buy' ? Dec.min(price, limit) : Dec.max(price, limit);
    }
    return price ?? order.stopPrice;
  }

  function reservedCash(account: SimAccount): Decimal {
    let reserved = new Dec(0);
    for (const order of orders.values()) {
      if (order.accountId !== account.id || order.side !== 'buy' || !OPEN_STATUSES.has(order.status))
        continue;
      const price = order.limitPrice ?? order.stopPrice ?? quoteFor(order.symbol)?.ask ?? new Dec(0);
      reserved = reserved.plus(price.times(order.quantity - order.filledQuantity).times(CONTRACT_SIZE));
    }
    return reserved;
  }

  function reservedUnits(account: SimAccount, symbol: string): number {
    let reserved = 0;
    for (const order of orders.values()) {
      if (order.accountId !== account.id || order.side !== 'sell' || order.symbol !== symbol) continue;
      if (OPEN_STATUSES.has(order.status)) reserved += order.quantity - order.filledQuantity;
    }
    return reserved;
  }

  function applyFill(order: SimOrder, quantity: number, price: Decimal): void {
    const account = accounts.get(order.accountId);
    if (!account) throw new Error(`order ${order.id} has no account`);
    const value = price.times(quantity).times(CONTRACT_SIZE);
    const position = account.positions.get(order.symbol);
    if (order.side === 'buy') {
      account.cash = account.cash.minus(value);
      const units = (position?.units ?? 0) + quantity;
      const cost = (position?.costBasis ?? new Dec(0))
        .times(position?.units ?? 0)
        .plus(price.times(quantity));
      account.positions.set(order.symbol, { units, costBasis: cost.dividedBy(units) });
    } else {
      account.cash = account.cash.plus(value);
      const units = (position?.units ?? 0) - quantity;
      if (units <= 0 || !position) account.positions.delete(order.symbol);
      else account.positions.set(order.symbol, { units, costBasis: position.costBasis });
    }
    order.filledQuantity += quantity;
    order.filledValue = order.filledValue.plus(price.times(quantity));
    order.updatedAt = now();
    if (order.filledQuantity >= order.quantity) {
      order.status = 'EXECUTED';
      order.executedAt = order.updatedAt;
    } else {
      order.status = 'PARTIAL';
    }
  }

  /** Fills a working order if the quote now allows it. */
  function work(order: SimOrder): boolean {
    if (order.held || !OPEN_STATUSES.has(order.status)) return false;
    const price = executablePrice(order, quoteFor(order.symbol));
    if (price === null) return false;
    applyFill(order, order.quantity - order.filledQuantity, price);
    return true;
  }

  // --- webhooks ----------------------------------------------------------------------------

  async function postWebhook(input: {
    url: string;
    userId: string;
    accountId?: string;
    type?: string;
    details?: Record<string, unknown>;
    eventTimestamp?: Date;
  }): Promise<{ status: number; body: string; signature: string }> {
    const account = input.accountId ? accounts.get(input.accountId) : undefined;
    const authorization = account ? authorizations.get(account.authorizationId) : undefined;
    const payload: Record<string, unknown> = {
      webhookId: uuid(),
      clientId,
      eventTimestamp: snapTradeTimestamp(input.eventTimestamp ?? now()),
      userId: input.userId,
      eventType: input.type ?? 'TRADE_UPDATE',
      ...(input.accountId ? { accountId: input.accountId } : {}),
      ...(authorization
        ? { brokerageAuthorizationId: authorization.id, brokerageId: authorization.brokerageId }
        : {}),
      ...(input.details ? { details: input.details } : {}),
    };
    const { body, signature } = signSnapTradeWebhook({ payload, consumerKey });
    const response = await fetch(input.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Signature: signature },
      body,
    });
    await response.arrayBuffer();
    return { status: response.status, body, signature };
  }

  function orderChanged(order: SimOrder): void {
    const url = options.webhookUrl;
    const account = accounts.get(order.accountId);
    if (!url || !account) return;
    const sending = postWebhook({
      url,
      userId: account.userId,
      accountId: account.id,
      details: { brokerage_order_id: order.id, status: order.status },
    }).catch((error: unknown) => options.onWebhookError?.(error));
    inFlight.add(sending);
    void sending.finally(() => inFlight.delete(sending));
  }

  // --- records as the spec shapes them ------------------------------------------------------

  function underlyingSymbol(contract: OptionContract) {
    return {
      id: idFor(`underlying:${contract.underlying}`),
      symbol: contract.underlying,
      raw_symbol: contract.underlying,
      description: null,
      currency: USD,
      figi_code: null,
      figi_instrument: null,
    };
  }

  function orderRecord(order: SimOrder) {
    const { contract } = order;
    return {
      brokerage_order_id: order.id,
      brokerage_group_order_id: null,
      order_role: null,
      status: order.status,
      universal_symbol: null,
      option_symbol: {
        id: idFor(`option:${order.symbol}`),
        ticker: order.symbol,
        option_type: contract.optionType === 'call' ? 'CALL' : 'PUT',
        strike_price: Number(contract.strike),
        expiration_date: contract.expiration,
        is_mini_option: false,
        underlying_symbol: underlyingSymbol(contract),
      },
      quote_universal_symbol: null,
      quote_currency: null,
      action: order.action,
      total_quantity: String(order.quantity),
      open_quantity: String(
        OPEN_STATUSES.has(order.status) ? order.quantity - order.filledQuantity - order.canceledQuantity : 0,
      ),
      canceled_quantity: String(order.canceledQuantity),
      filled_quantity: String(order.filledQuantity),
      execution_price:
        order.filledQuantity > 0
          ? order.filledValue.dividedBy(order.filledQuantity).toDecimalPlaces(4).toFixed()
          : null,
      limit_price: order.limitPrice?.toFixed() ?? null,
      stop_price: order.stopPrice?.toFixed() ?? null,
      trailing_stop: null,
      order_type: RECORD_ORDER_TYPE[order.orderType],
      time_in_force: order.timeInForce,
      time_placed: order.placedAt.toISOString(),
      time_updated: order.updatedAt.toISOString(),
      time_executed: order.executedAt?.toISOString() ?? null,
      expiry_date: null,
      child_brokerage_order_ids: null,
    };
  }

  function marketValue(account: SimAccount): Decimal {
    let total = account.cash;
    for (const [symbol, position] of account.positions) {
      const price = quoteFor(symbol)?.last ?? position.costBasis;
      total = total.plus(price.times(position.units).times(CONTRACT_SIZE));
    }
    return total;
  }

  function accountRecord(account: SimAccount) {
    const authorization = authorizations.get(account.authorizationId);
    const timestamp = now();
    return {
      id: account.id,
      brokerage_authorization: account.authorizationId,
      name: account.name,
      number: account.number,
      institution_account_id: null,
      institution_name: authorization?.brokerName ?? 'Simulated Brokerage',
      created_date: account.createdAt.toISOString(),
      funding_date: null,
      opening_date: null,
      sync_status: {
        transactions: {
          initial_sync_completed: true,
          last_successful_sync: timestamp.toISOString().slice(0, 10),
          first_transaction_date: account.createdAt.toISOString().slice(0, 10),
        },
        holdings: {
          initial_sync_completed: true,
          last_successful_sync: timestamp.toISOString(),
          holdings_unavailable: false,
        },
      },
      balance: { total: { amount: marketValue(account).toDecimalPlaces(2).toNumber(), currency: 'USD' } },
      status: 'open',
      raw_type: account.rawType,
      account_category: 'INVESTMENT',
      is_paper: account.isPaper,
    };
  }

  function authorizationRecord(authorization: SimAuthorization) {
    return {
      id: authorization.id,
      created_date: authorization.createdAt.toISOString(),
      brokerage: {
        id: authorization.brokerageId,
        slug: authorization.brokerSlug,
        name: authorization.brokerName,
        display_name: authorization.brokerName,
        description: `${authorization.brokerName} (simulated by Alertsify)`,
        enabled: true,
        maintenance_mode: false,
        is_degraded: false,
        allows_trading: true,
        brokerage_type: { id: idFor('brokerage-type:traditional'), name: 'Traditional Brokerage' },
      },
      name: `${authorization.brokerName} connection`,
      type: 'trade',
      disabled: false,
      disabled_date: null,
      updated_date: authorization.createdAt.toISOString(),
      data_freshness_mode: 'realtime',
    };
  }

  function positionRecord(symbol: string, position: SimPosition) {
    const contract = parseOccSymbol(symbol);
    const type = contract.optionType === 'call' ? 'CALL' : 'PUT';
    return {
      instrument: {
        kind: 'option',
        id: idFor(`option:${symbol}`),
        symbol,
        option_type: type,
        strike_price: contract.strike,
        expiration_date: contract.expiration,
        multiplier: String(CONTRACT_SIZE),
        description: `${contract.underlying} ${contract.expiration} ${contract.strike} ${type}`,
        underlying: {
          kind: 'stock',
          id: idFor(`underlying:${contract.underlying}`),
          symbol: contract.underlying,
          raw_symbol: contract.underlying,
          description: null,
          currency: 'USD',
          exchange: null,
          figi_instrument: null,
        },
      },
      units: String(position.units),
      price: quoteFor(symbol)?.last.toFixed() ?? null,
      cost_basis: position.costBasis.toDecimalPlaces(4).toFixed(),
      currency: 'USD',
    };
  }

  // --- operations --------------------------------------------------------------------------

  function connectAccount(input: Parameters<SimulatorControls['connectAccount']>[0]) {
    if (!users.has(input.userId)) throw new Error(`SnapTrade simulator: unknown user ${input.userId}`);
    let authorization = input.authorizationId ? authorizations.get(input.authorizationId) : undefined;
    if (input.authorizationId && (!authorization || authorization.userId !== input.userId)) {
      throw new Error(`SnapTrade simulator: unknown connection ${input.authorizationId}`);
    }
    if (!authorization) {
      const slug = input.brokerSlug ?? 'ALPACA';
      authorization = {
        id: uuid(),
        userId: input.userId,
        brokerageId: idFor(`brokerage:${slug}`),
        brokerSlug: slug,
        brokerName: input.brokerName ?? titleCase(slug),
        createdAt: now(),
      };
      authorizations.set(authorization.id, authorization);
    }
    accountCounter += 1;
    const account: SimAccount = {
      id: uuid(),
      userId: input.userId,
      authorizationId: authorization.id,
      number: input.accountNumber ?? `SIM${String(accountCounter).padStart(7, '0')}`,
      name: input.accountName ?? `${authorization.brokerName} Individual`,
      rawType: input.rawType ?? 'Margin',
      isPaper: input.isPaper ?? false,
      cash: new Dec(input.cash ?? '100000.00'),
      positions: new Map(),
      createdAt: now(),
    };
    for (const position of input.positions ?? []) {
      account.positions.set(normalizeSymbol(position.symbol), {
        units: position.units,
        costBasis: new Dec(position.averagePrice),
      });
    }
    accounts.set(account.id, account);
    return { accountId: account.id, authorizationId: authorization.id };
  }

  function placeOrder(account: SimAccount, body: unknown) {
    const form = readMlegForm(body);
    // Looked at now, consumed only by an order that gets through (or the rejection it asks for).
    const outcome = outcomes[0];
    if (outcome?.type === 'reject') {
      outcomes.shift();
      throw badRequest(outcome.reason ?? 'Order rejected by the brokerage', 1063);
    }

    orderCounter += 1;
    const order: SimOrder = {
      id: `SIM-${String(orderCounter).padStart(6, '0')}-${uuid().slice(0, 8)}`,
      accountId: account.id,
      symbol: form.symbol,
      contract: form.contract,
      action: form.action,
      side: form.action === 'BUY_TO_OPEN' ? 'buy' : 'sell',
      orderType: form.orderType,
      timeInForce: form.timeInForce,
      limitPrice: form.limitPrice,
      stopPrice: form.stopPrice,
      triggered: false,
      held: outcome?.type === 'pending' || outcome?.type === 'partial',
      quantity: form.units,
      filledQuantity: 0,
      filledValue: new Dec(0),
      canceledQuantity: 0,
      status: 'ACCEPTED',
      placedAt: now(),
      updatedAt: now(),
      executedAt: null,
    };

    const quote = quoteFor(order.symbol);
    const explicitPrice =
      outcome && 'price' in outcome && outcome.price !== undefined ? outcome.price : undefined;
    if (order.side === 'buy') {
      const estimate =
        explicitPrice !== undefined
          ? new Dec(explicitPrice)
          : order.orderType === 'LIMIT' || order.orderType === 'STOP_LOSS_LIMIT'
            ? order.limitPrice
            : order.orderType === 'STOP_LOSS_MARKET'
              ? Dec.max(order.stopPrice ?? 0, quote?.ask ?? 0)
              : (quote?.ask ?? null);
      if (estimate === null) throw badRequest(`No quote available for ${order.symbol}`, 1063);
      const cost = estimate.times(order.quantity).times(CONTRACT_SIZE);
      const available = account.cash.minus(reservedCash(account));
      if (cost.gt(available)) {
        throw badRequest(
          `Insufficient buying power: the order needs ${cost.toFixed(2)} USD, ${Dec.max(available, 0).toFixed(2)} USD available`,
          1063,
        );
      }
    } else {
      const held = account.positions.get(order.symbol)?.units ?? 0;
      const available = held - reservedUnits(account, order.symbol);
      if (order.quantity > available) {
        throw badRequest(
          `Insufficient position: selling ${order.quantity} contracts of ${order.symbol}, ${Math.max(available, 0)} available to close`,
          1063,
        );
      }
    }
    if (order.orderType === 'MARKET' && !quote && explicitPrice === undefined) {
      throw badRequest(`No quote available for ${order.symbol}`, 1063);
    }

    let forced: { quantity: number; price: Decimal } | null = null;
    if (outcome?.type === 'fill' || outcome?.type === 'partial') {
      const price = forcedPrice(order, explicitPrice);
      if (price === null) throw badRequest(`No price to fill ${order.symbol} at`, 1063);
      const quantity = outcome.type === 'fill' ? order.quantity : Math.min(outcome.quantity, order.quantity);
      forced = { quantity, price };
    }

    if (outcome) outcomes.shift();
    orders.set(order.id, order);
    if (forced) applyFill(order, forced.quantity, forced.price);
    else work(order);
    orderChanged(order);
    return { brokerage_order_id: order.id, orders: [orderRecord(order)] };
  }

  function cancelOrder(account: SimAccount, body: unknown) {
    const orderId = readOrderId(body);
    const order = orders.get(orderId);
    if (!order || order.accountId !== account.id) throw badRequest(`Order ${orderId} not found`, 1011);
    if (!OPEN_STATUSES.has(order.status)) {
      throw badRequest(`Order ${orderId} cannot be cancelled: it is ${order.status}`, 1064);
    }
    order.canceledQuantity = order.quantity - order.filledQuantity;
    order.status = 'CANCELED';
    order.updatedAt = now();
    orderChanged(order);
    return {
      brokerage_order_id: order.id,
      raw_response: { order_id: order.id, status: 'CANCELED' },
    };
  }

  function listOrders(account: SimAccount, query: URLSearchParams) {
    const state = query.get('state') ?? 'all';
    if (!['all', 'open', 'executed'].includes(state)) throw badRequest(`Invalid state '${state}'`);
    const daysText = query.get('days');
    const days = daysText === null ? 30 : Number(daysText);
    if (!Number.isInteger(days) || days < 1) throw badRequest(`Invalid days '${daysText}'`);
    const since = now().getTime() - Math.min(days, 90) * 86_400_000;
    return [...orders.values()]
      .filter((order) => order.accountId === account.id && order.placedAt.getTime() >= since)
      .filter((order) =>
        state === 'open'
          ? OPEN_STATUSES.has(order.status)
          : state === 'executed'
            ? order.status === 'EXECUTED'
            : true,
      )
      .sort((a, b) => b.placedAt.getTime() - a.placedAt.getTime())
      .map(orderRecord);
  }

  // --- routes ------------------------------------------------------------------------------

  const routes: Route[] = [
    route('GET', '/', 'ApiStatus_check', 'none', () => ({
      body: { version: 1, timestamp: now().toISOString(), online: true },
    })),
    route(
      'POST',
      '/snapTrade/registerUser',
      'Authentication_registerSnapTradeUser',
      'partner',
      ({ body }) => {
        const userId = isRecord(body) && typeof body.userId === 'string' ? body.userId.trim() : '';
        if (userId === '') throw badRequest('userId is required', 1076);
        if (users.has(userId)) throw badRequest('User already exist', 1010);
        const user = { userId, userSecret: uuid() };
        users.set(userId, user);
        return { body: { userId: user.userId, userSecret: user.userSecret } };
      },
    ),
    route('DELETE', '/snapTrade/deleteUser', 'Authentication_deleteSnapTradeUser', 'partner', ({ query }) => {
      const userId = query.get('userId') ?? '';
      if (!users.has(userId)) throw notFound('User not found');
      users.delete(userId);
      for (const account of [...accounts.values()]) {
        if (account.userId !== userId) continue;
        accounts.delete(account.id);
        for (const order of [...orders.values()]) if (order.accountId === account.id) orders.delete(order.id);
      }
      for (const authorization of [...authorizations.values()]) {
        if (authorization.userId === userId) authorizations.delete(authorization.id);
      }
      return {
        body: {
          status: 'deleted',
          detail: 'User queued for deletion; please wait for webhook for confirmation.',
          userId,
        },
      };
    }),
    route(
      'POST',
      '/snapTrade/login',
      'Authentication_loginSnapTradeUser',
      'user',
      ({ body, user, baseUrl }) => {
        const form = isRecord(body) ? body : {};
        const sessionId = uuid();
        portalSessions.set(sessionId, {
          userId: user?.userId ?? '',
          redirect: typeof form.customRedirect === 'string' ? form.customRedirect : null,
          broker: typeof form.broker === 'string' ? form.broker : null,
        });
        const redirectURI = `${baseUrl}/portal?sessionId=${sessionId}&clientId=${encodeURIComponent(clientId)}&connectionPortalVersion=v4`;
        return { body: { redirectURI, sessionId } };
      },
    ),
    route('GET', '/accounts', 'AccountInformation_listUserAccounts', 'user', ({ user }) => ({
      body: [...accounts.values()].filter((account) => account.userId === user?.userId).map(accountRecord),
    })),
    route('GET', '/authorizations', 'Connections_listBrokerageAuthorizations', 'user', ({ user }) => ({
      body: [...authorizations.values()]
        .filter((authorization) => authorization.userId === user?.userId)
        .map(authorizationRecord),
    })),
    route(
      'GET',
      '/accounts/{accountId}',
      'AccountInformation_getUserAccountDetails',
      'account',
      ({ account }) => ({
        body: accountRecord(requireAccount(account)),
      }),
    ),
    route(
      'GET',
      '/accounts/{accountId}/balances',
      'AccountInformation_getUserAccountBalance',
      'account',
      (c) => {
        const account = requireAccount(c.account);
        const cash = account.cash.toDecimalPlaces(2).toNumber();
        const buyingPower = account.cash.minus(reservedCash(account)).toDecimalPlaces(2).toNumber();
        return { body: [{ currency: USD, cash, buying_power: buyingPower }] };
      },
    ),
    route(
      'GET',
      '/accounts/{accountId}/positions/all',
      'AccountInformation_getAllAccountPositions',
      'account',
      ({ account }) => ({
        body: {
          results: [...requireAccount(account).positions].map(([symbol, position]) =>
            positionRecord(symbol, position),
          ),
          data_freshness: { as_of: now().toISOString() },
        },
      }),
    ),
    route(
      'GET',
      '/accounts/{accountId}/orders',
      'AccountInformation_getUserAccountOrders',
      'account',
      (c) => ({
        body: listOrders(requireAccount(c.account), c.query),
      }),
    ),
    route(
      'POST',
      '/accounts/{accountId}/orders/details',
      'AccountInformation_getUserAccountOrderDetail',
      'account',
      ({ account, body }) => {
        const order = orders.get(readOrderId(body));
        if (!order || order.accountId !== requireAccount(account).id) throw notFound('Order not found');
        return { body: orderRecord(order) };
      },
    ),
    route('POST', '/accounts/{accountId}/trading/options', 'Trading_placeMlegOrder', 'account', (c) => ({
      body: placeOrder(requireAccount(c.account), c.body),
    })),
    route('POST', '/accounts/{accountId}/trading/cancel', 'Trading_cancelOrder', 'account', (c) => ({
      body: cancelOrder(requireAccount(c.account), c.body),
    })),
    route(
      'GET',
      '/accounts/{accountId}/quotes/options',
      'Trading_getUserAccountOptionQuotes',
      'account',
      ({ query }) => {
        const raw = query.get('symbol') ?? '';
        const symbol = tryNormalizeSymbol(raw);
        const quote = symbol ? quoteFor(symbol) : null;
        if (!symbol || !quote) throw notFound('Option contract not found');
        return {
          body: {
            symbol,
            synthetic_price: quote.bid.plus(quote.ask).dividedBy(2).toDecimalPlaces(4).toNumber(),
            timestamp: quote.updatedAt.toISOString(),
          },
        };
      },
    ),
  ];

  // --- HTTP ----------------------------------------------------------------------------------

  let baseUrl = '';

  function authenticate(
    found: Route,
    path: string,
    rawQuery: string,
    query: URLSearchParams,
    rawBody: string,
    signature: string | undefined,
  ): { user: SimUser | null } {
    if (query.get('clientId') !== clientId) throw unauthorized('Invalid Client ID', 1076);
    const timestamp = Number(query.get('timestamp'));
    if (!Number.isFinite(timestamp) || Math.abs(wallClock() - timestamp * 1000) > toleranceMs) {
      throw unauthorized('Request expired: timestamp missing or too far from the current time', 1077);
    }
    let content: unknown;
    try {
      content = requestSignatureContent(rawBody);
    } catch {
      throw badRequest('Unable to verify data sent: the body is not JSON', 1076);
    }
    const expected = computeRequestSignature({ consumerKey, content, path, query: rawQuery });
    if (!signature || !signaturesEqual(expected, signature)) {
      throw unauthorized('Unable to verify signature sent', 1076);
    }
    if (found.auth !== 'user' && found.auth !== 'account') return { user: null };
    const user = users.get(query.get('userId') ?? '');
    if (!user || !signaturesEqual(user.userSecret, query.get('userSecret') ?? '')) {
      throw unauthorized('Invalid userID or userSecret provided', 1083);
    }
    return { user };
  }

  function injectedFailure(
    operationId: string | null,
  ): { status: number; headers: Record<string, string>; body: unknown } | null {
    const index = failures.findIndex(
      (failure) => !failure.operationId || failure.operationId === operationId,
    );
    const failure = failures[index];
    if (!failure) return null;
    failure.remaining -= 1;
    if (failure.remaining <= 0) failures.splice(index, 1);
    const headers: Record<string, string> = {};
    if (failure.retryAfterSeconds !== undefined) headers['Retry-After'] = String(failure.retryAfterSeconds);
    if (failure.status === 429) {
      if (failure.rateLimitResetSeconds !== undefined) {
        headers['X-RateLimit-Remaining'] = '0';
        headers['X-RateLimit-Reset'] = String(failure.rateLimitResetSeconds);
      }
      const wait = failure.retryAfterSeconds ?? failure.rateLimitResetSeconds ?? 1;
      return {
        status: 429,
        headers,
        body: {
          detail: `Request was throttled. Expected available in ${wait} seconds.`,
          status_code: 429,
          code: 'throttled',
        },
      };
    }
    if (failure.status === 503) {
      return {
        status: 503,
        headers,
        body: {
          detail: 'Unable to sync with brokerage account. Invalid response from Brokerage API.',
          status_code: 503,
          code: 3002,
        },
      };
    }
    return {
      status: failure.status,
      headers,
      body: { detail: 'Encountered an unexpected exception.', status_code: failure.status, code: 1000 },
    };
  }

  /** SnapTrade's customer-level limit: a rolling minute. */
  function rateLimitHeaders(): { headers: Record<string, string>; exceeded: boolean } {
    const nowMs = wallClock();
    while (requestTimes.length > 0 && (requestTimes[0] ?? 0) <= nowMs - 60_000) requestTimes.shift();
    const exceeded = requestTimes.length >= rateLimit;
    if (!exceeded) requestTimes.push(nowMs);
    const oldest = requestTimes[0] ?? nowMs;
    return {
      exceeded,
      headers: {
        'X-RateLimit-Limit': String(rateLimit),
        'X-RateLimit-Remaining': String(Math.max(0, rateLimit - requestTimes.length)),
        'X-RateLimit-Reset': String(Math.max(1, Math.ceil((oldest + 60_000 - nowMs) / 1000))),
      },
    };
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = (request.method ?? 'GET').toUpperCase();
    const rawUrl = request.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const path = (queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt)) || '/';
    const rawQuery = queryAt === -1 ? '' : rawUrl.slice(queryAt + 1);
    const query = new URLSearchParams(rawQuery);
    const rawBody = await readBody(request);
    const requestHeaders = flattenHeaders(request.headers);

    let found: Route | null = null;
    let params: Record<string, string> = {};
    for (const candidate of routes) {
      if (candidate.method !== method) continue;
      const match = candidate.pattern.exec(path);
      if (!match) continue;
      found = candidate;
      params = Object.fromEntries(
        candidate.paramNames.map((name, index) => [name, decodeURIComponent(match[index + 1] ?? '')]),
      );
      break;
    }

    const record = (status: number, body: unknown, headers: Record<string, string>, contentType: string) => {
      const text = contentType === 'application/json' ? JSON.stringify(body) : String(body);
      response.writeHead(status, { 'Content-Type': contentType, ...headers });
      response.end(text);
      const exchange: SimulatorExchange = {
        operationId: found?.operationId ?? null,
        method,
        path,
        pathParams: params,
        rawQuery,
        query: Object.fromEntries(query),
        requestHeaders,
        requestBody: parseJsonOrUndefined(rawBody),
        status,
        responseHeaders: headers,
        responseBody: body,
      };
      if (options.record) exchanges.push(exchange);
      options.onExchange?.(exchange);
    };

    if (path === '/portal' || path === '/portal/connect') {
      const page = portal(method, path, query, rawBody);
      record(
        page.status,
        page.body,
        page.headers,
        page.status === 302 ? 'text/plain' : 'text/html; charset=utf-8',
      );
      return;
    }
    if (!found) {
      record(
        404,
        { default_detail: 'The requested resource does not exist.', default_code: 1011 },
        {},
        'application/json',
      );
      return;
    }

    const failure = injectedFailure(found.operationId);
    if (failure) {
      record(failure.status, failure.body, failure.headers, 'application/json');
      return;
    }
    const limit = rateLimitHeaders();
    if (limit.exceeded) {
      const wait = limit.headers['X-RateLimit-Reset'] ?? '1';
      record(
        429,
        {
          detail: `Request was throttled. Expected available in ${wait} seconds.`,
          status_code: 429,
          code: 'throttled',
        },
        { ...limit.headers, 'Retry-After': wait },
        'application/json',
      );
      return;
    }

    try {
      const { user } =
        found.auth === 'none'
          ? { user: null }
          : authenticate(found, path, rawQuery, query, rawBody, requestHeaders.signature);
      let account: SimAccount | null = null;
      if (found.auth === 'account') {
        const candidate = accounts.get(params.accountId ?? '');
        if (!candidate || candidate.userId !== user?.userId) throw notFound('Account not found');
        account = candidate;
      }
      const body = parseJsonOrUndefined(rawBody);
      if (rawBody.trim() !== '' && body === undefined) throw badRequest('Unable to verify data sent', 1076);
      const result = found.handler({ params, query, body, user, account, baseUrl });
      record(result.status ?? 200, result.body, limit.headers, 'application/json');
    } catch (error) {
      if (error instanceof HttpFailure) {
        record(error.status, error.body, limit.headers, 'application/json');
        return;
      }
      record(
        500,
        { detail: 'Encountered an unexpected exception.', status_code: 500, code: 1000 },
        limit.headers,
        'application/json',
      );
    }
  }

  /** The stand-in Connection Portal: one button that connects a simulated brokerage account. */
  function portal(
    method: string,
    path: string,
    query: URLSearchParams,
    rawBody: string,
  ): { status: number; body: string; headers: Record<string, string> } {
    if (method === 'GET' && path === '/portal') {
      const sessionId = query.get('sessionId') ?? '';
      const session = portalSessions.get(sessionId);
      if (!session) return { status: 404, body: '<p>Unknown or expired portal session.</p>', headers: {} };
      const broker = escapeHtml(session.broker ?? 'ALPACA');
      return {
        status: 200,
        headers: {},
        body: `<!doctype html><title>SnapTrade simulator</title><h1>Connect a brokerage (simulated)</h1>
<p>User ${escapeHtml(session.userId)} connects a simulated ${broker} account.</p>
<form method="post" action="/portal/connect"><input type="hidden" name="sessionId" value="${escapeHtml(sessionId)}">
<button type="submit">Connect ${broker}</button></form>`,
      };
    }
    if (method === 'POST' && path === '/portal/connect') {
      const sessionId = new URLSearchParams(rawBody).get('sessionId') ?? '';
      const session = portalSessions.get(sessionId);
      if (!session || !users.has(session.userId)) {
        return { status: 404, body: '<p>Unknown or expired portal session.</p>', headers: {} };
      }
      portalSessions.delete(sessionId);
      const connected = connectAccount({
        userId: session.userId,
        ...(session.broker ? { brokerSlug: session.broker } : {}),
        ...(options.portalCash ? { cash: options.portalCash } : {}),
      });
      if (session.redirect) return { status: 302, body: '', headers: { Location: session.redirect } };
      return {
        status: 200,
        headers: {},
        body: `<p>Connected: account ${escapeHtml(connected.accountId)}. You can close this window.</p>`,
      };
    }
    return { status: 404, body: '<p>Not found.</p>', headers: {} };
  }

  // --- controls ------------------------------------------------------------------------------

  function requireOrder(brokerOrderId: string): SimOrder {
    const order = orders.get(brokerOrderId);
    if (!order) throw new Error(`SnapTrade simulator: unknown order ${brokerOrderId}`);
    return order;
  }

  const controls: SimulatorControls = {
    connectAccount,
    setQuote(symbol, quote) {
      const normalized = normalizeSymbol(symbol);
      quotes.set(normalized, {
        bid: new Dec(quote.bid),
        ask: new Dec(quote.ask),
        last: new Dec(quote.last ?? new Dec(quote.bid).plus(quote.ask).dividedBy(2)),
        updatedAt: now(),
      });
      for (const order of orders.values()) {
        if (order.symbol === normalized && work(order)) orderChanged(order);
      }
    },
    nextOrder(outcome) {
      outcomes.push(outcome);
    },
    fillOrder(brokerOrderId, fill = {}) {
      const order = requireOrder(brokerOrderId);
      if (!OPEN_STATUSES.has(order.status)) {
        throw new Error(`SnapTrade simulator: order ${brokerOrderId} is ${order.status}, not open`);
      }
      const remaining = order.quantity - order.filledQuantity;
      const quantity = Math.min(fill.quantity ?? remaining, remaining);
      const price = forcedPrice(order, fill.price);
      if (price === null) throw new Error(`SnapTrade simulator: no price to fill ${order.symbol} at`);
      applyFill(order, quantity, price);
      orderChanged(order);
    },
    setOrderStatus(brokerOrderId, status) {
      const order = requireOrder(brokerOrderId);
      order.status = status;
      order.updatedAt = now();
      orderChanged(order);
    },
    setCash(accountId, cash) {
      const account = accounts.get(accountId);
      if (!account) throw new Error(`SnapTrade simulator: unknown account ${accountId}`);
      account.cash = new Dec(cash);
    },
    failNext(failure) {
      failures.push({ ...failure, remaining: failure.count ?? 1 });
    },
    emitWebhook: postWebhook,
    account(accountId) {
      const account = accounts.get(accountId);
      if (!account) return null;
      return {
        accountId: account.id,
        userId: account.userId,
        authorizationId: account.authorizationId,
        cash: account.cash.toFixed(2),
        positions: [...account.positions].map(([symbol, position]) => ({
          symbol,
          units: position.units,
          averagePrice: position.costBasis.toDecimalPlaces(4).toFixed(),
        })),
      };
    },
    order(brokerOrderId) {
      const order = orders.get(brokerOrderId);
      if (!order) return null;
      return {
        brokerOrderId: order.id,
        accountId: order.accountId,
        symbol: order.symbol,
        action: order.action,
        orderType: order.orderType,
        status: order.status,
        quantity: order.quantity,
        filledQuantity: order.filledQuantity,
        averageFillPrice:
          order.filledQuantity > 0
            ? order.filledValue.dividedBy(order.filledQuantity).toDecimalPlaces(4).toFixed()
            : null,
      };
    },
  };

  // --- start ---------------------------------------------------------------------------------

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${urlHost}:${address.port}`;
  let closed = false;

  return {
    url: baseUrl,
    clientId,
    consumerKey,
    controls,
    exchanges,
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...inFlight]);
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

/**
 * The simulator as the application starts it (`BROKER=snaptrade-sim`): made-up quotes for any
 * contract so Market orders work without setup, and a fixed port when one is given.
 */
export function startSnapTradeSimulator(
  options: SnapTradeSimulatorOptions = {},
): Promise<SnapTradeSimulator> {
  return createSnapTradeSimulator({ autoQuotes: true, ...options });
}

// ---------------------------------------------------------------------------------------------
// Request parsing

const RECORD_ORDER_TYPE: Record<MlegOrderType, string> = {
  MARKET: 'Market',
  LIMIT: 'Limit',
  STOP_LOSS_MARKET: 'Stop',
  STOP_LOSS_LIMIT: 'StopLimit',
};
const MLEG_ORDER_TYPES: readonly string[] = Object.keys(RECORD_ORDER_TYPE);
const TIME_IN_FORCE = ['FOK', 'Day', 'GTC', 'IOC'];

function readMlegForm(body: unknown): {
  symbol: string;
  contract: OptionContract;
  action: 'BUY_TO_OPEN' | 'SELL_TO_CLOSE';
  orderType: MlegOrderType;
  timeInForce: string;
  limitPrice: Decimal | null;
  stopPrice: Decimal | null;
  units: number;
} {
  if (!isRecord(body)) throw badRequest('A JSON body is required');
  const orderType = body.order_type;
  if (typeof orderType !== 'string' || !MLEG_ORDER_TYPES.includes(orderType)) {
    throw badRequest(`order_type must be one of ${MLEG_ORDER_TYPES.join(', ')}`);
  }
  const timeInForce = body.time_in_force;
  if (typeof timeInForce !== 'string' || !TIME_IN_FORCE.includes(timeInForce)) {
    throw badRequest(`time_in_force must be one of ${TIME_IN_FORCE.join(', ')}`);
  }
  const legs = body.legs;
  if (!Array.isArray(legs) || legs.length === 0) throw badRequest('legs must hold at least one leg');
  if (legs.length > 1) throw badRequest('The simulator supports single-leg orders only');
  const leg: unknown = legs[0];
  if (!isRecord(leg) || !isRecord(leg.instrument)) throw badRequest('legs[0].instrument is required');
  if (leg.instrument.instrument_type !== 'OPTION') throw badRequest('The simulator trades options only');
  const symbol = typeof leg.instrument.symbol === 'string' ? tryNormalizeSymbol(leg.instrument.symbol) : null;
  if (!symbol) throw badRequest('legs[0].instrument.symbol must be an OCC option symbol');
  if (leg.action !== 'BUY_TO_OPEN' && leg.action !== 'SELL_TO_CLOSE') {
    throw badRequest('The simulator supports BUY_TO_OPEN and SELL_TO_CLOSE only');
  }
  const units = leg.units;
  if (typeof units !== 'number' || !Number.isInteger(units) || units < 1) {
    throw badRequest('legs[0].units must be a positive integer');
  }
  const limitPrice = readPrice(body.limit_price, 'limit_price');
  const stopPrice = readPrice(body.stop_price, 'stop_price');
  if ((orderType === 'LIMIT' || orderType === 'STOP_LOSS_LIMIT') && limitPrice === null) {
    throw badRequest(`limit_price is required for ${orderType} orders`);
  }
  if ((orderType === 'STOP_LOSS_MARKET' || orderType === 'STOP_LOSS_LIMIT') && stopPrice === null) {
    throw badRequest(`stop_price is required for ${orderType} orders`);
  }
  return {
    symbol,
    contract: parseOccSymbol(symbol),
    action: leg.action,
    orderType: orderType as MlegOrderType,
    timeInForce,
    limitPrice,
    stopPrice,
    units,
  };
}

function readPrice(value: unknown, field: string): Decimal | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value !== 'string' || !/^\d+(\.\d+)?$/.test(value)) {
    throw badRequest(`${field} must be a decimal string`);
  }
  const price = new Dec(value);
  if (price.lte(0)) throw badRequest(`${field} must be greater than 0`);
  return price;
}

function readOrderId(body: unknown): string {
  if (!isRecord(body) || typeof body.brokerage_order_id !== 'string' || body.brokerage_order_id === '') {
    throw badRequest('brokerage_order_id is required');
  }
  return body.brokerage_order_id;
}

function requireAccount(account: SimAccount | null): SimAccount {
  if (!account) throw notFound('Account not found');
  return account;
}

function normalizeSymbol(symbol: string): string {
  return buildOccSymbol(parseOccSymbol(symbol.trim().toUpperCase()));
}

function tryNormalizeSymbol(symbol: string): string | null {
  try {
    return normalizeSymbol(symbol);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJsonOrUndefined(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function flattenHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') flat[name] = value;
    else if (Array.isArray(value)) flat[name] = value.join(', ');
  }
  return flat;
}

/** SnapTrade writes event times with microseconds and an explicit offset. */
function snapTradeTimestamp(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');
}

function titleCase(slug: string): string {
  return slug
    .toLowerCase()
    .split(/[-_ ]+/)
    .map((word) => (word ? `${word[0]?.toUpperCase() ?? ''}${word.slice(1)}` : word))
    .join(' ');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** mulberry32: small, fast, good enough for reproducible ids. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function uuidFrom(random: () => number): string {
  const bytes = Array.from({ length: 16 }, () => Math.floor(random() * 256));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40; // version 4
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function hashString(text: string): number {
  let hash = 2_166_136_261;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 16_777_619) >>> 0;
  }
  return hash;
}
