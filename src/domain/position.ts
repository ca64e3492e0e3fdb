/**
 * Folds a position's executions into its quantities, cost, proceeds and realised P&L.
 *
 * The database fill trigger computes the same figures; both MUST follow the same algorithm so
 * that whichever computes a number, it is the same number. The algorithm:
 *
 * - Executions with a filled quantity of 0 are ignored. The rest are applied in the order
 *   (filled_at NULLS LAST, created_at, buys before sells, id), ids compared by code unit (SQL:
 *   `id COLLATE "C"`).
 * - State: held quantity and held cost (Σ quantity × price, price units, no × 100), cumulative
 *   realised P&L `R` in dollars (unrounded), plus running totals.
 * - A buy adds quantity × price to the held cost and the quantity to the held quantity.
 * - A sell removes cost at the weighted average entry (`avg` = held cost / held quantity; with
 *   nothing held, the average of all buys, or the sell price if nothing was bought). Selling
 *   everything held removes exactly the held cost, so nothing is left over by rounding.
 *   `R += (quantity × price − removed cost) × 100`, and the sell's `pnl` is
 *   `round2(R after) − round2(R before)`. Rounding the cumulative figure instead of each sell
 *   makes Σ pnl = round2(R) always, hence = proceeds − cost basis to the cent once closed.
 *
 * The one place the algorithm rounds, and how, so that two engines (decimal.js here, `numeric`
 * in PostgreSQL) agree to the last digit: the cost removed by a partial sell, `avg × quantity`, is
 * evaluated as `round(held cost × quantity / held quantity, 20)`, half away from zero. Its exact
 * value often has no finite decimal expansion (a third of the held cost), so some rounding is
 * unavoidable; fixing it at 20 decimals, dividing last, makes it part of the algorithm instead of
 * an accident of each engine's precision. Everything else that feeds `R` is exact decimal
 * addition and multiplication. Without this, a later sell whose exact P&L sits on a half cent
 * could round either way depending on which engine computed it. In SQL:
 * `round(held_cost * q / held_qty, 20)`.
 *
 * Display figures are evaluated dividing last too: pnl percent =
 * `round((price × held quantity − held cost) × 100 / held cost, 4)`, average entry =
 * `round(held cost / held quantity, 6)`.
 */
import { assertWholeNumber, DomainValidationError } from './errors';
import {
  CONTRACT_MULTIPLIER,
  Dec,
  type Decimal,
  parsePrice,
  roundHalfUp,
  toCents,
  toFixedString,
} from './money';
import type { OrderAction, PositionStatus } from './vocabulary';

/** The seed stores pnl_percent as numeric(8,4); percentages beyond are clamped to fit. */
export const PNL_PERCENT_LIMIT = '9999.9999';

/** Decimals kept of the cost removed by a partial sell; see the module comment. */
export const REMOVED_COST_SCALE = 20;

export type ExecutionAction = OrderAction;

export interface Execution {
  id: string;
  action: ExecutionAction;
  /** Whole contracts filled; 0 for an order that never filled (ignored). */
  filledQuantity: number;
  /** Average fill price per share; may be null only when nothing filled. */
  filledPrice: string | null;
  filledAt: Date | null;
  createdAt: Date;
}

export interface SellOutcome {
  id: string;
  /** Realised P&L of this sell in dollars, 2 decimals. */
  pnl: string;
  /** (price − average entry) / average entry × 100, 4 decimals; null when the average is 0. */
  pnlPercent: string | null;
}

/** The fold tells only held or not; expiry and never-filled positions are set by services. */
export type PositionFoldStatus = Extract<PositionStatus, 'open' | 'closed'>;

export interface PositionSummary {
  boughtQuantity: number;
  soldQuantity: number;
  /** Contracts still held: bought − sold, never below 0. */
  openQuantity: number;
  /**
   * Weighted average entry with 6 decimals: of the contracts held, or once nothing is held, of
   * the contracts held just before the last sell. Null when nothing was ever bought or sold.
   */
  averageEntry: string | null;
  /** Σ buys quantity × price × 100, 2 decimals. */
  totalCostBasis: string;
  /** Σ sells quantity × price × 100, 2 decimals. */
  totalProceeds: string;
  /** Realised P&L, Σ of the sells' pnl, 2 decimals. */
  totalPnl: string;
  /** One entry per sell with a fill, in the order applied. */
  sells: SellOutcome[];
  /** Closed when every bought contract has been sold (sold = bought > 0). */
  status: PositionFoldStatus;
}

/** The order fills are applied in; the database trigger must use the same one. */
export function compareExecutions(a: Execution, b: Execution): number {
  if (a.filledAt === null || b.filledAt === null) {
    if (a.filledAt !== b.filledAt) return a.filledAt === null ? 1 : -1;
  } else if (a.filledAt.getTime() !== b.filledAt.getTime()) {
    return a.filledAt.getTime() - b.filledAt.getTime();
  }
  if (a.createdAt.getTime() !== b.createdAt.getTime()) return a.createdAt.getTime() - b.createdAt.getTime();
  // At the same instant buys come first: a sell never precedes the buy it closes.
  if (a.action !== b.action) return a.action === 'buy' ? -1 : 1;
  // Code-unit order, not locale order: matches `COLLATE "C"`, whatever the database's locale.
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}

interface FilledExecution {
  id: string;
  action: ExecutionAction;
  quantity: number;
  price: Decimal;
}

