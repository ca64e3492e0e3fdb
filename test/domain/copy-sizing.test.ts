import { describe, expect, it } from 'vitest';
import {
  closingTarget,
  decideClosingCopy,
  decideOpeningCopy,
  openingCopyQuantity,
  roundHalfDown,
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

describe('the closing rule (PRODUCT.md §3)', () => {
  it('rounds half down, exactly', () => {
    expect([5, 3, 1, 6, 13, 12, 0].map((n) => roundHalfDown(n, 2))).toEqual([2, 1, 0, 3, 6, 6, 0]);
    expect(roundHalfDown(13, 5)).toBe(3);
    expect(roundHalfDown(12, 5)).toBe(2);
    expect(() => roundHalfDown(1, 0)).toThrow(DomainValidationError);
    expect(() => roundHalfDown(1.5, 2)).toThrow(DomainValidationError);
  });

  it('10 held, the trader sells 5 of 10: the subscriber holding 5 sells 3, holding 3 sells 2', () => {
    const sale = (bought: number) =>
      decideClosingCopy({
        traderHoldingAfter: 5,
        traderMirrored: 10,
        subscriberBought: bought,
        subscriberAvailable: bought,
      });
    expect(sale(5)).toEqual({ outcome: 'copy', quantity: 3, target: 2 });
    expect(sale(3)).toEqual({ outcome: 'copy', quantity: 2, target: 1 });
  });

  it.each([
    [4, [1, 1, 1, 1]],
    [3, [1, 1, 0, 1]],
    [2, [1, 0, 1, 0]],
    [1, [0, 1, 0, 0]],
  ])('four sales of 1 from 4: a subscriber holding %d sells %j', (bought, expected) => {
    let available = bought;
    const sold = [3, 2, 1, 0].map((holdingAfter) => {
      const decision = decideClosingCopy({
        traderHoldingAfter: holdingAfter,
        traderMirrored: 4,
        subscriberBought: bought,
        subscriberAvailable: available,
      });
      available -= decision.quantity;
      if (decision.outcome === 'skip') expect(decision.reason).toBe('at_target');
      return decision.quantity;
    });
    expect(sold).toEqual(expected);
    expect(available).toBe(0);
  });

  it('never buys, never sells below zero, and is 0 once the trader holds nothing', () => {
    // A buy the subscriber skipped does not count: the ratio may exceed 1, capped by what is held.
    expect(
      closingTarget({
        traderHoldingAfter: 8,
        traderMirrored: 4,
        subscriberBought: 4,
        subscriberAvailable: 3,
      }),
    ).toBe(3);
    expect(
      closingTarget({
        traderHoldingAfter: 0,
        traderMirrored: 4,
        subscriberBought: 4,
        subscriberAvailable: 4,
      }),
    ).toBe(0);
    expect(
      decideClosingCopy({
        traderHoldingAfter: 2,
        traderMirrored: 4,
        subscriberBought: 4,
        subscriberAvailable: 0,
      }),
    ).toEqual({
      outcome: 'skip',
      reason: 'at_target',
      quantity: 0,
      target: 0,
    });
  });
});
