import { describe, expect, it } from 'vitest';
import { addDays, dayOfWeek } from '../../src/domain/civil-date';
import { DomainValidationError } from '../../src/domain/errors';
import {
  easternDate,
  easternDayBounds,
  easternInstant,
  easterSunday,
  expiryInstant,
  hasExpired,
  holidayOn,
  holidays,
  isAfterClose,
  isEarlyClose,
  isTradingDay,
  marketClose,
  nextTradingDay,
  previousTradingDay,
} from '../../src/domain/market-calendar';

const at = (iso: string) => new Date(iso);
const iso = (date: Date | null) => date?.toISOString() ?? null;
const HOUR_MS = 3_600_000;

describe('easternDate()', () => {
  it.each([
    ['2026-11-25T04:59:59Z', '2026-11-24'], // 23:59:59 EST
    ['2026-11-25T04:59:59.999Z', '2026-11-24'],
    ['2026-11-25T05:00:00.000Z', '2026-11-25'], // midnight EST
    ['2026-07-01T03:59:59Z', '2026-06-30'], // 23:59:59 EDT
    ['2026-07-01T04:00:00Z', '2026-07-01'], // midnight EDT
    ['2026-01-01T04:59:59Z', '2025-12-31'],
    ['2026-03-08T06:59:59Z', '2026-03-08'], // 01:59:59 EST, just before the spring change
    ['2026-03-08T07:00:00Z', '2026-03-08'], // 03:00 EDT
    ['2026-11-01T05:30:00Z', '2026-11-01'], // 01:30 EDT, the first of two
    ['2026-11-01T06:30:00Z', '2026-11-01'], // 01:30 EST, the second
  ])('%s is %s in New York', (instant, date) => {
    expect(easternDate(at(instant))).toBe(date);
  });

  it('refuses an invalid Date', () => {
    expect(() => easternDate(new Date(Number.NaN))).toThrow(DomainValidationError);
  });
});

describe('easternDayBounds()', () => {
  it('a winter day is 24 hours from 05:00Z', () => {
    const { start, end } = easternDayBounds('2026-11-25');
    expect(iso(start)).toBe('2026-11-25T05:00:00.000Z');
    expect(iso(end)).toBe('2026-11-26T05:00:00.000Z');
  });

  it('a summer day is 24 hours from 04:00Z', () => {
    const { start, end } = easternDayBounds('2026-07-01');
    expect(iso(start)).toBe('2026-07-01T04:00:00.000Z');
    expect(iso(end)).toBe('2026-07-02T04:00:00.000Z');
  });

  it('the day clocks spring forward (2026-03-08) lasts 23 hours', () => {
    const { start, end } = easternDayBounds('2026-03-08');
    expect(iso(start)).toBe('2026-03-08T05:00:00.000Z');
    expect(iso(end)).toBe('2026-03-09T04:00:00.000Z');
    expect(end.getTime() - start.getTime()).toBe(23 * HOUR_MS);
  });

  it('the day clocks fall back (2026-11-01) lasts 25 hours', () => {
    const { start, end } = easternDayBounds('2026-11-01');
    expect(iso(start)).toBe('2026-11-01T04:00:00.000Z');
    expect(iso(end)).toBe('2026-11-02T05:00:00.000Z');
    expect(end.getTime() - start.getTime()).toBe(25 * HOUR_MS);
  });

  it('every instant of the day maps back to the day, and the end to the next', () => {
    for (const date of ['2026-03-08', '2026-11-01', '2026-06-15', '2025-12-31']) {
      const { start, end } = easternDayBounds(date);
      expect(easternDate(start)).toBe(date);
      expect(easternDate(new Date(end.getTime() - 1))).toBe(date);
      expect(easternDate(end)).toBe(addDays(date, 1));
    }
  });

  it('days tile the timeline without gaps over a whole year', () => {
    let date = '2026-01-01';
    let previousEnd = easternDayBounds(date).start;
    while (date < '2027-01-01') {
      const { start, end } = easternDayBounds(date);
      expect(start.getTime()).toBe(previousEnd.getTime());
      previousEnd = end;
      date = addDays(date, 1);
    }
  });

  it('refuses a date that does not exist', () => {
    expect(() => easternDayBounds('2026-02-30')).toThrow(DomainValidationError);
  });
});

