/**
 * The one port every broker implements (PRODUCT.md §2 "Brokers"). Services talk to this,
 * never to an SDK. Expected outcomes (an order the broker refuses) are values; outages and
 * bugs are exceptions (`BrokerUnavailableError` may be retried).
 */

import type { Transaction } from '../db/client';
import type { OrderStatus } from '../domain/order-status';
import type { AccountProvider, OrderAction, OrderType, TimeInForce } from '../domain/vocabulary';

export type { OrderType, TimeInForce };
/** Brokers call an order's buy or sell its side. */
export type OrderSide = OrderAction;
/** A broker reports an order in our own statuses; each adapter maps its broker's onto them. */
export type BrokerOrderStatus = OrderStatus;

/** Which brokerage account an operation is for, with what the implementation needs to reach it. */
export type BrokerAccountRef = {
  /** Our `accounts.id`. */
  accountId: string;
  provider: AccountProvider;
  /** The broker's id of the account (`accounts.snaptrade_account_id`). */
  brokerAccountId: string;
  /** SnapTrade credentials of the account's owner (the secret decrypted), for provider 'snaptrade'. */
  snaptrade?: { userId: string; userSecret: string };
};

export type PlaceOrderRequest = {
  /** Our `trades.id`. Brokers that support a client order id refuse a second order with it. */
  clientOrderId: string;
  /** OCC option symbol, e.g. `AAPL  240119C00150000`. */
  symbol: string;
  side: OrderSide;
  quantity: number;
  orderType: OrderType;
  /** Decimal strings, per contract (not × 100). */
  limitPrice?: string;
  stopPrice?: string;
  timeInForce: TimeInForce;
  /** Called once if the order must wait for the broker's shared rate budget. */
  onQueued?: () => Promise<void>;
  /** Called right before the order goes to the broker (after any wait). */
  onSend?: () => Promise<void>;
};

export type BrokerOrder = {
  brokerOrderId: string;
  clientOrderId?: string;
  symbol: string;
  side: OrderSide;
  orderType: OrderType;
  status: BrokerOrderStatus;
  quantity: number;
  /** Cumulative. */
  filledQuantity: number;
  /** Average price of the filled quantity, per contract; null while nothing filled. */
  averageFillPrice: string | null;
  /** Why the broker rejected or cancelled it, when it says. */
  reason?: string;
  updatedAt: Date;
  /** When the broker received it, when it says (reconciliation matches on it). */
  placedAt?: Date;
};

export type PlaceOrderResult =
  | { ok: true; order: BrokerOrder }
  | {
      ok: false;
      reason: string;
      code: 'rejected' | 'insufficient_buying_power' | 'expired_contract' | 'insufficient_position';
    };

export type Balances = {
  /** Decimal strings in the account currency. */
  cash: string;
  buyingPower: string;
  currency: string;
};

export type BrokerPosition = {
  symbol: string;
  quantity: number;
  averagePrice: string | null;
};

/** A broker's estimate of an order's cash effect; decimal strings, × 100 included. */
export type OrderCostEstimate =
  | { supported: true; cost: string; fees: string }
  | { supported: false; reason: string };

export type Quote = {
  symbol: string;
  bid: string;
  ask: string;
  last: string;
};

export interface Broker {
  /**
   * True when a second `placeOrder` with the same `clientOrderId` returns the first order
   * instead of placing another (the paper broker). Otherwise a placement whose answer was lost
   * must be reconciled against the account's orders before it is sent again.
   */
  readonly deduplicatesClientOrderIds?: boolean;
  placeOrder(account: BrokerAccountRef, request: PlaceOrderRequest): Promise<PlaceOrderResult>;
  /** Ask the broker to cancel; returns the order as the broker now reports it. */
  cancelOrder(account: BrokerAccountRef, brokerOrderId: string): Promise<BrokerOrder>;
  getOrder(account: BrokerAccountRef, brokerOrderId: string): Promise<BrokerOrder | null>;
  /** Recent orders of the account (at least those of the last few days). */
  listOrders(account: BrokerAccountRef): Promise<BrokerOrder[]>;
  getBalances(account: BrokerAccountRef): Promise<Balances>;
  getPositions(account: BrokerAccountRef): Promise<BrokerPosition[]>;
  /**
   * What placing `request` would cost, as the broker itself estimates it (SnapTrade's option
   * impact). Optional: brokers without it, and brokerages that do not support it, leave the
   * estimate to market data (`unsupported`). Prices live in the market-data port, not here.
   */
  estimateOrderCost?(account: BrokerAccountRef, request: PlaceOrderRequest): Promise<OrderCostEstimate>;
  /**
   * Many orders at once (copy-trading fan-out), each with the same outcome `placeOrder` would
   * give it; results in the order of `items`. Optional: without it, callers place one by one.
   */
  placeOrders?(items: BatchOrder[]): Promise<PlaceOrderResult[]>;
  /**
   * `placeOrder` inside the caller's open transaction on this database: for a broker whose books
   * live in the same database (the paper broker), so that recording an order, placing it and
   * recording the answer commit together, or not at all. Optional: a broker elsewhere is sent
   * the order only after the order's own transaction has committed.
   */
  placeOrderInTransaction?(
    tx: Transaction,
    account: BrokerAccountRef,
    request: PlaceOrderRequest,
  ): Promise<PlaceOrderResult>;
}

export type BatchOrder = { account: BrokerAccountRef; request: PlaceOrderRequest };

/** The broker could not be reached or failed; the operation may be retried later. */
export class BrokerUnavailableError extends Error {
  override name = 'BrokerUnavailableError';
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
