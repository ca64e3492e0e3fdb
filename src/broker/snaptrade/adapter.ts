/**
 * The SnapTrade implementation of the Broker port, on the official `snaptrade-typescript-sdk`.
 *
 * - Orders are single-leg option orders through `Trading_placeMlegOrder`
 *   (`POST /accounts/{accountId}/trading/options`): BUY_TO_OPEN for buys, SELL_TO_CLOSE for sells.
 * - A refusal by SnapTrade or the brokerage (4xx with a message, or an order record that comes
 *   back REJECTED) is a value, `{ ok: false, code: 'rejected', reason }`.
 * - 429, 5xx and network failures are retried (see `client.ts`) and then thrown as
 *   `BrokerUnavailableError`. Placing an order is never repeated after an ambiguous failure
 *   (5xx, timeout): it might have gone through; the order sync reconciles it.
 *
 * Gaps of the API, not of this adapter:
 * - SnapTrade has no client order id, so `clientOrderId` is not sent and cannot deduplicate.
 * - No quotes: the option quote endpoint is deprecated upstream (no data after 2026-10-01). A
 *   Market order's cost comes from `estimateOrderCost` (option impact) where the brokerage
 *   supports it; prices for people come from the market-data port.
 * - Order records carry no rejection text; `reason` is only the placement error's message, or a
 *   short note for states such as EXPIRED.
 */
import { z } from 'zod';
import { Dec } from '../../domain/money';
import { hasLimitPrice, hasStopPrice } from '../../domain/vocabulary';
import type {
  Balances,
  Broker,
  BrokerAccountRef,
  BrokerOrder,
  BrokerPosition,
  OrderCostEstimate,
  PlaceOrderRequest,
  PlaceOrderResult,
} from '../port';
import {
  errorMessage,
  expectOk,
  parseBody,
  SnapTradeApiError,
  SnapTradeClient,
  type SnapTradeClientOptions,
  unexpectedResponse,
} from './client';
import { mapOrderRecord, orderRecordSchema, toDecimalString } from './order-mapping';

export type SnapTradeBrokerOptions = SnapTradeClientOptions & {
  /** How far back `listOrders` looks (SnapTrade caps it at 90). */
  orderHistoryDays?: number;
};

const placeResponseSchema = z.object({
  brokerage_order_id: z.string(),
  orders: z.array(orderRecordSchema).nullish(),
});

const balancesSchema = z.array(
  z.object({
    currency: z.object({ code: z.string().nullish() }).nullish(),
    cash: z.number().nullish(),
    buying_power: z.number().nullish(),
  }),
);

const positionsSchema = z.object({
  results: z.array(
    z.object({
      instrument: z.object({ kind: z.string().nullish(), symbol: z.string().nullish() }),
      units: z.union([z.string(), z.number()]).nullish(),
      cost_basis: z.union([z.string(), z.number()]).nullish(),
    }),
  ),
});

const optionImpactSchema = z.object({
  estimated_cash_change: z.union([z.string(), z.number()]).nullish(),
  cash_change_direction: z.string().nullish(),
  estimated_fee_total: z.union([z.string(), z.number()]).nullish(),
});

export class SnapTradeBroker implements Broker {
  private readonly client: SnapTradeClient;
  private readonly now: () => Date;
  private readonly orderHistoryDays: number;

  constructor(options: SnapTradeBrokerOptions) {
    this.client = new SnapTradeClient(options);
    this.now = options.now ?? (() => new Date());
    this.orderHistoryDays = Math.min(90, Math.max(1, options.orderHistoryDays ?? 7));
  }