describe('easternInstant()', () => {
  it('converts wall-clock times on both sides of each change', () => {
    expect(iso(easternInstant('2026-03-07', 16))).toBe('2026-03-07T21:00:00.000Z');
    expect(iso(easternInstant('2026-03-08', 12))).toBe('2026-03-08T16:00:00.000Z');
    expect(iso(easternInstant('2026-10-31', 16))).toBe('2026-10-31T20:00:00.000Z');
    expect(iso(easternInstant('2026-11-01', 9, 30))).toBe('2026-11-01T14:30:00.000Z');
  });

  it('refuses hours and minutes off the clock', () => {
    expect(() => easternInstant('2026-01-02', 24)).toThrow(DomainValidationError);
    expect(() => easternInstant('2026-01-02', 9, 60)).toThrow(DomainValidationError);
    expect(() => easternInstant('2026-01-02', 9.5)).toThrow(DomainValidationError);
  });
});

describe('holidays()', () => {
  it('lists the 2026 NYSE holidays', () => {
    expect(holidays(2026).map((h) => h.date)).toEqual([
      '2026-01-01',
      '2026-01-19',
      '2026-02-16',
      '2026-04-03',
      '2026-05-25',
      '2026-06-19',
      '2026-07-03', // July 4 is a Saturday
      '2026-09-07',
      '2026-11-26',
      '2026-12-25',
    ]);
  });

  it('lists the 2025 NYSE holidays, including the announced day of mourning', () => {
    expect(holidays(2025)).toEqual([
      { date: '2025-01-01', name: "New Year's Day" },
      { date: '2025-01-09', name: 'National Day of Mourning (Jimmy Carter)' },
      { date: '2025-01-20', name: 'Martin Luther King Jr. Day' },
      { date: '2025-02-17', name: "Washington's Birthday" },
      { date: '2025-04-18', name: 'Good Friday' },
      { date: '2025-05-26', name: 'Memorial Day' },
      { date: '2025-06-19', name: 'Juneteenth National Independence Day' },
      { date: '2025-07-04', name: 'Independence Day' },
      { date: '2025-09-01', name: 'Labor Day' },
      { date: '2025-11-27', name: 'Thanksgiving Day' },
      { date: '2025-12-25', name: 'Christmas Day' },
    ]);
  });

  it('observes Saturday holidays on Friday and Sunday holidays on Monday', () => {
    const dates2027 = holidays(2027).map((h) => h.date);
    expect(dates2027).toContain('2027-06-18'); // Juneteenth, Saturday
    expect(dates2027).toContain('2027-07-05'); // Independence Day, Sunday
    expect(dates2027).toContain('2027-12-24'); // Christmas, Saturday
    expect(dates2027).toContain('2027-03-26'); // Good Friday
    expect(holidays(2022).map((h) => h.date)).toEqual(expect.arrayContaining(['2022-06-20', '2022-12-26']));
    expect(holidays(2023)[0]?.date).toBe('2023-01-02'); // New Year's Day, Sunday
  });

  it('does not close on Friday 31 December for a Saturday New Year (rule 7.2)', () => {
    expect(holidays(2022)[0]).toEqual({ date: '2022-01-17', name: 'Martin Luther King Jr. Day' });
    expect(isTradingDay('2021-12-31')).toBe(true);
    expect(holidays(2021).map((h) => h.date)).not.toContain('2021-12-31');
    expect(isTradingDay('2027-12-31')).toBe(true); // 2028-01-01 is a Saturday
  });

  it('has Juneteenth only from 2022', () => {
    expect(holidays(2021).some((h) => h.name.startsWith('Juneteenth'))).toBe(false);
    expect(holidays(2022).some((h) => h.name.startsWith('Juneteenth'))).toBe(true);
  });

  it('only ever closes weekdays, 9–12 times a year, leaving 249–253 trading days', () => {
    for (let year = 2022; year <= 2050; year++) {
      const list = holidays(year);
      expect(list.length).toBeGreaterThanOrEqual(9);
      expect(list.length).toBeLessThanOrEqual(12);
      for (const { date } of list) expect([1, 2, 3, 4, 5]).toContain(dayOfWeek(date));
      let tradingDays = 0;
      for (let date = `${year}-01-01`; date.startsWith(String(year)); date = addDays(date, 1)) {
        if (isTradingDay(date)) tradingDays++;
      }
      expect(tradingDays).toBeGreaterThanOrEqual(249);
      expect(tradingDays).toBeLessThanOrEqual(253);
    }
  });

  it('counts 250 trading days in 2025 and 251 in 2026', () => {
    const count = (year: number) => {
      let n = 0;
      for (let date = `${year}-01-01`; date.startsWith(String(year)); date = addDays(date, 1)) {
        if (isTradingDay(date)) n++;
      }
      return n;
    };
    expect(count(2025)).toBe(250);
    expect(count(2026)).toBe(251);
  });

  it('names the holiday on a date', () => {
    expect(holidayOn('2026-12-25')).toBe('Christmas Day');
    expect(holidayOn('2026-07-03')).toBe('Independence Day');
    expect(holidayOn('2026-07-06')).toBeNull();
  });

  it('refuses a non-integer year', () => {
    expect(() => holidays(2026.5)).toThrow(DomainValidationError);
  });
});

