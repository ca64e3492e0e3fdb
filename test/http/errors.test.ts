import { describe, expect, it } from 'vitest';
import { DomainValidationError } from '../../src/domain/errors';
import { buildOccSymbol } from '../../src/domain/occ';
import { classifyError, STATUS_BY_CODE } from '../../src/http/errors';

describe('classifyError', () => {
  it('answers a domain validation error that reached the HTTP layer as a 400 naming its field', () => {
    let thrown: unknown;
    try {
      buildOccSymbol({ underlying: 'AAPL', optionType: 'call', strike: '150', expiration: '2100-01-15' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DomainValidationError);
    const { appError, expected } = classifyError(thrown);
    expect(expected).toBe(true);
    expect(appError.code).toBe('VALIDATION');
    expect(appError.field).toBe('expiration');
    expect(appError.message).toBe('expiration must be in the years 2000–2099');
    expect(STATUS_BY_CODE[appError.code]).toBe(400);
  });

  it('keeps an unknown error an unexpected INTERNAL one', () => {
    const { appError, expected } = classifyError(new Error('boom'));
    expect(appError.code).toBe('INTERNAL');
    expect(expected).toBe(false);
  });
});
