/**
 * Whether the paper broker accepts an order, decided once for both ways of placing: one order
 * in its account's book (`placeInBook`), and many at once (the batch in `batch.ts`), which
 * answers the same questions from a few set-based reads.
 */
import type { NewPaperOrder, PaperOrderRow } from '../../db/schema/paper-rows';
import {
  CONTRACT_MULTIPLIER,
  type Decimal,
  safeParseDecimal,
  toCents,
  toPriceString,
} from '../../domain/money';
import {
  hasLimitPrice,
  hasStopPrice,
  ORDER_ACTIONS,
  ORDER_TYPES,
  TIMES_IN_FORCE,
} from '../../domain/vocabulary';
import type { BrokerOrder, PlaceOrderRequest, PlaceOrderResult } from '../port';
import type { PaperBook } from './book';
import { reservePrice } from './fill-rules';
import type { MarketView } from './market';

export type RejectionCode = Extract<PlaceOrderResult, { ok: false }>['code'];

/**
 * Every rejection reason starts with its code's phrase, so a rejection read back from the books
 * (a retried placement with the same client order id) reports the same code as the first time.
 */
const REJECTION_PHRASES: Record<RejectionCode, string> = {
  insufficient_buying_power: 'Insufficient buying power',
  expired_contract: 'Contract not tradable',
  insufficient_position: 'Insufficient position',
  rejected: 'Order rejected',
};

function rejectionCode(reason: string | null): RejectionCode {
  for (const [code, phrase] of Object.entries(REJECTION_PHRASES) as [RejectionCode, string][]) {
    if (reason?.startsWith(`${phrase}:`)) return code;
  }
  return 'rejected';
}

export function rejectionReason(code: RejectionCode, detail: string): string {
  return `${REJECTION_PHRASES[code]}: ${detail}`;
}

/** A generous ceiling: the app allows 1–1000; this only keeps values inside the column. */
const MAX_ORDER_QUANTITY = 100_000;
/** `numeric(10,4)` holds prices below one million. */
const MAX_PRICE = '999999.9999';

type RequestCheck =
  | { ok: true; order: NewPaperOrder; expiration: string }
  /** `draft` is what can be recorded of a malformed request; null when not even that fits. */
  | { ok: false; detail: string; draft: NewPaperOrder | null };

type PriceCheck = { ok: true; price: string } | { ok: false; problem: string };

/** A limit or stop price: positive, at most 4 decimals, small enough for `numeric(10,4)`. */
function checkOrderPrice(value: string | undefined, field: string): PriceCheck {
  if (value === undefined) return { ok: false, problem: `${field} is required for this order type` };
  const parsed = safeParseDecimal(value, { field, sign: 'positive', maxDecimals: 4 });
  if (!parsed.ok || parsed.value.gt(MAX_PRICE)) {
    return { ok: false, problem: `${field} must be a price from 0.0001 to ${MAX_PRICE}, got '${value}'` };
  }
  return { ok: true, price: toPriceString(parsed.value) };
}

