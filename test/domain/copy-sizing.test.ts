import { describe, expect, it } from 'vitest';
import {
  type ClosingCopyInput,
  closingCopyQuantity,
  decideOpeningCopy,
  openingCopyQuantity,
} from '../../src/domain/copy-sizing';
import { DomainValidationError } from '../../src/domain/errors';

describe('openingCopyQuantity()', () => {
  it.each([
    // [filled, scaling, max, computed, quantity]
    [10, '1.0', 10, 10, 10],
    [10, '0.5', 10, 5, 5],
    [7, '0.5', 10, 3, 3], // 3.5 floors to 3
    [5, '2.0', 20, 10, 10],
    [6, '2.0', 10, 12, 10], // capped
    [3, '0.1', 10, 0, 0], // 0.3 floors to 0
    [10, '0.3', 10, 3, 3], // floats say 2.9999999999999996
    [100, '0.29', 100, 29, 29], // floats say 28.999999999999996
    [100, '0.57', 100, 57, 57], // floats say 56.99999999999999
    [1000, '10', 10, 10000, 10],
    [1, '0.01', 10, 0, 0],
    [0, '1', 10, 0, 0],
  ])('%d filled × %s, max %d → computed %d, quantity %d', (filled, scaling, max, computed, quantity) => {
    expect(
      openingCopyQuantity({ traderFilledQuantity: filled, scalingFactor: scaling, maxPositionSize: max }),
    ).toEqual({ computed, quantity });
  });

  it('takes a number scaling factor by its decimal value, not its binary one', () => {
    expect(
      openingCopyQuantity({ traderFilledQuantity: 10, scalingFactor: 0.3, maxPositionSize: 10 }),
    ).toEqual({
      computed: 3,
      quantity: 3,
    });
    expect(
      openingCopyQuantity({ traderFilledQuantity: 3, scalingFactor: 0.1, maxPositionSize: 10 }).computed,
    ).toBe(0);
    expect(
      openingCopyQuantity({ traderFilledQuantity: 100, scalingFactor: 0.29, maxPositionSize: 100 }).computed,
    ).toBe(29);
  });

  it.each<[string, string | number, number, number]>([
    ['scalingFactor', '0', 1, 10],
    ['scalingFactor', '-0.5', 1, 10],
    ['scalingFactor', 'abc', 1, 10],
    ['scalingFactor', Number.NaN, 1, 10],
    ['scalingFactor', Number.POSITIVE_INFINITY, 1, 10],
    ['maxPositionSize', '1', 1, 0],
    ['maxPositionSize', '1', 1, 2.5],
    ['traderFilledQuantity', '1', -1, 10],
    ['traderFilledQuantity', '1', 1.5, 10],
  ])('refuses a bad %s', (field, scalingFactor, traderFilledQuantity, maxPositionSize) => {
    try {
      openingCopyQuantity({ traderFilledQuantity, scalingFactor, maxPositionSize });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainValidationError);
      expect((error as DomainValidationError).field).toBe(field);
    }
  });
});

describe('decideOpeningCopy()', () => {
  it('copies one contract or more', () => {
    expect(
      decideOpeningCopy({ traderFilledQuantity: 10, scalingFactor: '0.5', maxPositionSize: 10 }),
    ).toEqual({
      outcome: 'copy',
      quantity: 5,
      computed: 5,
    });
    expect(decideOpeningCopy({ traderFilledQuantity: 30, scalingFactor: '1', maxPositionSize: 10 })).toEqual({
      outcome: 'copy',
      quantity: 10,
      computed: 30,
    });
    expect(decideOpeningCopy({ traderFilledQuantity: 2, scalingFactor: '0.5', maxPositionSize: 10 })).toEqual(
      {
        outcome: 'copy',
        quantity: 1,
        computed: 1,
      },
    );
  });

  it('skips below one contract', () => {
    expect(decideOpeningCopy({ traderFilledQuantity: 1, scalingFactor: '0.5', maxPositionSize: 10 })).toEqual(
      {
        outcome: 'skip',
        reason: 'below_minimum',
        quantity: 0,
        computed: 0,
      },
    );
    expect(
      decideOpeningCopy({ traderFilledQuantity: 3, scalingFactor: '0.1', maxPositionSize: 10 }),
    ).toMatchObject({
      outcome: 'skip',
      reason: 'below_minimum',
    });
  });
});

