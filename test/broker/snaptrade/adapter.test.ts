/**
 * The real SDK, through our adapter and connections module, against the simulator: the whole
 * order lifecycle, with every exchange checked against SnapTrade's OpenAPI description.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  BrokerAccountRef,
  BrokerOrder,
  BrokerOrderStatus,
  PlaceOrderResult,
} from '../../../src/broker/port';
import { SnapTradeApiError } from '../../../src/broker/snaptrade/client';
import { SNAPTRADE_ORDER_STATUSES, type SnapTradeOrderStatus } from '../../../src/broker/snaptrade/simulator';
import {
  connectedAccount,
  expectExchangesMatchSpec,
  type Harness,
  OCC_CALL,
  OCC_PUT,
  startHarness,
} from './support';

const USER = 'alertsify-user-1';

function expectPlaced(result: PlaceOrderResult): BrokerOrder {
  if (!result.ok) throw new Error(`expected the order to be accepted, got: ${result.reason}`);
  return result.order;
}

describe('SnapTradeBroker and SnapTradeConnections against the simulator', () => {
  let harness: Harness;
  let ref: BrokerAccountRef;
  let userSecret: string;
  let accountId: string;

  beforeAll(async () => {
    harness = await startHarness();
  });

  afterAll(async () => {
    await harness.sim.close();
  });

  it('registers a user and hands out a Connection Portal link', async () => {
    const registered = await harness.connections.registerUser(USER);
    expect(registered.snaptradeUserId).toBe(USER);
    expect(registered.userSecret).toMatch(/^[0-9a-f-]{36}$/);
    userSecret = registered.userSecret;

    const link = await harness.connections.connectionPortalUrl({
      userId: USER,
      userSecret,
      redirectUrl: 'http://127.0.0.1:9/connected',
    });
    expect(link.startsWith(`${harness.sim.url}/portal?sessionId=`)).toBe(true);
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Connect');
  });

  it('refuses to register the same user twice', async () => {
    await expect(harness.connections.registerUser(USER)).rejects.toBeInstanceOf(SnapTradeApiError);
  });

  it('lists the accounts a user connected, with what our accounts table needs', async () => {
    expect(await harness.connections.listAccounts({ userId: USER, userSecret })).toEqual([]);
    const connected = harness.sim.controls.connectAccount({
      userId: USER,
      cash: '10000.00',
      brokerSlug: 'TRADIER',
      brokerName: 'Tradier',
      accountName: 'Tradier Individual',
      accountNumber: 'TR-0001',
    });
    accountId = connected.accountId;
    ref = {
      accountId: 'our-account-1',
      provider: 'snaptrade',
      brokerAccountId: accountId,
      snaptrade: { userId: USER, userSecret },
    };

    const accounts = await harness.connections.listAccounts({ userId: USER, userSecret });
    expect(accounts).toEqual([
      {
        snaptradeAccountId: accountId,
        brokerageAuthorizationId: connected.authorizationId,
        number: 'TR-0001',
        name: 'Tradier Individual',
        institutionName: 'Tradier',
        institutionSlug: 'TRADIER',
        type: 'Margin',
        balance: '10000.00',
        currency: 'USD',
        isPaper: false,
        status: 'open',
        readOnly: false,
        disabled: false,
      },
    ]);
  });

  it('reads balances', async () => {
    expect(await harness.broker.getBalances(ref)).toEqual({
      cash: '10000.00',
      buyingPower: '10000.00',
      currency: 'USD',
    });
  });

  it('estimates a Market order through option impact (the quote endpoint is gone)', async () => {
    harness.sim.controls.setQuote(OCC_CALL, { bid: '2.40', ask: '2.50' });
    const request = {
      clientOrderId: 'estimate',
      symbol: OCC_CALL,
      side: 'buy' as const,
      quantity: 4,
      orderType: 'Market' as const,
      timeInForce: 'Day' as const,
    };
    // 4 × 2.50 × 100 = 1000.00, plus the simulated brokerage's 0.65 a contract.
    expect(await harness.broker.estimateOrderCost(ref, request)).toEqual({
      supported: true,
      cost: '1002.60',
      fees: '2.60',
    });
    const answered = harness.sim.exchanges.filter((e) => e.operationId === 'Trading_getOptionImpact');
    expect(answered.map((e) => e.status)).toEqual([200]);
    expect(harness.sim.exchanges.some((e) => e.path.endsWith('/quotes/options'))).toBe(false);
  });

  it('says so when the brokerage has no option impact (400)', async () => {
    const other = harness.sim.controls.connectAccount({
      userId: USER,
      brokerSlug: 'WEBULL',
      optionImpact: false,
    });
    const estimate = await harness.broker.estimateOrderCost(
      { ...ref, brokerAccountId: other.accountId },
      {
        clientOrderId: 'estimate',
        symbol: OCC_CALL,
        side: 'buy',
        quantity: 1,
        orderType: 'Market',
        timeInForce: 'Day',
      },
    );
    expect(estimate).toEqual({
      supported: false,
      reason: 'Option impact is not supported for this brokerage',
    });
  });

  it('fills a Market buy-to-open at once at the ask', async () => {
    const order = expectPlaced(
      await harness.broker.placeOrder(ref, {
        clientOrderId: 'trade-1',
        symbol: OCC_CALL,
        side: 'buy',
        quantity: 4,
        orderType: 'Market',
        timeInForce: 'Day',
      }),
    );
    expect(order).toMatchObject({
      clientOrderId: 'trade-1',
      symbol: OCC_CALL,
      side: 'buy',
      orderType: 'Market',
      status: 'filled',
      quantity: 4,
      filledQuantity: 4,
      averageFillPrice: '2.5',
    });
    expect(await harness.broker.getBalances(ref)).toMatchObject({ cash: '9000.00' });
    expect(await harness.broker.getPositions(ref)).toEqual([
      { symbol: OCC_CALL, quantity: 4, averagePrice: '2.5' },
    ]);

    const again = await harness.broker.getOrder(ref, order.brokerOrderId);
    expect(again).toMatchObject({
      status: 'filled',
      filledQuantity: 4,
      averageFillPrice: '2.5',
      side: 'buy',
    });
  });

  it('keeps a Limit sell-to-close pending until the quote crosses it, then fills it', async () => {
    const order = expectPlaced(
      await harness.broker.placeOrder(ref, {
        clientOrderId: 'trade-2',
        symbol: OCC_CALL,
        side: 'sell',
        quantity: 2,
        orderType: 'Limit',
        limitPrice: '3.00',
        timeInForce: 'GTC',
      }),
    );
    expect(order).toMatchObject({
      status: 'pending',
      filledQuantity: 0,
      averageFillPrice: null,
      orderType: 'Limit',
    });
    expect((await harness.broker.getOrder(ref, order.brokerOrderId))?.status).toBe('pending');

    harness.sim.controls.setQuote(OCC_CALL, { bid: '2.90', ask: '3.00' });
    expect((await harness.broker.getOrder(ref, order.brokerOrderId))?.status).toBe('pending');

    harness.sim.controls.setQuote(OCC_CALL, { bid: '3.10', ask: '3.20' });
    expect(await harness.broker.getOrder(ref, order.brokerOrderId)).toMatchObject({
      status: 'filled',
      side: 'sell',
      filledQuantity: 2,
      averageFillPrice: '3.1',
    });
    expect(await harness.broker.getBalances(ref)).toMatchObject({ cash: '9620.00' });
    expect(await harness.broker.getPositions(ref)).toEqual([
      { symbol: OCC_CALL, quantity: 2, averagePrice: '2.5' },
    ]);
  });

  it('reports a partial fill, then the rest', async () => {
    harness.sim.controls.nextOrder({ type: 'partial', quantity: 1 });
    const order = expectPlaced(
      await harness.broker.placeOrder(ref, {
        clientOrderId: 'trade-3',
        symbol: OCC_CALL,
        side: 'buy',
        quantity: 3,
        orderType: 'Market',
        timeInForce: 'Day',
      }),
    );
    expect(order).toMatchObject({
      status: 'partial',
      quantity: 3,
      filledQuantity: 1,
      averageFillPrice: '3.2',
    });

    harness.sim.controls.fillOrder(order.brokerOrderId, { price: '3.50' });
    expect(await harness.broker.getOrder(ref, order.brokerOrderId)).toMatchObject({
      status: 'filled',
      filledQuantity: 3,
      averageFillPrice: '3.4',
    });
  });

  it('cancels a working order, and reports a cancel that comes too late as the order stands', async () => {
    const working = expectPlaced(
      await harness.broker.placeOrder(ref, {
        clientOrderId: 'trade-4',
        symbol: OCC_CALL,
        side: 'buy',
        quantity: 1,
        orderType: 'Limit',
        limitPrice: '1.00',
        timeInForce: 'Day',
      }),
    );
    expect(working.status).toBe('pending');
    const cancelled = await harness.broker.cancelOrder(ref, working.brokerOrderId);
    expect(cancelled).toMatchObject({
      brokerOrderId: working.brokerOrderId,
      status: 'cancelled',
      filledQuantity: 0,
    });

    // Cancelling again: SnapTrade refuses (400); the adapter returns the order as it is.
    expect((await harness.broker.cancelOrder(ref, working.brokerOrderId)).status).toBe('cancelled');

    harness.sim.controls.nextOrder({ type: 'partial', quantity: 2 });
    const half = expectPlaced(
      await harness.broker.placeOrder(ref, {
        clientOrderId: 'trade-5',
        symbol: OCC_CALL,
        side: 'buy',
        quantity: 4,
        orderType: 'Market',
        timeInForce: 'Day',
      }),
    );
    const halfCancelled = await harness.broker.cancelOrder(ref, half.brokerOrderId);
    // What filled stays filled.
    expect(halfCancelled).toMatchObject({ status: 'cancelled', filledQuantity: 2, averageFillPrice: '3.2' });

    const filled = (await harness.broker.listOrders(ref)).find((order) => order.status === 'filled');
    if (!filled) throw new Error('expected a filled order');
    expect(await harness.broker.cancelOrder(ref, filled.brokerOrderId)).toMatchObject({ status: 'filled' });
  });

  it('returns a rejection, with the broker reason, when cash is insufficient', async () => {
    const before = await harness.broker.getBalances(ref);
    const result = await harness.broker.placeOrder(ref, {
      clientOrderId: 'trade-6',
      symbol: OCC_CALL,
      side: 'buy',
      quantity: 1000,
      orderType: 'Market',
      timeInForce: 'Day',
    });
    expect(result).toEqual({
      ok: false,
      code: 'rejected',
      reason: expect.stringContaining('Insufficient buying power'),
    });
    expect(await harness.broker.getBalances(ref)).toEqual(before);
  });

  it('returns a rejection when selling more than is held', async () => {
    const result = await harness.broker.placeOrder(ref, {
      clientOrderId: 'trade-7',
      symbol: OCC_PUT,
      side: 'sell',
      quantity: 1,
      orderType: 'Limit',
      limitPrice: '1.00',
      timeInForce: 'Day',
    });
    expect(result).toEqual({
      ok: false,
      code: 'rejected',
      reason: expect.stringContaining('Insufficient position'),
    });
  });

  it('returns a rejection the brokerage decides on', async () => {
    harness.sim.controls.nextOrder({
      type: 'reject',
      reason: 'Options trading is not enabled on this account',
    });
    const result = await harness.broker.placeOrder(ref, {
      clientOrderId: 'trade-8',
      symbol: OCC_CALL,
      side: 'buy',
      quantity: 1,
      orderType: 'Market',
      timeInForce: 'Day',
    });
    expect(result).toEqual({
      ok: false,
      code: 'rejected',
      reason: 'Options trading is not enabled on this account',
    });
  });

  it('sends stop and stop-limit orders with the prices SnapTrade expects', async () => {
    const stop = expectPlaced(
      await harness.broker.placeOrder(ref, {
        clientOrderId: 'trade-9',
        symbol: OCC_CALL,
        side: 'sell',
        quantity: 1,
        orderType: 'Stop',
        stopPrice: '2.00',
        timeInForce: 'GTC',
      }),
    );
    expect(stop).toMatchObject({ status: 'pending', orderType: 'Stop' });
    const stopLimit = expectPlaced(
      await harness.broker.placeOrder(ref, {
        clientOrderId: 'trade-10',
        symbol: OCC_CALL,
        side: 'sell',
        quantity: 1,
        orderType: 'StopLimit',
        stopPrice: '2.00',
        limitPrice: '1.90',
        timeInForce: 'GTC',
      }),
    );
    expect(stopLimit).toMatchObject({ status: 'pending', orderType: 'StopLimit' });

    harness.sim.controls.setQuote(OCC_CALL, { bid: '1.95', ask: '2.05' });
    expect(await harness.broker.getOrder(ref, stop.brokerOrderId)).toMatchObject({
      status: 'filled',
      averageFillPrice: '1.95',
    });
    expect(await harness.broker.getOrder(ref, stopLimit.brokerOrderId)).toMatchObject({
      status: 'filled',
      averageFillPrice: '1.95',
    });
    const placed = harness.sim.exchanges
      .filter((exchange) => exchange.operationId === 'Trading_placeMlegOrder')
      .map((exchange) => exchange.requestBody);
    expect(placed).toContainEqual({
      order_type: 'STOP_LOSS_LIMIT',
      time_in_force: 'GTC',
      limit_price: '1.90',
      stop_price: '2.00',
      price_effect: 'CREDIT',
      legs: [
        { instrument: { symbol: OCC_CALL, instrument_type: 'OPTION' }, action: 'SELL_TO_CLOSE', units: 1 },
      ],
    });
  });

  it('maps every SnapTrade order status', async () => {
    const order = expectPlaced(
      await harness.broker.placeOrder(ref, {
        clientOrderId: 'trade-11',
        symbol: OCC_CALL,
        side: 'buy',
        quantity: 1,
        orderType: 'Limit',
        limitPrice: '0.50',
        timeInForce: 'GTC',
      }),
    );
    const expected: Record<SnapTradeOrderStatus, BrokerOrderStatus> = {
      NONE: 'pending',
      PENDING: 'pending',
      ACCEPTED: 'pending',
      FAILED: 'rejected',
      REJECTED: 'rejected',
      CANCELED: 'cancelled',
      PARTIAL_CANCELED: 'cancelled',
      CANCEL_PENDING: 'pending',
      EXECUTED: 'filled',
      PARTIAL: 'partial',
      REPLACE_PENDING: 'pending',
      REPLACED: 'cancelled',
      STOPPED: 'pending',
      SUSPENDED: 'pending',
      EXPIRED: 'cancelled',
      QUEUED: 'pending',
      TRIGGERED: 'pending',
      ACTIVATED: 'pending',
      PENDING_RISK_REVIEW: 'pending',
      CONTINGENT_ORDER: 'pending',
    };
    const seen: Record<string, BrokerOrderStatus | undefined> = {};
    for (const status of SNAPTRADE_ORDER_STATUSES) {
      harness.sim.controls.setOrderStatus(order.brokerOrderId, status);
      seen[status] = (await harness.broker.getOrder(ref, order.brokerOrderId))?.status;
    }
    expect(seen).toEqual(expected);

    harness.sim.controls.setOrderStatus(order.brokerOrderId, 'EXPIRED');
    expect((await harness.broker.getOrder(ref, order.brokerOrderId))?.reason).toBe('expired');
  });

  it('lists recent orders and knows an unknown order is not there', async () => {
    const orders = await harness.broker.listOrders(ref);
    expect(orders.length).toBe(harness.sim.exchanges.filter(isAcceptedPlacement).length);
    for (const order of orders) {
      expect(order.symbol).toBe(OCC_CALL);
      expect(order.updatedAt).toBeInstanceOf(Date);
    }
    expect(await harness.broker.getOrder(ref, 'no-such-order')).toBeNull();
  });

  it('deletes the user; deleting again is harmless', async () => {
    await harness.connections.deleteUser(USER);
    await expect(harness.connections.listAccounts({ userId: USER, userSecret })).rejects.toMatchObject({
      name: 'SnapTradeApiError',
      status: 401,
    });
    await expect(harness.connections.deleteUser(USER)).resolves.toBeUndefined();
  });

  it('sent and received only what the spec allows, for every operation used', () => {
    const operations = expectExchangesMatchSpec(harness.sim.exchanges);
    expect([...operations].sort()).toEqual(
      [
        'AccountInformation_getAllAccountPositions',
        'AccountInformation_getUserAccountBalance',
        'AccountInformation_getUserAccountOrderDetail',
        'AccountInformation_getUserAccountOrders',
        'AccountInformation_listUserAccounts',
        'Authentication_deleteSnapTradeUser',
        'Authentication_loginSnapTradeUser',
        'Authentication_registerSnapTradeUser',
        'Connections_listBrokerageAuthorizations',
        'Trading_cancelOrder',
        'Trading_getOptionImpact',
        'Trading_placeMlegOrder',
      ].sort(),
    );
  });
});

describe('a second account', () => {
  it('keeps users apart: another user cannot read the account', async () => {
    const harness = await startHarness();
    try {
      const alice = await connectedAccount(harness, 'alice');
      const bob = await connectedAccount(harness, 'bob');
      const intruder: BrokerAccountRef = { ...bob.ref, brokerAccountId: alice.accountId };
      await expect(harness.broker.getBalances(intruder)).rejects.toMatchObject({ status: 404 });
      expectExchangesMatchSpec(harness.sim.exchanges);
    } finally {
      await harness.sim.close();
    }
  });
});

function isAcceptedPlacement(exchange: { operationId: string | null; status: number }): boolean {
  return exchange.operationId === 'Trading_placeMlegOrder' && exchange.status === 200;
}