  async placeOrder(account: BrokerAccountRef, request: PlaceOrderRequest): Promise<PlaceOrderResult> {
    const user = credentials(account);
    const response = await this.client.send(
      'placeMlegOrder',
      'unsafe',
      () =>
        this.client.sdk.trading.placeMlegOrder({
          ...user,
          accountId: account.brokerAccountId,
          ...mlegForm(request),
        }),
      {
        // Closing orders go before openings when the budget is short (PRODUCT.md §1a).
        priority: request.side === 'sell' ? 'closing' : 'normal',
        tradeAccountId: account.brokerAccountId,
        onQueued: request.onQueued,
        onSend: request.onSend,
      },
    );

    if (response.status === 401) throw unexpectedResponse('placeMlegOrder', response);
    if (response.status >= 400) {
      return {
        ok: false,
        code: 'rejected',
        reason: errorMessage(response.data) ?? `SnapTrade refused the order (HTTP ${response.status})`,
      };
    }
    const body = parseBody('placeMlegOrder', placeResponseSchema, response);
    const fallback = {
      symbol: request.symbol,
      side: request.side,
      orderType: request.orderType,
      quantity: request.quantity,
    };
    const record = body.orders?.find((item) => item.brokerage_order_id === body.brokerage_order_id) ??
      body.orders?.[0] ?? { brokerage_order_id: body.brokerage_order_id, status: 'PENDING' };
    const order = mapOrderRecord(
      { ...record, brokerage_order_id: record.brokerage_order_id ?? body.brokerage_order_id },
      { now: this.now(), fallback },
    ) ?? {
      brokerOrderId: body.brokerage_order_id,
      ...fallback,
      status: 'pending' as const,
      filledQuantity: 0,
      averageFillPrice: null,
      updatedAt: this.now(),
    };
    if (order.status === 'rejected') {
      return { ok: false, code: 'rejected', reason: order.reason ?? 'The brokerage rejected the order' };
    }
    order.clientOrderId = request.clientOrderId;
    return { ok: true, order };
  }

  async cancelOrder(account: BrokerAccountRef, brokerOrderId: string): Promise<BrokerOrder> {
    const user = credentials(account);
    const response = await this.client.send('cancelOrder', 'idempotent', () =>
      this.client.sdk.trading.cancelOrder({
        ...user,
        accountId: account.brokerAccountId,
        brokerage_order_id: brokerOrderId,
      }),
    );
    if (response.status === 401) throw unexpectedResponse('cancelOrder', response);
    // Refused (already filled, already cancelled, ...) or accepted: either way the caller wants
    // the order as the broker now reports it.
    const order = await this.getOrder(account, brokerOrderId);
    if (!order) {
      throw new SnapTradeApiError(
        `SnapTrade cancelOrder: order ${brokerOrderId} not found${response.status >= 400 ? ` (${errorMessage(response.data) ?? `HTTP ${response.status}`})` : ''}`,
        'cancelOrder',
        response.status,
        response.data,
      );
    }
    return order;
  }

  async getOrder(account: BrokerAccountRef, brokerOrderId: string): Promise<BrokerOrder | null> {
    const user = credentials(account);
    const response = await this.client.send('getUserAccountOrderDetail', 'idempotent', () =>
      this.client.sdk.accountInformation.getUserAccountOrderDetail({
        ...user,
        accountId: account.brokerAccountId,
        brokerage_order_id: brokerOrderId,
      }),
    );
    if (response.status === 404) return null;
    if (response.status >= 400) throw unexpectedResponse('getUserAccountOrderDetail', response);
    const record = parseBody('getUserAccountOrderDetail', orderRecordSchema, response);
    return mapOrderRecord(
      { ...record, brokerage_order_id: record.brokerage_order_id ?? brokerOrderId },
      {
        now: this.now(),
      },
    );
  }

  async listOrders(account: BrokerAccountRef): Promise<BrokerOrder[]> {
    const user = credentials(account);
    const records = await this.client.read('getUserAccountOrders', z.array(orderRecordSchema), () =>
      this.client.sdk.accountInformation.getUserAccountOrders({
        ...user,
        accountId: account.brokerAccountId,
        state: 'all',
        days: this.orderHistoryDays,
      }),
    );
    const now = this.now();
    return records.flatMap((record) => {
      const order = mapOrderRecord(record, { now });
      return order ? [order] : [];
    });
  }

  async getBalances(account: BrokerAccountRef): Promise<Balances> {
    const user = credentials(account);
    const balances = await this.client.read('getUserAccountBalance', balancesSchema, () =>
      this.client.sdk.accountInformation.getUserAccountBalance({
        ...user,
        accountId: account.brokerAccountId,
      }),
    );
    // Options trade in USD; other currencies of a multi-currency account are not buying power here.
    const balance = balances.find((item) => item.currency?.code === 'USD') ?? balances[0];
    if (!balance) return { cash: '0.00', buyingPower: '0.00', currency: 'USD' };
    const cash = balance.cash ?? 0;
    // SnapTrade: "for non-margin accounts, buying power should be the same as cash".
    const buyingPower = balance.buying_power ?? cash;
    return {
      cash: new Dec(cash).toFixed(2),
      buyingPower: new Dec(buyingPower).toFixed(2),
      currency: balance.currency?.code ?? 'USD',
    };
  }

