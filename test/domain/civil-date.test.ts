import { describe, expect, it } from 'vitest';
import {
  addDays,
  dayOfWeek,
  daysInMonth,
  formatIsoDate,
  isIsoDate,
  parseIsoDate,
  utcMidnight,
} from '../../src/domain/civil-date';
import { DomainValidationError } from '../../src/domain/errors';

describe('parseIsoDate()', () => {
  it('parses a real date', () => {
    expect(parseIsoDate('2024-01-19')).toEqual({ year: 2024, month: 1, day: 19 });
    expect(parseIsoDate('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
  });

  it.each(['2026-02-29', '2025-13-01', '2025-00-10', '2025-04-31', '2025-01-00', '2025-1-1', '20250101', ''])(
    'refuses %s, naming the field',
    (value) => {
      try {
        parseIsoDate(value, 'expiration');
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(DomainValidationError);
        expect((error as DomainValidationError).field).toBe('expiration');
      }
    },
  );

  it('knows leap years', () => {
    expect(isIsoDate('2000-02-29')).toBe(true);
    expect(isIsoDate('1900-02-29')).toBe(false);
    expect(isIsoDate('2100-02-29')).toBe(false);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2025, 12)).toBe(31);
  });
});

describe('date arithmetic', () => {
  it('adds days across months, years and DST changes', () => {
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-03-07', 2)).toBe('2026-03-09');
    expect(addDays('2026-10-31', 2)).toBe('2026-11-02');
    expect(addDays('2026-01-01', 365)).toBe('2027-01-01');
  });

  it('gives the weekday', () => {
    expect(dayOfWeek('2026-01-01')).toBe(4); // Thursday
    expect(dayOfWeek('2024-01-19')).toBe(5); // Friday
    expect(dayOfWeek('2026-03-08')).toBe(0); // Sunday
  });

  it('formats with zero padding and does not remap years below 100', () => {
    expect(formatIsoDate({ year: 2026, month: 3, day: 8 })).toBe('2026-03-08');
    expect(new Date(utcMidnight(50, 1, 1)).getUTCFullYear()).toBe(50);
  });
});
