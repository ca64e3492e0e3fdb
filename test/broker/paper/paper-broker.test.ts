import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  openPaperAccount,
  PaperAccountNotFoundError,
  PaperBroker,
  PaperOrderNotFoundError,
  QuoteUnavailableError,
} from '../../../src/broker/paper/paper-broker';
import { createFixedQuotes, createQuoteModel, type FixedQuotes } from '../../../src/broker/paper/quotes';
import type {
  BrokerAccountRef,
  BrokerOrder,
  PlaceOrderRequest,
  PlaceOrderResult,
} from '../../../src/broker/port';
import { useTestDatabase } from '../../helpers/db';
import { createAccount, createUser } from '../../helpers/factories';

const t = useTestDatabase();

/** Monday 2 March 2026, 10:00 in New York. */
const START = new Date('2026-03-02T15:00:00Z');
const CALL = 'AAPL  260618C00150000';
const PUT = 'TSLA  260618P00200000';
/** Expired on Friday 20 February 2026. */
const EXPIRED = 'AAPL  260220C00150000';

let clock: Date;
let quotes: FixedQuotes;
let broker: PaperBroker;
let account: BrokerAccountRef;

async function newPaperAccount(cash: string): Promise<BrokerAccountRef> {
  const user = await createUser(t.db);
  const row = await createAccount(t.db, user.id);
  await openPaperAccount(t.db, row.id, cash);
  return { accountId: row.id, provider: 'paper', brokerAccountId: row.snaptradeAccountId };
}

beforeEach(async () => {
  clock = START;
  quotes = createFixedQuotes({ [CALL]: { bid: '1.20', ask: '1.25' }, [PUT]: { bid: '3.00', ask: '3.10' } });
  broker = new PaperBroker({ db: t.db, quotes, now: () => clock });
  account = await newPaperAccount('10000.00');
});