/** Checks a request as a broker would before accepting it. */
function checkRequest(request: PlaceOrderRequest, market: MarketView): RequestCheck {
  const sideOk = ORDER_ACTIONS.includes(request.side);
  const typeOk = ORDER_TYPES.includes(request.orderType);
  const quantityOk =
    Number.isSafeInteger(request.quantity) && request.quantity >= 1 && request.quantity <= MAX_ORDER_QUANTITY;
  const timeInForce = TIMES_IN_FORCE.includes(request.timeInForce) ? request.timeInForce : null;
  const symbol = market.symbol(request.symbol);

  const needsLimit = hasLimitPrice(request.orderType);
  const needsStop = hasStopPrice(request.orderType);
  const limit = needsLimit ? checkOrderPrice(request.limitPrice, 'limitPrice') : null;
  const stop = needsStop ? checkOrderPrice(request.stopPrice, 'stopPrice') : null;

  const draft: NewPaperOrder | null =
    sideOk && typeOk && quantityOk
      ? {
          clientOrderId: request.clientOrderId,
          symbol: symbol ? symbol.canonical : request.symbol,
          side: request.side,
          quantity: request.quantity,
          orderType: request.orderType,
          limitPrice: limit?.ok ? limit.price : null,
          stopPrice: stop?.ok ? stop.price : null,
          timeInForce: timeInForce ?? 'Day',
          status: 'pending',
        }
      : null;

  if (draft && timeInForce && symbol && limit?.ok !== false && stop?.ok !== false && request.clientOrderId) {
    return { ok: true, order: draft, expiration: symbol.contract.expiration };
  }
  const problems = [
    sideOk ? null : `side must be buy or sell, got '${String(request.side)}'`,
    typeOk ? null : `orderType must be one of ${ORDER_TYPES.join(', ')}, got '${String(request.orderType)}'`,
    quantityOk
      ? null
      : `quantity must be a whole number from 1 to ${MAX_ORDER_QUANTITY}, got ${request.quantity}`,
    timeInForce ? null : `timeInForce must be Day or GTC, got '${String(request.timeInForce)}'`,
    symbol ? null : `invalid option symbol '${request.symbol}'`,
    limit && !limit.ok ? limit.problem : null,
    stop && !stop.ok ? stop.problem : null,
    request.clientOrderId ? null : 'clientOrderId is required',
  ].filter((problem): problem is string => problem !== null);

  return { ok: false, detail: problems.join('; '), draft: request.clientOrderId ? draft : null };
}

export function toBrokerOrder(
  row: Pick<
    PaperOrderRow,
    | 'id'
    | 'clientOrderId'
    | 'symbol'
    | 'side'
    | 'orderType'
    | 'status'
    | 'quantity'
    | 'filledQuantity'
    | 'averageFillPrice'
    | 'reason'
    | 'updatedAt'
  >,
): BrokerOrder {
  const order: BrokerOrder = {
    brokerOrderId: row.id,
    symbol: row.symbol,
    side: row.side,
    orderType: row.orderType,
    status: row.status,
    quantity: row.quantity,
    filledQuantity: row.filledQuantity,
    averageFillPrice: row.averageFillPrice,
    updatedAt: row.updatedAt,
  };
  if (row.clientOrderId !== null) order.clientOrderId = row.clientOrderId;
  if (row.reason !== null) order.reason = row.reason;
  return order;
}

/** What a placement answers for an order already in the books. */
export function placementResult(row: PaperOrderRow): PlaceOrderResult {
  if (row.status === 'rejected') {
    const reason = row.reason ?? REJECTION_PHRASES.rejected;
    return { ok: false, code: rejectionCode(reason), reason };
  }
  return { ok: true, order: toBrokerOrder(row) };
}

/** An account the broker keeps no books for. */
export function unknownAccountResult(accountId: string): PlaceOrderResult {
  return {
    ok: false,
    code: 'rejected',
    reason: rejectionReason('rejected', `unknown paper account ${accountId}`),
  };
}

export type PlacementDecision =
  /** An order with this client order id is already in the books: answer it again. */
  | { kind: 'existing'; order: PaperOrderRow }
  /** Refused; `record` is the rejected order to write to the books, null when none fits. */
  | { kind: 'rejected'; code: RejectionCode; reason: string; record: NewPaperOrder | null }
  /** Accepted: record `order` as pending, then evaluate it against the market. */
  | { kind: 'accepted'; order: NewPaperOrder };

type Rejection = Extract<PlacementDecision, { kind: 'rejected' }>;
type Acceptance = Extract<PlacementDecision, { kind: 'accepted' }>;

/** A request that passed the checks needing nothing of the account; `cost` is a buy's reserve. */
export type ScreenedOrder = { kind: 'screened'; order: NewPaperOrder; cost: Decimal | null };

/** What the account must cover: a sell its position, a buy its cost. */
export type AccountCover = { held: number; committedToSell: number } | { buyingPower: Decimal };