function filledExecutions(executions: readonly Execution[]): FilledExecution[] {
  const filled: FilledExecution[] = [];
  for (const execution of [...executions].sort(compareExecutions)) {
    assertWholeNumber(execution.filledQuantity, 'filledQuantity');
    if (execution.action !== 'buy' && execution.action !== 'sell') {
      throw new DomainValidationError(
        'action',
        `action must be 'buy' or 'sell', got '${String(execution.action)}'`,
      );
    }
    if (execution.filledQuantity === 0) continue;
    if (execution.filledPrice === null) {
      throw new DomainValidationError('filledPrice', `execution ${execution.id} filled without a price`);
    }
    filled.push({
      id: execution.id,
      action: execution.action,
      quantity: execution.filledQuantity,
      price: parsePrice(execution.filledPrice, 'filledPrice'),
    });
  }
  return filled;
}

export function foldPosition(executions: readonly Execution[]): PositionSummary {
  const ZERO = new Dec(0);
  let heldQuantity = 0;
  let heldCost: Decimal = ZERO;
  let realised: Decimal = ZERO;
  let boughtQuantity = 0;
  let soldQuantity = 0;
  /** Σ buys quantity × price, price units: the fallback average when a sell finds nothing held. */
  let totalBuyCost: Decimal = ZERO;
  let totalProceeds: Decimal = ZERO;
  let totalPnl: Decimal = ZERO;
  let lastAverage: Decimal | null = null;
  const sells: SellOutcome[] = [];

  for (const { id, action, quantity, price } of filledExecutions(executions)) {
    const amount = price.times(quantity);
    if (action === 'buy') {
      heldQuantity += quantity;
      heldCost = heldCost.plus(amount);
      totalBuyCost = totalBuyCost.plus(amount);
      boughtQuantity += quantity;
      lastAverage = heldCost.dividedBy(heldQuantity);
      continue;
    }

    // The basis the sell is measured against: cost and quantity whose ratio is the average.
    // With nothing held (an oversell the database refuses, kept total here) fall back to the
    // average of everything bought, or to the sell price itself, which realises nothing.
    let basisCost: Decimal;
    let basisQuantity: number;
    if (heldQuantity > 0) {
      basisCost = heldCost;
      basisQuantity = heldQuantity;
    } else if (boughtQuantity > 0) {
      basisCost = totalBuyCost;
      basisQuantity = boughtQuantity;
    } else {
      basisCost = amount;
      basisQuantity = quantity;
    }
    const average = basisCost.dividedBy(basisQuantity);
    const removed =
      heldQuantity > 0 && quantity >= heldQuantity
        ? heldCost
        : roundHalfUp(basisCost.times(quantity).dividedBy(basisQuantity), REMOVED_COST_SCALE);

    const realisedBefore = realised;
    realised = realised.plus(amount.minus(removed).times(CONTRACT_MULTIPLIER));
    const pnl = new Dec(toCents(realised)).minus(toCents(realisedBefore));
    totalPnl = totalPnl.plus(pnl);
    const pnlPercent = basisCost.isZero()
      ? null
      : toFixedString(
          Dec.min(
            Dec.max(
              roundHalfUp(price.times(basisQuantity).minus(basisCost).times(100).dividedBy(basisCost), 4),
              new Dec(PNL_PERCENT_LIMIT).negated(),
            ),
            PNL_PERCENT_LIMIT,
          ),
          4,
        );
    sells.push({ id, pnl: toCents(pnl), pnlPercent });

    lastAverage = average;
    heldCost = heldCost.minus(removed);
    heldQuantity -= quantity;
    if (heldQuantity <= 0) {
      heldQuantity = 0;
      heldCost = ZERO;
    }
    totalProceeds = totalProceeds.plus(amount.times(CONTRACT_MULTIPLIER));
    soldQuantity += quantity;
  }

  const averageEntry = heldQuantity > 0 ? heldCost.dividedBy(heldQuantity) : lastAverage;
  return {
    boughtQuantity,
    soldQuantity,
    openQuantity: Math.max(0, boughtQuantity - soldQuantity),
    averageEntry: averageEntry === null ? null : toFixedString(averageEntry, 6),
    totalCostBasis: toCents(totalBuyCost.times(CONTRACT_MULTIPLIER)),
    totalProceeds: toCents(totalProceeds),
    totalPnl: toCents(totalPnl),
    sells,
    status: boughtQuantity > 0 && soldQuantity === boughtQuantity ? 'closed' : 'open',
  };
}

/**
 * Contracts a new sell may still take: filled bought − filled sold − contracts in sells that are
 * still working. Never below 0.
 *
 * `pendingSellQuantity` is what working sells may still fill: the whole quantity of a pending
 * sell, but only the unfilled rest (quantity − filled) of a partial one, whose filled part is
 * already in `filledSold`. Counting a partial sell's full quantity would count its fills twice.
 */
export function availableToClose(input: {
  filledBought: number;
  filledSold: number;
  pendingSellQuantity: number;
}): number {
  assertWholeNumber(input.filledBought, 'filledBought');
  assertWholeNumber(input.filledSold, 'filledSold');
  assertWholeNumber(input.pendingSellQuantity, 'pendingSellQuantity');
  return Math.max(0, input.filledBought - input.filledSold - input.pendingSellQuantity);
}