function request(overrides: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest {
  return {
    clientOrderId: `trade-${randomBytes(5).toString('hex')}`,
    symbol: CALL,
    side: 'buy',
    quantity: 1,
    orderType: 'Market',
    timeInForce: 'GTC',
    ...overrides,
  };
}

function accepted(result: PlaceOrderResult): BrokerOrder {
  if (!result.ok) throw new Error(`expected the order to be accepted, got ${result.code}: ${result.reason}`);
  return result.order;
}

async function place(overrides: Partial<PlaceOrderRequest> = {}): Promise<BrokerOrder> {
  return accepted(await broker.placeOrder(account, request(overrides)));
}

async function order(id: string): Promise<BrokerOrder> {
  const found = await broker.getOrder(account, id);
  if (!found) throw new Error(`order ${id} not found`);
  return found;
}

async function cash(): Promise<string> {
  return (await broker.getBalances(account)).cash;
}

async function rows(accountId = account.accountId) {
  // Timestamps as UTC text: the raw driver would read them in the test process's time zone.
  const { rows } = await t.sql<{
    id: string;
    status: string;
    reason: string | null;
    triggered_at: string | null;
  }>(
    `SELECT id, status, reason, to_char(triggered_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS triggered_at
       FROM paper_orders WHERE account_id = $1 ORDER BY created_at`,
    [accountId],
  );
  return rows;
}

describe('opening a paper account', () => {
  it('is idempotent and keeps the first cash', async () => {
    const again = await openPaperAccount(t.db, account.accountId, '5.00');
    expect(again).toEqual({ accountId: account.accountId, cash: '10000.00' });
    expect(await broker.getBalances(account)).toEqual({
      cash: '10000.00',
      buyingPower: '10000.00',
      currency: 'USD',
    });
  });
});

describe('Market orders', () => {
  it('buy at the ask and take quantity × price × 100 from cash', async () => {
    const filled = await place({ quantity: 2 });
    expect(filled).toMatchObject({
      symbol: CALL,
      side: 'buy',
      status: 'filled',
      quantity: 2,
      filledQuantity: 2,
      averageFillPrice: '1.2500',
    });
    expect(filled.updatedAt).toBeInstanceOf(Date);
    expect(await broker.getBalances(account)).toMatchObject({ cash: '9750.00', buyingPower: '9750.00' });
    expect(await broker.getPositions(account)).toEqual([
      { symbol: CALL, quantity: 2, averagePrice: '1.2500' },
    ]);
  });

  it('sell at the bid and add the proceeds', async () => {
    await place({ quantity: 2 });
    quotes.set(CALL, { bid: '1.40', ask: '1.45' });
    const sold = await place({ side: 'sell', quantity: 2 });
    expect(sold).toMatchObject({ status: 'filled', filledQuantity: 2, averageFillPrice: '1.4000' });
    expect(await cash()).toBe('10030.00');
    expect(await broker.getPositions(account)).toEqual([]);
  });

  it('average the cost of positions bought at different prices', async () => {
    await place({ quantity: 1 });
    quotes.set(CALL, { bid: '1.70', ask: '1.75' });
    await place({ quantity: 3 });
    await place({ side: 'sell', quantity: 2 });
    // (1.25 + 3 × 1.75) / 4 = 1.625, and selling keeps the average.
    expect(await broker.getPositions(account)).toEqual([
      { symbol: CALL, quantity: 2, averagePrice: '1.6250' },
    ]);
    expect(await cash()).toBe('9690.00');
  });

  it('accept a compact symbol and report the padded form', async () => {
    const filled = await place({ symbol: 'AAPL260618C00150000' });
    expect(filled.symbol).toBe(CALL);
  });
});

describe('Limit orders', () => {
  it('a buy stays pending, reserves its cost, then fills at the ask once the ask reaches the limit', async () => {
    const placed = await place({ orderType: 'Limit', limitPrice: '1.10', quantity: 3 });
    expect(placed).toMatchObject({ status: 'pending', filledQuantity: 0, averageFillPrice: null });
    expect(await broker.getBalances(account)).toMatchObject({ cash: '10000.00', buyingPower: '9670.00' });

    quotes.set(CALL, { bid: '1.08', ask: '1.11' });
    expect((await order(placed.brokerOrderId)).status).toBe('pending');

    clock = new Date(START.getTime() + 60_000);
    quotes.set(CALL, { bid: '1.04', ask: '1.08' });
    const filled = await order(placed.brokerOrderId);
    expect(filled).toMatchObject({ status: 'filled', filledQuantity: 3, averageFillPrice: '1.0800' });
    expect(await broker.getBalances(account)).toMatchObject({ cash: '9676.00', buyingPower: '9676.00' });
  });

  it('a buy whose limit is already crossed fills at once, at the ask', async () => {
    const filled = await place({ orderType: 'Limit', limitPrice: '1.30', quantity: 1 });
    expect(filled).toMatchObject({ status: 'filled', averageFillPrice: '1.2500' });
  });

  it('a sell stays pending until the bid reaches the limit, and fills at the bid', async () => {
    await place({ quantity: 5 });
    const sell = await place({ side: 'sell', orderType: 'Limit', limitPrice: '1.50', quantity: 5 });
    expect(sell.status).toBe('pending');
    quotes.set(CALL, { bid: '1.55', ask: '1.60' });
    const [latest] = await broker.listOrders(account);
    expect(latest).toMatchObject({
      brokerOrderId: sell.brokerOrderId,
      status: 'filled',
      averageFillPrice: '1.5500',
    });
    expect(await cash()).toBe('10150.00');
  });
});

describe('Stop orders', () => {
  it('a buy stop triggers when the ask reaches the stop and fills as a Market order', async () => {
    const stop = await place({ orderType: 'Stop', stopPrice: '1.50', quantity: 2 });
    expect(stop.status).toBe('pending');
    // Reserved at the stop price until triggered.
    expect((await broker.getBalances(account)).buyingPower).toBe('9700.00');
    quotes.set(CALL, { bid: '1.40', ask: '1.45' });
    expect((await order(stop.brokerOrderId)).status).toBe('pending');
    quotes.set(CALL, { bid: '1.55', ask: '1.60' });
    expect(await order(stop.brokerOrderId)).toMatchObject({ status: 'filled', averageFillPrice: '1.6000' });
    expect(await cash()).toBe('9680.00');
    const [row] = (await rows()).filter((r) => r.id === stop.brokerOrderId);
    expect(row?.triggered_at).toBe(START.toISOString());
  });

  it('a sell stop triggers when the bid falls to the stop', async () => {
    await place({ quantity: 2 });
    const stop = await place({ side: 'sell', orderType: 'Stop', stopPrice: '1.00', quantity: 2 });
    expect(stop.status).toBe('pending');
    quotes.set(CALL, { bid: '0.95', ask: '1.00' });
    expect(await order(stop.brokerOrderId)).toMatchObject({ status: 'filled', averageFillPrice: '0.9500' });
    expect(await cash()).toBe('9940.00');
  });

  it('a StopLimit buy triggers at the stop, then waits for its limit like a Limit order', async () => {
    const order1 = await place({
      orderType: 'StopLimit',
      stopPrice: '1.50',
      limitPrice: '1.55',
      quantity: 1,
    });
    // Below the stop: not triggered, even though the ask is under the limit.
    expect(order1.status).toBe('pending');
    expect((await rows())[0]?.triggered_at).toBeNull();
    expect((await broker.getBalances(account)).buyingPower).toBe('9845.00');

    quotes.set(CALL, { bid: '1.55', ask: '1.60' });
    expect((await order(order1.brokerOrderId)).status).toBe('pending');
    expect((await rows())[0]?.triggered_at).toBe(START.toISOString());

    clock = new Date(START.getTime() + 5 * 60_000);
    quotes.set(CALL, { bid: '1.35', ask: '1.40' });
    expect(await order(order1.brokerOrderId)).toMatchObject({ status: 'filled', averageFillPrice: '1.4000' });
    // The trigger time stays the first one.
    expect((await rows())[0]?.triggered_at).toBe(START.toISOString());
  });

  it('a StopLimit sell triggers when the bid falls to the stop and fills at or above its limit', async () => {
    await place({ quantity: 1 });
    const sell = await place({
      side: 'sell',
      orderType: 'StopLimit',
      stopPrice: '1.00',
      limitPrice: '0.90',
      quantity: 1,
    });
    quotes.set(CALL, { bid: '0.85', ask: '0.90' });
    expect((await order(sell.brokerOrderId)).status).toBe('pending');
    quotes.set(CALL, { bid: '0.92', ask: '0.95' });
    expect(await order(sell.brokerOrderId)).toMatchObject({ status: 'filled', averageFillPrice: '0.9200' });
  });
});

describe('partial fills', () => {
  it('fill at most the quoted size per evaluation', async () => {
    quotes.set(CALL, { bid: '1.20', ask: '1.25', size: 3 });
    const placed = await place({ quantity: 10 });
    expect(placed).toMatchObject({ status: 'partial', filledQuantity: 3, averageFillPrice: '1.2500' });
    // Asking for the balances is an evaluation too: 3 more fill, and the rest is reserved at the ask.
    expect(await broker.getBalances(account)).toMatchObject({ cash: '9250.00', buyingPower: '8750.00' });
    quotes.set(CALL, { bid: '1.25', ask: '1.30', size: 3 });
    expect(await order(placed.brokerOrderId)).toMatchObject({
      status: 'partial',
      filledQuantity: 9,
      averageFillPrice: '1.2667',
    });
    expect(await order(placed.brokerOrderId)).toMatchObject({
      status: 'filled',
      filledQuantity: 10,
      averageFillPrice: '1.2700',
    });
    expect(await cash()).toBe('8730.00');
    expect(await broker.getPositions(account)).toEqual([
      { symbol: CALL, quantity: 10, averagePrice: '1.2700' },
    ]);
  });

  it('share the size between working orders in time priority', async () => {
    quotes.set(CALL, { bid: '1.20', ask: '1.25', size: 0 });
    const first = await place({ quantity: 2 });
    const second = await place({ quantity: 2 });
    quotes.set(CALL, { bid: '1.20', ask: '1.25', size: 3 });
    const orders = await broker.listOrders(account);
    const byId = new Map(orders.map((o) => [o.brokerOrderId, o]));
    expect(byId.get(first.brokerOrderId)).toMatchObject({ status: 'filled', filledQuantity: 2 });
    expect(byId.get(second.brokerOrderId)).toMatchObject({ status: 'partial', filledQuantity: 1 });
  });
});

describe('rejections', () => {
  it('refuse a buy beyond the buying power, and record it', async () => {
    const result = await broker.placeOrder(account, request({ quantity: 81 }));
    expect(result).toMatchObject({ ok: false, code: 'insufficient_buying_power' });
    if (result.ok) return;
    expect(result.reason).toMatch(/needs 10125\.00, buying power is 10000\.00/);
    expect((await rows()).map((r) => r.status)).toEqual(['rejected']);
    const [listed] = await broker.listOrders(account);
    expect(listed).toMatchObject({ status: 'rejected', reason: result.reason, filledQuantity: 0 });
    const brokerOrderId = listed?.brokerOrderId ?? '';
    expect(await broker.getOrder(account, brokerOrderId)).toMatchObject({ status: 'rejected' });
    expect(await cash()).toBe('10000.00');
    accepted(await broker.placeOrder(account, request({ quantity: 80 })));
    expect(await cash()).toBe('0.00');
  });

  it('count the cost of working buys against the buying power', async () => {
    await place({ orderType: 'Limit', limitPrice: '1.00', quantity: 70 });
    expect((await broker.getBalances(account)).buyingPower).toBe('3000.00');
    const tooMuch = await broker.placeOrder(account, request({ quantity: 25 }));
    expect(tooMuch).toMatchObject({ ok: false, code: 'insufficient_buying_power' });
    await place({ quantity: 24 });
    expect(await broker.getBalances(account)).toMatchObject({ cash: '7000.00', buyingPower: '0.00' });
  });

  it('refuse an expired contract, and one without a quote', async () => {
    quotes.set(EXPIRED, { bid: '0.01', ask: '0.02' });
    const expired = await broker.placeOrder(account, request({ symbol: EXPIRED }));
    expect(expired).toMatchObject({ ok: false, code: 'expired_contract' });
    const unquoted = await broker.placeOrder(account, request({ symbol: 'MSFT  260618C00400000' }));
    expect(unquoted).toMatchObject({ ok: false, code: 'expired_contract' });
    // An option expiring today stops trading at 16:00 New York.
    const today = 'AAPL  260302C00150000';
    quotes.set(today, { bid: '0.50', ask: '0.55' });
    accepted(await broker.placeOrder(account, request({ symbol: today })));
    clock = new Date('2026-03-02T21:00:00Z');
    expect(await broker.placeOrder(account, request({ symbol: today }))).toMatchObject({
      ok: false,
      code: 'expired_contract',
    });
    expect((await rows()).map((r) => r.status)).toEqual(['rejected', 'rejected', 'filled', 'rejected']);
  });

  it('refuse selling more than held less what working sells already commit', async () => {
    expect(await broker.placeOrder(account, request({ side: 'sell' }))).toMatchObject({
      ok: false,
      code: 'insufficient_position',
    });
    await place({ quantity: 5 });
    const working = await place({ side: 'sell', orderType: 'Limit', limitPrice: '2.00', quantity: 3 });
    const over = await broker.placeOrder(account, request({ side: 'sell', quantity: 3 }));
    expect(over).toMatchObject({ ok: false, code: 'insufficient_position' });
    if (!over.ok) expect(over.reason).toMatch(/2 available \(5 held, 3 in working sell orders\)/);
    await place({ side: 'sell', quantity: 2 });
    // Cancelling the working sell frees its contracts.
    await broker.cancelOrder(account, working.brokerOrderId);
    await place({ side: 'sell', quantity: 3 });
    expect(await broker.getPositions(account)).toEqual([]);
  });

  it('refuse malformed orders and unknown accounts', async () => {
    const cases: [Partial<PlaceOrderRequest>, RegExp][] = [
      [{ symbol: 'AAPL 150 CALL' }, /invalid option symbol/],
      [{ orderType: 'Limit' }, /limitPrice is required/],
      [{ orderType: 'Stop' }, /stopPrice is required/],
      [{ orderType: 'StopLimit', stopPrice: '1.00' }, /limitPrice is required/],
      [{ orderType: 'Limit', limitPrice: '-1' }, /limitPrice must be a price/],
      [{ orderType: 'Limit', limitPrice: 'abc' }, /limitPrice must be a price/],
    ];
    for (const [overrides, reason] of cases) {
      const result = await broker.placeOrder(account, request(overrides));
      expect(result).toMatchObject({ ok: false, code: 'rejected' });
      if (!result.ok) expect(result.reason).toMatch(reason);
    }
    expect((await rows()).every((r) => r.status === 'rejected')).toBe(true);
    expect(await rows()).toHaveLength(cases.length);
    // Not even storable: rejected without a row.
    expect(await broker.placeOrder(account, request({ quantity: 0 }))).toMatchObject({
      ok: false,
      code: 'rejected',
    });
    expect(await broker.placeOrder(account, request({ quantity: 1.5 }))).toMatchObject({ ok: false });
    expect(await rows()).toHaveLength(cases.length);

    const stranger: BrokerAccountRef = { ...account, accountId: 'no-such-account' };
    expect(await broker.placeOrder(stranger, request())).toMatchObject({ ok: false, code: 'rejected' });
    expect(await broker.getOrder(stranger, 'x')).toBeNull();
    expect(await broker.listOrders(stranger)).toEqual([]);
    await expect(broker.getBalances(stranger)).rejects.toBeInstanceOf(PaperAccountNotFoundError);
    await expect(broker.getPositions(stranger)).rejects.toBeInstanceOf(PaperAccountNotFoundError);
  });
});

describe('client order ids', () => {
  it('make placing again return the existing order instead of a second one', async () => {
    const first = await place({ clientOrderId: 'trade-1', quantity: 2 });
    const again = await place({ clientOrderId: 'trade-1', quantity: 2 });
    expect(again.brokerOrderId).toBe(first.brokerOrderId);
    expect(again).toMatchObject({ clientOrderId: 'trade-1', status: 'filled', filledQuantity: 2 });
    expect(await rows()).toHaveLength(1);
    expect(await cash()).toBe('9750.00');
  });

  it('replay a rejection with its code', async () => {
    const first = await broker.placeOrder(account, request({ clientOrderId: 'trade-2', side: 'sell' }));
    await place({ quantity: 1 });
    const again = await broker.placeOrder(account, request({ clientOrderId: 'trade-2', side: 'sell' }));
    expect(again).toEqual(first);
    expect(again).toMatchObject({ ok: false, code: 'insufficient_position' });
  });

  it('are per account', async () => {
    const other = await newPaperAccount('500.00');
    const mine = await place({ clientOrderId: 'trade-3' });
    const theirs = accepted(await broker.placeOrder(other, request({ clientOrderId: 'trade-3' })));
    expect(theirs.brokerOrderId).not.toBe(mine.brokerOrderId);
    // And an account cannot see another's orders.
    expect(await broker.getOrder(other, mine.brokerOrderId)).toBeNull();
    await expect(broker.cancelOrder(other, mine.brokerOrderId)).rejects.toBeInstanceOf(
      PaperOrderNotFoundError,
    );
  });
});

describe('cancelling', () => {
  it('cancels a working order and frees its reserve', async () => {
    const limit = await place({ orderType: 'Limit', limitPrice: '1.00', quantity: 10 });
    expect((await broker.getBalances(account)).buyingPower).toBe('9000.00');
    clock = new Date(START.getTime() + 1000);
    const cancelled = await broker.cancelOrder(account, limit.brokerOrderId);
    expect(cancelled).toMatchObject({
      status: 'cancelled',
      filledQuantity: 0,
      reason: 'Cancelled by request',
    });
    expect((await broker.getBalances(account)).buyingPower).toBe('10000.00');
    // The quote crossing later no longer fills it.
    quotes.set(CALL, { bid: '0.90', ask: '0.95' });
    expect(await order(limit.brokerOrderId)).toMatchObject({ status: 'cancelled', filledQuantity: 0 });
  });

  it('keeps the fills of a partially filled order', async () => {
    quotes.set(CALL, { bid: '1.20', ask: '1.25', size: 3 });
    const placed = await place({ quantity: 10 });
    const cancelled = await broker.cancelOrder(account, placed.brokerOrderId);
    expect(cancelled).toMatchObject({ status: 'cancelled', filledQuantity: 3, averageFillPrice: '1.2500' });
    expect(await broker.getBalances(account)).toMatchObject({ cash: '9625.00', buyingPower: '9625.00' });
    expect(await broker.getPositions(account)).toEqual([
      { symbol: CALL, quantity: 3, averagePrice: '1.2500' },
    ]);
  });

  it('returns a filled or cancelled order unchanged', async () => {
    const filled = await place();
    clock = new Date(START.getTime() + 1000);
    expect(await broker.cancelOrder(account, filled.brokerOrderId)).toEqual(filled);
    const limit = await place({ orderType: 'Limit', limitPrice: '1.00' });
    const cancelled = await broker.cancelOrder(account, limit.brokerOrderId);
    clock = new Date(START.getTime() + 2000);
    expect(await broker.cancelOrder(account, limit.brokerOrderId)).toEqual(cancelled);
    await expect(broker.cancelOrder(account, 'no-such-order')).rejects.toBeInstanceOf(
      PaperOrderNotFoundError,
    );
  });
});

describe('working orders over time', () => {
  it('are cancelled when their contract expires', async () => {
    const today = 'AAPL  260302C00150000';
    quotes.set(today, { bid: '0.50', ask: '0.55' });
    const limit = await place({ symbol: today, orderType: 'Limit', limitPrice: '0.40' });
    clock = new Date('2026-03-02T21:00:00Z');
    expect(await order(limit.brokerOrderId)).toMatchObject({
      status: 'cancelled',
      reason: 'Contract expired',
    });
  });

  it('lapse at the close when placed for the day', async () => {
    const limit = await place({ orderType: 'Limit', limitPrice: '1.00', timeInForce: 'Day' });
    const gtc = await place({ orderType: 'Limit', limitPrice: '1.00', timeInForce: 'GTC' });
    clock = new Date('2026-03-02T20:59:59Z');
    expect((await order(limit.brokerOrderId)).status).toBe('pending');
    clock = new Date('2026-03-02T21:00:00Z');
    expect(await order(limit.brokerOrderId)).toMatchObject({
      status: 'cancelled',
      reason: 'Day order expired at the close',
    });
    expect((await order(gtc.brokerOrderId)).status).toBe('pending');
  });

  it('never spend more cash than there is when the price moved since placing', async () => {
    // A buy stop reserves its stop price, but fills at the ask, which may have jumped past it.
    const stop = await place({ orderType: 'Stop', stopPrice: '1.50', quantity: 60 });
    quotes.set(CALL, { bid: '1.95', ask: '2.00' });
    const result = await order(stop.brokerOrderId);
    expect(result).toMatchObject({ status: 'cancelled', filledQuantity: 50, averageFillPrice: '2.0000' });
    expect(result.reason).toMatch(/not enough cash/);
    expect(await cash()).toBe('0.00');
  });
});

describe('quotes', () => {
  it('getQuote answers the source at the clock, and throws when there is none', async () => {
    expect(await broker.getQuote(account, CALL)).toEqual({
      symbol: CALL,
      bid: '1.20',
      ask: '1.25',
      last: '1.23',
    });
    await expect(broker.getQuote(account, 'MSFT  260618C00400000')).rejects.toBeInstanceOf(
      QuoteUnavailableError,
    );
    // Expired: no quote even though the fixed source holds one.
    quotes.set(EXPIRED, { bid: '0.01', ask: '0.02' });
    await expect(broker.getQuote(account, EXPIRED)).rejects.toBeInstanceOf(QuoteUnavailableError);
  });

  it('with the model, the same seed and clock give the same fills', async () => {
    const fills: string[] = [];
    for (const _ of [1, 2]) {
      const model = new PaperBroker({
        db: t.db,
        quotes: createQuoteModel({ seed: 'demo' }),
        now: () => START,
      });
      const own = await newPaperAccount('100000.00');
      const quote = await model.getQuote(own, CALL);
      const filled = accepted(await model.placeOrder(own, request({ quantity: 2 })));
      expect(filled.status).toBe('filled');
      expect(Number(filled.averageFillPrice)).toBe(Number(quote.ask));
      fills.push(`${filled.averageFillPrice} ${(await model.getBalances(own)).cash}`);
    }
    expect(fills[0]).toBe(fills[1]);
  });
});
