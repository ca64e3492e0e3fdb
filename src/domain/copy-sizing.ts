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
  | { outcome: 'copy'; quantity: number }
  | { outcome: 'skip'; reason: Extract<CopyReason, 'nothing_to_close'>; quantity: 0 };

export interface ClosingCopyInput {
  /** Contracts the trader's sell filled. */
  traderSoldQuantity: number;
  /** Contracts the trader held just before that sell. */
  traderHeldBeforeSell: number;
  /** The sell closed the trader's position (nothing left held). */
  traderPositionClosed: boolean;
  /** Contracts the subscriber's copied position holds (filled bought − filled sold). */
  subscriberHeld: number;
  /** What the subscriber may still sell: held minus sells already working. */
  subscriberAvailableToClose: number;
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

/**
 * The size of a closing copy: the same fraction of the subscriber's holding as the trader sold
 * of theirs, rounded half up, at least 1 contract while the subscriber holds any; everything
 * left when the trader's position closed. Never more than the subscriber may still sell, so a
 * copy never races another working sell into an oversell.
 *
 * A trader's sell of 0 contracts (nothing filled) asks for nothing, unless it closed the position.
 */
export function closingCopyQuantity(input: ClosingCopyInput): ClosingCopyDecision {
  assertWholeNumber(input.traderSoldQuantity, 'traderSoldQuantity');
  assertWholeNumber(input.traderHeldBeforeSell, 'traderHeldBeforeSell');
  assertWholeNumber(input.subscriberHeld, 'subscriberHeld');
  assertWholeNumber(input.subscriberAvailableToClose, 'subscriberAvailableToClose');
  if (!input.traderPositionClosed && input.traderHeldBeforeSell === 0) {
    throw new DomainValidationError(
      'traderHeldBeforeSell',
      'traderHeldBeforeSell must be positive unless the position closed',
    );
  }

  let target = 0;
  if (input.subscriberHeld > 0) {
    if (input.traderPositionClosed) {
      target = input.subscriberHeld;
    } else if (input.traderSoldQuantity > 0) {
      // held × sold / heldBefore, dividing last so an exact half (2.5) stays exact and rounds up.
      const proportional = new Dec(input.subscriberHeld)
        .times(input.traderSoldQuantity)
        .dividedBy(input.traderHeldBeforeSell)
        .toDecimalPlaces(0, Dec.ROUND_HALF_UP)
        .toNumber();
      target = Math.min(input.subscriberHeld, Math.max(1, proportional));
    }
  }

  const quantity = Math.min(target, input.subscriberAvailableToClose);
  if (quantity < 1) return { outcome: 'skip', reason: 'nothing_to_close', quantity: 0 };
  return { outcome: 'copy', quantity };
}
