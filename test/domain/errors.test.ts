import { describe, expect, it } from 'vitest';
import { assertWholeNumber, DomainValidationError, toResult } from '../../src/domain/errors';

describe('DomainValidationError', () => {
  it('carries the field at fault and its name', () => {
    const error = new DomainValidationError('strike', 'strike must be greater than 0');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('DomainValidationError');
    expect(error.field).toBe('strike');
    expect(error.message).toBe('strike must be greater than 0');
  });
});

describe('toResult()', () => {
  it('wraps a value', () => {
    expect(toResult(() => 42)).toEqual({ ok: true, value: 42 });
  });

  it('turns a DomainValidationError into a failed result', () => {
    const result = toResult(() => {
      throw new DomainValidationError('quantity', 'bad');
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.field).toBe('quantity');
  });

  it('lets other exceptions through: they are bugs, not bad input', () => {
    expect(() =>
      toResult(() => {
        throw new TypeError('boom');
      }),
    ).toThrow(TypeError);
  });
});

describe('assertWholeNumber()', () => {
  it.each([0, 1, 1000])('accepts %d', (value) => {
    expect(() => assertWholeNumber(value, 'quantity')).not.toThrow();
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])('refuses %d', (value) => {
    expect(() => assertWholeNumber(value, 'quantity')).toThrow(DomainValidationError);
  });

  it('honours a minimum', () => {
    expect(() => assertWholeNumber(0, 'quantity', 1)).toThrow(/≥ 1/);
  });
});
