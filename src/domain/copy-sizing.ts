/**
 * How many contracts a subscriber's copy trades (PRODUCT.md §3). Pure arithmetic on whole
 * contracts; the fan-out job adds the checks that need the database (daily limit, account,
 * duplicates) and records every decision.
 */
import { assertWholeNumber, DomainValidationError } from './errors';
import { Dec, type Decimal, parseDecimal } from './money';
import type { CopyReason } from './vocabulary';

export interface OpeningCopyInput {
  /** Contracts the trader's opening order filled. */
  traderFilledQuantity: number;
  /** The subscription's multiplier, e.g. '0.5' or 2. */
  scalingFactor: string | number;
  /** The subscription's cap per copied trade, in contracts. */
  maxPositionSize: number;
}

export interface OpeningCopyQuantity {
  /** floor(traderFilledQuantity × scalingFactor), before the cap. */
  computed: number;
  /** `computed` capped at maxPositionSize. */
  quantity: number;
}

export type OpeningCopyDecision =
  | { outcome: 'copy'; quantity: number; computed: number }
  | { outcome: 'skip'; reason: Extract<CopyReason, 'below_minimum'>; quantity: 0; computed: number };

export type ClosingCopyDecision =
  | { outcome: 'copy'; quantity: number; target: number }
  | { outcome: 'skip'; reason: Extract<CopyReason, 'at_target'>; quantity: 0; target: number };

export interface ClosingCopyInput {
  /** R_T: what the trader still holds right after the sale's fill (recorded with the fill). */
  traderHoldingAfter: number;
  /** B_T: the trader contracts the subscriber's openings mirrored. */
  traderMirrored: number;
  /** B_S: the subscriber's filled copied contracts (bought). */
  subscriberBought: number;
  /** What the subscriber holds and is not already selling: filled bought − filled sold − working sells. */
  subscriberAvailable: number;
}

function parseScalingFactor(value: string | number): Decimal {
  // A number is accepted for convenience (it comes from a form or a default); decimal.js reads it
  // through its shortest decimal text, so 0.1 means exactly 0.1, not the nearest binary double.
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new DomainValidationError('scalingFactor', 'scalingFactor must be a finite number');
  }
  const text = typeof value === 'number' ? new Dec(value) : value;
  return parseDecimal(text, { field: 'scalingFactor', sign: 'positive' });
}

/**
 * The size of an opening copy. Multiplying in decimals matters: in floats 10 × 0.3 is
 * 2.9999999999999996, whose floor would copy 2 contracts instead of 3.
 */
export function openingCopyQuantity(input: OpeningCopyInput): OpeningCopyQuantity {
  assertWholeNumber(input.traderFilledQuantity, 'traderFilledQuantity');
  assertWholeNumber(input.maxPositionSize, 'maxPositionSize', 1);
  const scaling = parseScalingFactor(input.scalingFactor);
  const computed = scaling.times(input.traderFilledQuantity).floor().toNumber();
  return { computed, quantity: Math.min(computed, input.maxPositionSize) };
}

/** Whether to copy an opening fill, and how many contracts; below one contract is skipped. */
export function decideOpeningCopy(input: OpeningCopyInput): OpeningCopyDecision {
  const { computed, quantity } = openingCopyQuantity(input);
  if (quantity < 1) return { outcome: 'skip', reason: 'below_minimum', quantity: 0, computed };
  return { outcome: 'copy', quantity, computed };
}

/** round_half_down(numerator ÷ denominator) for whole numbers ≥ 0, exactly (2.5 → 2, 2.6 → 3). */
export function roundHalfDown(numerator: number, denominator: number): number {
  assertWholeNumber(numerator, 'numerator');
  assertWholeNumber(denominator, 'denominator', 1);
  return Math.floor((2 * numerator + denominator - 1) / (2 * denominator));
}