describe('closingCopyQuantity()', () => {
  const base: ClosingCopyInput = {
    traderSoldQuantity: 5,
    traderHeldBeforeSell: 10,
    traderPositionClosed: false,
    subscriberHeld: 5,
    subscriberAvailableToClose: 5,
  };

  it('trader sells 5 of 10: a subscriber holding 5 sells 3 (2.5 rounds half up), then the last 2 on close', () => {
    expect(closingCopyQuantity(base)).toEqual({ outcome: 'copy', quantity: 3 });
    expect(
      closingCopyQuantity({
        traderSoldQuantity: 5,
        traderHeldBeforeSell: 5,
        traderPositionClosed: true,
        subscriberHeld: 2,
        subscriberAvailableToClose: 2,
      }),
    ).toEqual({ outcome: 'copy', quantity: 2 });
  });

  it.each([
    // [subscriberHeld, traderSold, traderHeldBefore, expected]
    [20, 3, 10, 6],
    [4, 1, 8, 1], // 0.5 → 1
    [7, 1, 3, 2], // 2.33 → 2
    [5, 1, 3, 2], // 1.67 → 2
    [3, 1, 10, 1], // 0.3 → at least 1
    [1, 1, 10, 1], // 0.1 → at least 1
    [10, 10, 10, 10],
    [6, 1, 4, 2], // 1.5 → 2
    [6, 3, 4, 5], // 4.5 → 5
  ])('subscriber holding %d, trader selling %d of %d → %d', (subscriberHeld, sold, heldBefore, expected) => {
    expect(
      closingCopyQuantity({
        traderSoldQuantity: sold,
        traderHeldBeforeSell: heldBefore,
        traderPositionClosed: false,
        subscriberHeld,
        subscriberAvailableToClose: subscriberHeld,
      }),
    ).toEqual({ outcome: 'copy', quantity: expected });
  });

  it('closes everything the subscriber holds when the trader’s position closes', () => {
    expect(
      closingCopyQuantity({
        ...base,
        traderSoldQuantity: 1,
        traderHeldBeforeSell: 1,
        traderPositionClosed: true,
        subscriberHeld: 7,
        subscriberAvailableToClose: 7,
      }),
    ).toEqual({ outcome: 'copy', quantity: 7 });
  });

  it('never sells more than the subscriber may still close', () => {
    expect(closingCopyQuantity({ ...base, subscriberHeld: 10, subscriberAvailableToClose: 2 })).toEqual({
      outcome: 'copy',
      quantity: 2,
    });
    expect(
      closingCopyQuantity({
        ...base,
        traderPositionClosed: true,
        subscriberHeld: 7,
        subscriberAvailableToClose: 4,
      }),
    ).toEqual({ outcome: 'copy', quantity: 4 });
  });

  it('skips when there is nothing to close', () => {
    const skip = { outcome: 'skip', reason: 'nothing_to_close', quantity: 0 };
    expect(closingCopyQuantity({ ...base, subscriberHeld: 0, subscriberAvailableToClose: 0 })).toEqual(skip);
    expect(closingCopyQuantity({ ...base, subscriberAvailableToClose: 0 })).toEqual(skip);
    expect(
      closingCopyQuantity({
        ...base,
        traderPositionClosed: true,
        subscriberHeld: 0,
        subscriberAvailableToClose: 0,
      }),
    ).toEqual(skip);
    // A trader's sell that filled nothing asks for nothing.
    expect(closingCopyQuantity({ ...base, traderSoldQuantity: 0 })).toEqual(skip);
  });

  it('never asks for more than the subscriber holds, even if the trader sold more than held', () => {
    expect(
      closingCopyQuantity({
        ...base,
        traderSoldQuantity: 12,
        subscriberHeld: 4,
        subscriberAvailableToClose: 4,
      }),
    ).toEqual({
      outcome: 'copy',
      quantity: 4,
    });
  });

  it('follows the trader sell by sell, ending flat when the trader does', () => {
    // Trader 10 → sells 3, 3, then the last 4; subscriber mirrors with 5.
    let traderHeld = 10;
    let subscriberHeld = 5;
    const copied: number[] = [];
    for (const sold of [3, 3, 4]) {
      const decision = closingCopyQuantity({
        traderSoldQuantity: sold,
        traderHeldBeforeSell: traderHeld,
        traderPositionClosed: traderHeld - sold === 0,
        subscriberHeld,
        subscriberAvailableToClose: subscriberHeld,
      });
      const quantity = decision.outcome === 'copy' ? decision.quantity : 0;
      copied.push(quantity);
      traderHeld -= sold;
      subscriberHeld -= quantity;
    }
    expect(copied).toEqual([2, 1, 2]); // 1.5 → 2, 3 × 3/7 = 1.29 → 1, then the rest
    expect(subscriberHeld).toBe(0);
  });

  it('refuses a fraction of nothing, and non-whole quantities', () => {
    expect(() => closingCopyQuantity({ ...base, traderHeldBeforeSell: 0 })).toThrow(DomainValidationError);
    expect(() => closingCopyQuantity({ ...base, subscriberHeld: 1.5 })).toThrow(DomainValidationError);
    expect(() => closingCopyQuantity({ ...base, traderSoldQuantity: -1 })).toThrow(DomainValidationError);
    // With the position closed the fraction is not needed.
    expect(closingCopyQuantity({ ...base, traderHeldBeforeSell: 0, traderPositionClosed: true })).toEqual({
      outcome: 'copy',
      quantity: 5,
    });
  });
});