/**
 * The checks of a placement that need nothing of the account, in the order the broker makes
 * them: the request itself, the contract still trading, a quote for it.
 */
export function screenPlacement(request: PlaceOrderRequest, market: MarketView): Rejection | ScreenedOrder {
  const check = checkRequest(request, market);
  if (!check.ok) {
    const reason = rejectionReason('rejected', check.detail);
    return {
      kind: 'rejected',
      code: 'rejected',
      reason,
      record: check.draft ? { ...check.draft, status: 'rejected', reason } : null,
    };
  }
  const { order, expiration } = check;
  if (market.hasExpired(expiration)) {
    return reject(
      order,
      'expired_contract',
      `${order.symbol} stopped trading at ${market.expiry(expiration).toISOString()}`,
    );
  }
  const quote = market.quote(order.symbol);
  if (!quote) return reject(order, 'expired_contract', `no quote for ${order.symbol}`);
  if (order.side === 'sell') return { kind: 'screened', order, cost: null };
  const terms = {
    side: order.side,
    orderType: order.orderType,
    limitPrice: order.limitPrice ?? null,
    stopPrice: order.stopPrice ?? null,
    triggeredAt: null,
  };
  const cost = reservePrice(terms, quote, market.price(quote.ask))
    .times(order.quantity)
    .times(CONTRACT_MULTIPLIER);
  return { kind: 'screened', order, cost };
}

function reject(order: NewPaperOrder, code: RejectionCode, detail: string): Rejection {
  const reason = rejectionReason(code, detail);
  return { kind: 'rejected', code, reason, record: { ...order, status: 'rejected', reason } };
}

/** The account's part: a sell needs the contracts not already committed, a buy the buying power. */
export function coverPlacement(screened: ScreenedOrder, cover: AccountCover): Rejection | Acceptance {
  const { order, cost } = screened;
  if ('held' in cover) {
    const available = cover.held - cover.committedToSell;
    if (order.quantity > available) {
      return reject(
        order,
        'insufficient_position',
        `selling ${order.quantity} of ${order.symbol}, ${Math.max(0, available)} available ` +
          `(${cover.held} held, ${cover.committedToSell} in working sell orders)`,
      );
    }
  } else if (cost?.gt(cover.buyingPower)) {
    return reject(
      order,
      'insufficient_buying_power',
      `the order needs ${toCents(cost)}, buying power is ${toCents(cover.buyingPower)}`,
    );
  }
  return { kind: 'accepted', order: order.status === 'pending' ? order : { ...order, status: 'pending' } };
}

/** Decides a placement in an account's book, whose working orders were just evaluated. */
export async function decideInBook(book: PaperBook, request: PlaceOrderRequest): Promise<PlacementDecision> {
  const existing = request.clientOrderId ? await book.findByClientOrderId(request.clientOrderId) : null;
  if (existing) return { kind: 'existing', order: existing };
  const screened = screenPlacement(request, book.market);
  if (screened.kind === 'rejected') return screened;
  const { symbol } = screened.order;
  const cover: AccountCover =
    screened.order.side === 'sell'
      ? { held: await book.held(symbol), committedToSell: await book.committedToSell(symbol) }
      : { buyingPower: await book.buyingPower() };
  return coverPlacement(screened, cover);
}

/** Places one order in an account's book, whose working orders were just evaluated. */
export async function placeInBook(book: PaperBook, request: PlaceOrderRequest): Promise<PlaceOrderResult> {
  const decision = await decideInBook(book, request);
  switch (decision.kind) {
    case 'existing':
      return placementResult(decision.order);
    case 'rejected':
      if (decision.record) await book.insertOrder(decision.record);
      return { ok: false, code: decision.code, reason: decision.reason };
    case 'accepted': {
      const placed = await book.insertOrder(decision.order);
      return { ok: true, order: toBrokerOrder(await book.evaluate(placed)) };
    }
  }
}