/**
 * A subscriber's target holding after a trader's sale (PRODUCT.md §3):
 * min(held, round_half_down(B_S × R_T ÷ B_T)), 0 once the trader holds nothing; a close never buys.
 */
export function closingTarget(input: ClosingCopyInput): number {
  assertWholeNumber(input.traderHoldingAfter, 'traderHoldingAfter');
  assertWholeNumber(input.traderMirrored, 'traderMirrored');
  assertWholeNumber(input.subscriberBought, 'subscriberBought');
  const held = Math.max(0, input.subscriberAvailable);
  if (input.traderHoldingAfter === 0 || input.traderMirrored === 0) return 0;
  return Math.min(
    held,
    roundHalfDown(input.subscriberBought * input.traderHoldingAfter, input.traderMirrored),
  );
}

/** The closing copy: sell what the subscriber holds beyond the target, or nothing (`at_target`). */
export function decideClosingCopy(input: ClosingCopyInput): ClosingCopyDecision {
  const target = closingTarget(input);
  const quantity = Math.max(0, input.subscriberAvailable) - target;
  if (quantity < 1) return { outcome: 'skip', reason: 'at_target', quantity: 0, target };
  return { outcome: 'copy', quantity, target };
}

/** The sizing modes of PRODUCT.md §3 risk controls (the subscription's `sizing`). */
export type SizingMode =
  | { mode: 'multiplier' }
  | { mode: 'fixed'; contracts: number }
  | { mode: 'premium'; dollars: number | string }
  | { mode: 'equity'; percent: number | string };

export interface SizedOpeningInput extends OpeningCopyInput {
  sizing: SizingMode;
  /** The contract's ask now, per contract (premium and equity sizing); null when unknown. */
  ask: string | null;
  /** The subscriber's account buying power (equity sizing); null when unknown. */
  buyingPower: string | null;
}

/**
 * An opening copy sized by the subscription's mode: `multiplier` (floor(fill × scalingFactor)),
 * `fixed` contracts, `premium` (floor(dollars ÷ (ask × 100))) or `equity` (that percent of the
 * buying power, at the ask); always capped by maxPositionSize, below one contract skipped.
 * Without an ask (or buying power) premium and equity size to nothing.
 */
export function decideSizedOpeningCopy(input: SizedOpeningInput): OpeningCopyDecision {
  const { sizing } = input;
  if (sizing.mode === 'multiplier') return decideOpeningCopy(input);
  let computed = 0;
  if (sizing.mode === 'fixed') {
    computed = sizing.contracts;
  } else {
    const ask = input.ask ? new Dec(input.ask) : null;
    const budget =
      sizing.mode === 'premium'
        ? new Dec(sizing.dollars)
        : input.buyingPower
          ? new Dec(input.buyingPower).times(sizing.percent).dividedBy(100)
          : null;
    if (ask?.gt(0) && budget?.gt(0)) computed = budget.dividedBy(ask.times(100)).floor().toNumber();
  }
  const quantity = Math.min(computed, input.maxPositionSize);
  if (quantity < 1) return { outcome: 'skip', reason: 'below_minimum', quantity: 0, computed };
  return { outcome: 'copy', quantity, computed };
}

/**
 * The drift guard (PRODUCT.md §3): with the ask more than `percent` above the trader's fill, the
 * copy goes as a Limit at fill × (1 + percent), rounded down to the cent; null: at market.
 */
export function driftLimitPrice(input: {
  traderFillPrice: string;
  ask: string | null;
  maxPriceDriftPercent: number | null;
}): string | null {
  if (input.maxPriceDriftPercent === null || input.ask === null) return null;
  const ceiling = new Dec(input.traderFillPrice)
    .times(new Dec(100).plus(input.maxPriceDriftPercent))
    .dividedBy(100);
  if (new Dec(input.ask).lte(ceiling)) return null;
  return ceiling.toDecimalPlaces(2, Dec.ROUND_DOWN).toFixed(2);
}
