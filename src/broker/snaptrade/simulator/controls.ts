/**
 * What tests (and development) drive the simulator with, beside its API: connect accounts, move
 * quotes, decide the next order's outcome, fill or force orders, fail requests, send webhooks,
 * and look at an account or an order.
 */
import { averageFillPrice, type SimulatedBrokerage } from './brokerage';
import type { DroppedResponses, InjectedFailures } from './http';
import type { SimulatorControls } from './types';
import type { Webhooks } from './webhooks';

export function createControls({
  brokerage,
  failures,
  drops,
  webhooks,
}: {
  brokerage: SimulatedBrokerage;
  failures: InjectedFailures;
  drops: DroppedResponses;
  webhooks: Webhooks;
}): SimulatorControls {
  return {
    registerUser: (userId) => {
      const user = brokerage.registerUser(userId);
      return { userId: user.userId, userSecret: user.userSecret };
    },
    connectAccount: (input) => brokerage.connectAccount(input),
    setConnectionDisabled: (authorizationId, disabled) => {
      brokerage.setConnectionDisabled(authorizationId, disabled);
    },
    setQuote: (symbol, quote) => brokerage.setQuote(symbol, quote),
    nextOrder: (outcome) => brokerage.queueOutcome(outcome),
    fillOrder: (brokerOrderId, fill = {}) => brokerage.fillOrder(brokerOrderId, fill),
    setOrderStatus: (brokerOrderId, status) => brokerage.setOrderStatus(brokerOrderId, status),
    setCash: (accountId, cash) => brokerage.setCash(accountId, cash),
    failNext: (failure) => failures.push(failure),
    dropNextResponse: (drop = {}) => drops.push(drop),
    emitWebhook: webhooks.send,
    account(accountId) {
      const account = brokerage.accounts.get(accountId);
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
      const order = brokerage.orders.get(brokerOrderId);
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
        averageFillPrice: averageFillPrice(order),
      };
    },
  };
}