describe('easterSunday()', () => {
  it.each([
    [2000, '2000-04-23'],
    [2019, '2019-04-21'],
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2038, '2038-04-25'],
    [2285, '2285-03-22'],
  ])('%d → %s', (year, date) => {
    expect(easterSunday(year)).toBe(date);
  });
});

describe('isTradingDay()', () => {
  it.each([
    ['2026-01-02', true],
    ['2026-01-03', false], // Saturday
    ['2026-01-04', false], // Sunday
    ['2026-01-19', false], // MLK Day
    ['2026-04-03', false], // Good Friday
    ['2026-04-06', true],
    ['2026-07-03', false],
    ['2026-11-27', true], // early close, still a trading day
    ['2025-01-09', false],
  ])('%s → %s', (date, expected) => {
    expect(isTradingDay(date)).toBe(expected);
  });
});

describe('early closes and marketClose()', () => {
  it.each([
    ['2026-11-27', '2026-11-27T18:00:00.000Z'], // day after Thanksgiving, 13:00 EST
    ['2026-12-24', '2026-12-24T18:00:00.000Z'],
    ['2025-07-03', '2025-07-03T17:00:00.000Z'], // 13:00 EDT
    ['2025-11-28', '2025-11-28T18:00:00.000Z'],
    ['2025-12-24', '2025-12-24T18:00:00.000Z'],
    ['2023-07-03', '2023-07-03T17:00:00.000Z'], // a Monday
  ])('%s closes early at %s', (date, close) => {
    expect(isEarlyClose(date)).toBe(true);
    expect(iso(marketClose(date))).toBe(close);
  });

  it('has no early close when July 3 or December 24 is itself a holiday or a weekend', () => {
    expect(isEarlyClose('2026-07-03')).toBe(false); // the observed holiday
    expect(isEarlyClose('2026-07-02')).toBe(false);
    expect(isEarlyClose('2021-12-24')).toBe(false); // Christmas observed
    expect(isEarlyClose('2022-12-23')).toBe(false); // December 24 a Saturday
    expect(isEarlyClose('2027-12-24')).toBe(false);
  });

  it.each([
    ['2026-01-15', '2026-01-15T21:00:00.000Z'], // winter: 16:00 EST
    ['2026-07-15', '2026-07-15T20:00:00.000Z'], // summer: 16:00 EDT
    ['2026-03-06', '2026-03-06T21:00:00.000Z'], // Friday before spring forward
    ['2026-03-09', '2026-03-09T20:00:00.000Z'], // Monday after
    ['2026-10-30', '2026-10-30T20:00:00.000Z'], // Friday before fall back
    ['2026-11-02', '2026-11-02T21:00:00.000Z'], // Monday after
  ])('%s closes at %s', (date, close) => {
    expect(isEarlyClose(date)).toBe(false);
    expect(iso(marketClose(date))).toBe(close);
  });

  it('is null on days without trading', () => {
    expect(marketClose('2026-12-25')).toBeNull();
    expect(marketClose('2026-03-08')).toBeNull();
  });
});

