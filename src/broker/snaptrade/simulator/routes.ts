/**
 * The operations the simulator implements, as `spec/snaptrade-openapi.yaml` describes them
 * (operationId — method path):
 *   ApiStatus_check                              GET    /
 *   Authentication_registerSnapTradeUser         POST   /snapTrade/registerUser
 *   Authentication_deleteSnapTradeUser           DELETE /snapTrade/deleteUser
 *   Authentication_loginSnapTradeUser            POST   /snapTrade/login
 *   AccountInformation_listUserAccounts          GET    /accounts
 *   AccountInformation_getUserAccountDetails     GET    /accounts/{accountId}
 *   Connections_listBrokerageAuthorizations      GET    /authorizations
 *   Connections_detailBrokerageAuthorization     GET    /authorizations/{authorizationId}
 *   AccountInformation_getUserAccountBalance     GET    /accounts/{accountId}/balances
 *   AccountInformation_getAllAccountPositions    GET    /accounts/{accountId}/positions/all
 *   AccountInformation_getUserAccountOrders      GET    /accounts/{accountId}/orders
 *   AccountInformation_getUserAccountOrderDetail POST   /accounts/{accountId}/orders/details
 *   Trading_placeMlegOrder                       POST   /accounts/{accountId}/trading/options
 *   Trading_cancelOrder                          POST   /accounts/{accountId}/trading/cancel
 *   Trading_getOptionImpact                      POST   /accounts/{accountId}/trading/options/impact
 * The deprecated option quote endpoint (`Trading_getUserAccountOptionQuotes`, no data since
 * 2026-10-01) is not served: it answers 404 like any unknown path.
 * Each reads its request as the spec shapes it, asks the brokerage, and answers spec-shaped
 * records (`records.ts`).
 */
import { Dec, type Decimal } from '../../../domain/money';
import { parseOccSymbol } from '../../../domain/occ';
import { hasLimitPrice, hasStopPrice } from '../../../domain/vocabulary';
import {
  type MlegOrderType,
  ORDER_TYPE_OF,
  type OrderForm,
  type SimAccount,
  type SimulatedBrokerage,
  tryNormalizeSymbol,
} from './brokerage';
import { badRequest, notFound } from './errors';
import { type Route, route } from './http';
import type { Portal } from './portal';
import { type SpecRecords, USD } from './records';

export function createRoutes({
  brokerage,
  records,
  portal,
  now,
}: {
  brokerage: SimulatedBrokerage;
  records: SpecRecords;
  portal: Portal;
  now: () => Date;
}): Route[] {
  return [
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
        const user = brokerage.registerUser(userId);
        return { body: { userId: user.userId, userSecret: user.userSecret } };
      },
    ),
    route('DELETE', '/snapTrade/deleteUser', 'Authentication_deleteSnapTradeUser', 'partner', ({ query }) => {
      const userId = query.get('userId') ?? '';
      if (!brokerage.deleteUser(userId)) throw notFound('User not found');
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
        const session = {
          userId: user?.userId ?? '',
          redirect: typeof form.customRedirect === 'string' ? form.customRedirect : null,
          broker: typeof form.broker === 'string' ? form.broker : null,
          reconnect: typeof form.reconnect === 'string' && form.reconnect !== '' ? form.reconnect : null,
        };
        return { body: portal.openSession(session, baseUrl) };
      },
    ),
    route('GET', '/accounts', 'AccountInformation_listUserAccounts', 'user', ({ user }) => ({
      body: [...brokerage.accounts.values()]
        .filter((account) => account.userId === user?.userId)
        .map(records.account),
    })),
    route('GET', '/authorizations', 'Connections_listBrokerageAuthorizations', 'user', ({ user }) => ({
      body: [...brokerage.authorizations.values()]
        .filter((authorization) => authorization.userId === user?.userId)
        .map(records.authorization),
    })),
    route(
      'GET',
      '/authorizations/{authorizationId}',
      'Connections_detailBrokerageAuthorization',
      'user',
      ({ params, user }) => {
        const authorization = brokerage.authorizations.get(params.authorizationId ?? '');
        if (!authorization || authorization.userId !== user?.userId) throw notFound('Connection not found');
        return { body: records.authorization(authorization) };
      },
    ),
    route(
      'GET',
      '/accounts/{accountId}',
      'AccountInformation_getUserAccountDetails',
      'account',
      ({ account }) => ({
        body: records.account(requireAccount(account)),
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
        const buyingPower = brokerage.buyingPower(account).toDecimalPlaces(2).toNumber();
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
            records.position(symbol, position),
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
      (c) => {
        const state = c.query.get('state') ?? 'all';
        if (state !== 'all' && state !== 'open' && state !== 'executed') {
          throw badRequest(`Invalid state '${state}'`);
        }
        const daysText = c.query.get('days');
        const days = daysText === null ? 30 : Number(daysText);
        if (!Number.isInteger(days) || days < 1) throw badRequest(`Invalid days '${daysText}'`);
        // SnapTrade looks back 90 days at most.
        const orders = brokerage.ordersOf(requireAccount(c.account), state, Math.min(days, 90));
        return { body: orders.map(records.order) };
      },
    ),
    route(
      'POST',
      '/accounts/{accountId}/orders/details',
      'AccountInformation_getUserAccountOrderDetail',
      'account',
      ({ account, body }) => {
        const order = brokerage.orders.get(readOrderId(body));
        if (!order || order.accountId !== requireAccount(account).id) throw notFound('Order not found');
        return { body: records.order(order) };
      },
    ),
    route('POST', '/accounts/{accountId}/trading/options', 'Trading_placeMlegOrder', 'account', (c) => {
      const order = brokerage.placeOrder(requireAccount(c.account), readMlegForm(c.body));
      return { body: { brokerage_order_id: order.id, orders: [records.order(order)] } };
    }),
    route('POST', '/accounts/{accountId}/trading/cancel', 'Trading_cancelOrder', 'account', (c) => {
      const order = brokerage.cancelOrder(requireAccount(c.account), readOrderId(c.body));
      return {
        body: {
          brokerage_order_id: order.id,
          raw_response: { order_id: order.id, status: 'CANCELED' },
        },
      };
    }),
    route(
      'POST',
      '/accounts/{accountId}/trading/options/impact',
      'Trading_getOptionImpact',
      'account',
      (c) => {
        const impact = brokerage.optionImpact(requireAccount(c.account), readMlegForm(c.body));
        return {
          body: {
            estimated_cash_change: impact.cashChange.toFixed(2),
            cash_change_direction: impact.direction,
            estimated_fee_total: impact.fees.toFixed(2),
          },
        };
      },
    ),
  ];
}

// ---------------------------------------------------------------------------------------------
// Request bodies

const MLEG_ORDER_TYPES: readonly string[] = Object.keys(ORDER_TYPE_OF);
const TIME_IN_FORCE = ['FOK', 'Day', 'GTC', 'IOC'];

function readMlegForm(body: unknown): OrderForm {
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
  const type = ORDER_TYPE_OF[orderType as MlegOrderType];
  if (hasLimitPrice(type) && limitPrice === null) {
    throw badRequest(`limit_price is required for ${orderType} orders`);
  }
  if (hasStopPrice(type) && stopPrice === null) {
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