  async getPositions(account: BrokerAccountRef): Promise<BrokerPosition[]> {
    const user = credentials(account);
    const body = await this.client.read('getAllAccountPositions', positionsSchema, () =>
      this.client.sdk.accountInformation.getAllAccountPositions({
        ...user,
        accountId: account.brokerAccountId,
      }),
    );
    return body.results.flatMap((position) => {
      const symbol = position.instrument.symbol;
      if (position.instrument.kind !== 'option' || !symbol) return [];
      return [
        {
          symbol,
          quantity: Number(toDecimalString(position.units) ?? '0'),
          averagePrice: toDecimalString(position.cost_basis),
        },
      ];
    });
  }

  /**
   * SnapTrade's option impact (`Trading_getOptionImpact`): the cash the order would take and its
   * fees, without placing it. Brokerages that do not support it answer 400 (formerly 501).
   */
  async estimateOrderCost(account: BrokerAccountRef, request: PlaceOrderRequest): Promise<OrderCostEstimate> {
    const user = credentials(account);
    const response = await this.client.send('getOptionImpact', 'idempotent', () =>
      this.client.sdk.trading.getOptionImpact({
        ...user,
        accountId: account.brokerAccountId,
        ...mlegForm(request),
      }),
    );
    if (response.status === 400 || response.status === 403 || response.status === 501) {
      return {
        supported: false,
        reason:
          errorMessage(response.data) ?? `SnapTrade has no option impact here (HTTP ${response.status})`,
      };
    }
    const impact = expectOk('getOptionImpact', optionImpactSchema, response);
    const cash = toDecimalString(impact.estimated_cash_change);
    if (cash === null) return { supported: false, reason: 'SnapTrade gave no cash estimate' };
    const fees = toDecimalString(impact.estimated_fee_total) ?? '0';
    // A debit is what the order costs; a credit would bring money in, costing nothing.
    const cost = impact.cash_change_direction === 'CREDIT' ? new Dec(0) : new Dec(cash).abs();
    return { supported: true, cost: cost.plus(fees).toFixed(2), fees: new Dec(fees).toFixed(2) };
  }
}

/** The single-leg `MlegTradeForm` of an order (placement and option impact send the same). */
function mlegForm(request: PlaceOrderRequest) {
  const hasLimit = hasLimitPrice(request.orderType);
  const hasStop = hasStopPrice(request.orderType);
  return {
    order_type: MLEG_ORDER_TYPE[request.orderType],
    time_in_force: request.timeInForce,
    ...(hasLimit ? { limit_price: request.limitPrice ?? null } : {}),
    ...(hasStop ? { stop_price: request.stopPrice ?? null } : {}),
    // Buying a single option is paid (debit); selling it brings money in (credit).
    ...(hasLimit ? { price_effect: request.side === 'buy' ? ('DEBIT' as const) : ('CREDIT' as const) } : {}),
    legs: [
      {
        instrument: { symbol: request.symbol, instrument_type: 'OPTION' as const },
        action: request.side === 'buy' ? ('BUY_TO_OPEN' as const) : ('SELL_TO_CLOSE' as const),
        units: request.quantity,
      },
    ],
  };
}

const MLEG_ORDER_TYPE = {
  Market: 'MARKET',
  Limit: 'LIMIT',
  Stop: 'STOP_LOSS_MARKET',
  StopLimit: 'STOP_LOSS_LIMIT',
} as const;

function credentials(account: BrokerAccountRef): { userId: string; userSecret: string } {
  if (account.provider !== 'snaptrade' || !account.snaptrade) {
    throw new Error(`account ${account.accountId} is not a SnapTrade account with credentials`);
  }
  return { userId: account.snaptrade.userId, userSecret: account.snaptrade.userSecret };
}