describe('isAfterClose()', () => {
  it('turns at the close, early or regular', () => {
    expect(isAfterClose('2026-11-27', at('2026-11-27T17:59:59.999Z'))).toBe(false);
    expect(isAfterClose('2026-11-27', at('2026-11-27T18:00:00Z'))).toBe(true);
    expect(isAfterClose('2026-07-15', at('2026-07-15T19:59:59Z'))).toBe(false);
    expect(isAfterClose('2026-07-15', at('2026-07-15T20:00:00Z'))).toBe(true);
    expect(isAfterClose('2026-07-15', at('2026-07-14T23:00:00Z'))).toBe(false);
  });

  it('on a day without trading, is true from that day’s Eastern midnight', () => {
    expect(isAfterClose('2026-07-04', at('2026-07-04T03:59:59Z'))).toBe(false);
    expect(isAfterClose('2026-07-04', at('2026-07-04T04:00:00Z'))).toBe(true);
  });
});

describe('nextTradingDay() / previousTradingDay()', () => {
  it.each([
    ['2026-04-02', '2026-04-06'], // over Good Friday and the weekend
    ['2025-12-31', '2026-01-02'],
    ['2026-07-02', '2026-07-06'],
    ['2026-01-16', '2026-01-20'], // over MLK Day
    ['2026-03-07', '2026-03-09'], // from a Saturday
    ['2026-06-15', '2026-06-16'],
  ])('after %s comes %s', (date, next) => {
    expect(nextTradingDay(date)).toBe(next);
  });

  it.each([
    ['2026-04-06', '2026-04-02'],
    ['2026-01-02', '2025-12-31'],
    ['2026-01-20', '2026-01-16'],
    ['2026-07-06', '2026-07-02'],
    ['2026-06-16', '2026-06-15'],
  ])('before %s comes %s', (date, previous) => {
    expect(previousTradingDay(date)).toBe(previous);
  });
});

describe('expiryInstant() / hasExpired()', () => {
  it('is the close of the expiration day', () => {
    expect(iso(expiryInstant('2026-01-16'))).toBe('2026-01-16T21:00:00.000Z');
    expect(iso(expiryInstant('2026-06-18'))).toBe('2026-06-18T20:00:00.000Z');
    expect(iso(expiryInstant('2026-11-27'))).toBe('2026-11-27T18:00:00.000Z');
  });

  it('is the previous close when the expiration falls on a holiday or weekend', () => {
    expect(iso(expiryInstant('2026-04-03'))).toBe('2026-04-02T20:00:00.000Z'); // Good Friday
    expect(iso(expiryInstant('2026-06-19'))).toBe('2026-06-18T20:00:00.000Z'); // Juneteenth
    expect(iso(expiryInstant('2026-07-04'))).toBe('2026-07-02T20:00:00.000Z'); // Saturday after a holiday
  });

  it('has expired from the expiry instant on, not a millisecond before', () => {
    expect(hasExpired('2026-01-16', at('2026-01-16T20:59:59.999Z'))).toBe(false);
    expect(hasExpired('2026-01-16', at('2026-01-16T21:00:00Z'))).toBe(true);
    expect(hasExpired('2026-04-03', at('2026-04-02T20:00:00Z'))).toBe(true);
    expect(hasExpired('2026-04-03', at('2026-04-02T19:59:59Z'))).toBe(false);
  });

  it('refuses an invalid now', () => {
    expect(() => hasExpired('2026-01-16', new Date('nonsense'))).toThrow(DomainValidationError);
  });
});
