/**
 * The US options market calendar (NYSE rules) in US/Eastern time.
 *
 * Everything is computed from rules; the only table is of unscheduled closures the exchange
 * announced (days of mourning, storms), which no rule can predict. Time zone conversion uses
 * `Intl.DateTimeFormat` with the IANA zone, so daylight saving dates come from the runtime's
 * time zone data rather than from code here.
 *
 * Dates are 'YYYY-MM-DD' strings naming an Eastern calendar day; instants are `Date`s. No
 * function reads the clock: callers pass `now`.
 *
 * The rules are today's (Juneteenth from 2022, Martin Luther King Jr. Day as observed since
 * 1998); earlier years are not modelled beyond that, which a product trading from now on does
 * not need.
 */
import {
  addDays,
  dayOfWeek,
  daysInMonth,
  formatIsoDate,
  type IsoDate,
  parseIsoDate,
  utcMidnight,
} from './civil-date';
import { assertWholeNumber, DomainValidationError } from './errors';

export const MARKET_TIME_ZONE = 'America/New_York';

/** Regular close of US equity options, and the close on early-close days. */
const REGULAR_CLOSE_HOUR = 16;
const EARLY_CLOSE_HOUR = 13;

const MINUTE_MS = 60_000;

const SUNDAY = 0;
const MONDAY = 1;
const THURSDAY = 4;
const SATURDAY = 6;

// One formatter, built once: constructing Intl formatters is comparatively expensive.
// hourCycle h23 keeps midnight as 00 (some ICU versions print 24 with `hour12: false`).
const easternFormatter = new Intl.DateTimeFormat('en-US', {
  timeZone: MARKET_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function assertValidInstant(instant: Date, field: string): void {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) {
    throw new DomainValidationError(field, `${field} must be a valid Date`);
  }
}

function easternWallClock(instant: Date): WallClock {
  assertValidInstant(instant, 'instant');
  const values: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
  for (const part of easternFormatter.formatToParts(instant)) {
    if (part.type !== 'literal') values[part.type] = Number(part.value);
  }
  return {
    year: values.year ?? 0,
    month: values.month ?? 0,
    day: values.day ?? 0,
    hour: (values.hour ?? 0) % 24,
    minute: values.minute ?? 0,
    second: values.second ?? 0,
  };
}

/** Eastern wall clock minus UTC at `instant`, in ms: −5 h in winter, −4 h in summer. */
function easternOffsetMs(instant: Date): number {
  const wall = easternWallClock(instant);
  const wallAsUtc =
    utcMidnight(wall.year, wall.month, wall.day) + ((wall.hour * 60 + wall.minute) * 60 + wall.second) * 1000;
  const wholeSeconds = Math.floor(instant.getTime() / 1000) * 1000;
  return wallAsUtc - wholeSeconds;
}

/** The Eastern calendar date at an instant: 2026-11-25T04:59:59Z is still '2026-11-24'. */
export function easternDate(instant: Date): IsoDate {
  const { year, month, day } = easternWallClock(instant);
  return formatIsoDate({ year, month, day });
}

/**
 * The instant at which Eastern wall clocks show `hour:minute` on `date`.
 *
 * Guess with the offset found at the wall time read as UTC, then correct once with the offset at
 * the guess; that settles within a day of any transition. Transitions happen at 02:00 local, so
 * the times this module asks for (midnight, 13:00, 16:00) always exist exactly once.
 */
export function easternInstant(date: IsoDate, hour: number, minute = 0): Date {
  const { year, month, day } = parseIsoDate(date);
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) {
    throw new DomainValidationError('hour', `hour must be a whole number 0–23, got ${hour}`);
  }
  if (!Number.isInteger(minute) || minute < 0 || minute > 59) {
    throw new DomainValidationError('minute', `minute must be a whole number 0–59, got ${minute}`);
  }
  const wallAsUtc = utcMidnight(year, month, day) + (hour * 60 + minute) * MINUTE_MS;
  const firstOffset = easternOffsetMs(new Date(wallAsUtc));
  const guess = wallAsUtc - firstOffset;
  const secondOffset = easternOffsetMs(new Date(guess));
  return new Date(secondOffset === firstOffset ? guess : wallAsUtc - secondOffset);
}

/**
 * The instants bounding an Eastern calendar day: [start, end), midnight to next midnight. The
 * day lasts 23 hours when clocks spring forward and 25 when they fall back. Daily limits
 * (copied openings per day) count within these bounds.
 */
export function easternDayBounds(date: IsoDate): { start: Date; end: Date } {
  return { start: easternInstant(date, 0), end: easternInstant(addDays(date, 1), 0) };
}

// ---- Holidays --------------------------------------------------------------------------------

export interface MarketHoliday {
  /** The day the market is closed (the observed date). */
  date: IsoDate;
  name: string;
}

/**
 * Closures the exchange announced outside its rules. Add new ones here when NYSE announces them.
 */
const UNSCHEDULED_CLOSURES: readonly MarketHoliday[] = [
  { date: '2004-06-11', name: 'National Day of Mourning (Ronald Reagan)' },
  { date: '2007-01-02', name: 'National Day of Mourning (Gerald Ford)' },
  { date: '2012-10-29', name: 'Hurricane Sandy' },
  { date: '2012-10-30', name: 'Hurricane Sandy' },
  { date: '2018-12-05', name: 'National Day of Mourning (George H. W. Bush)' },
  { date: '2025-01-09', name: 'National Day of Mourning (Jimmy Carter)' },
];

/** The `n`th given weekday of a month (n = 1 for the first). */
function nthWeekday(year: number, month: number, weekday: number, n: number): IsoDate {
  const first = formatIsoDate({ year, month, day: 1 });
  const shift = (weekday - dayOfWeek(first) + 7) % 7;
  return addDays(first, shift + (n - 1) * 7);
}

function lastWeekday(year: number, month: number, weekday: number): IsoDate {
  const lastOfMonth = formatIsoDate({ year, month, day: daysInMonth(year, month) });
  const shift = (dayOfWeek(lastOfMonth) - weekday + 7) % 7;
  return addDays(lastOfMonth, -shift);
}

/** Easter Sunday (Gregorian), by the anonymous algorithm (Meeus/Jones/Butcher). */
export function easterSunday(year: number): IsoDate {
  assertWholeNumber(year, 'year', 1583);
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return formatIsoDate({ year, month, day });
}

/** Saturday holidays are observed the Friday before, Sunday holidays the Monday after. */
function observed(date: IsoDate): IsoDate {
  const weekday = dayOfWeek(date);
  if (weekday === SATURDAY) return addDays(date, -1);
  if (weekday === SUNDAY) return addDays(date, 1);
  return date;
}

function computeHolidays(year: number): MarketHoliday[] {
  const on = (month: number, day: number): IsoDate => formatIsoDate({ year, month, day });
  const list: MarketHoliday[] = [];

  // New Year's Day on a Saturday is not observed on Friday 31 December: NYSE keeps the last
  // trading day of the year open (rule 7.2), so that year simply has no New Year's closure.
  const newYear = on(1, 1);
  if (dayOfWeek(newYear) !== SATURDAY) list.push({ date: observed(newYear), name: "New Year's Day" });
  list.push({ date: nthWeekday(year, 1, MONDAY, 3), name: 'Martin Luther King Jr. Day' });
  list.push({ date: nthWeekday(year, 2, MONDAY, 3), name: "Washington's Birthday" });
  list.push({ date: addDays(easterSunday(year), -2), name: 'Good Friday' });
  list.push({ date: lastWeekday(year, 5, MONDAY), name: 'Memorial Day' });
  // Juneteenth became a market holiday in 2022.
  if (year >= 2022) list.push({ date: observed(on(6, 19)), name: 'Juneteenth National Independence Day' });
  list.push({ date: observed(on(7, 4)), name: 'Independence Day' });
  list.push({ date: nthWeekday(year, 9, MONDAY, 1), name: 'Labor Day' });
  list.push({ date: nthWeekday(year, 11, THURSDAY, 4), name: 'Thanksgiving Day' });
  list.push({ date: observed(on(12, 25)), name: 'Christmas Day' });
  for (const closure of UNSCHEDULED_CLOSURES) {
    if (closure.date.startsWith(`${String(year).padStart(4, '0')}-`)) list.push(closure);
  }
  return list.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

// Holidays depend only on the year, so computing them once per year is safe.
const holidayCache = new Map<number, ReadonlyMap<IsoDate, string>>();

function holidayMap(year: number): ReadonlyMap<IsoDate, string> {
  let map = holidayCache.get(year);
  if (!map) {
    map = new Map(computeHolidays(year).map((holiday) => [holiday.date, holiday.name]));
    holidayCache.set(year, map);
  }
  return map;
}

/** The days in `year` on which the market is closed for a holiday, in date order. */
export function holidays(year: number): MarketHoliday[] {
  assertWholeNumber(year, 'year', 1583);
  return [...holidayMap(year)].map(([date, name]) => ({ date, name }));
}

/** The holiday closing the market on `date`, if any. */
export function holidayOn(date: IsoDate): string | null {
  return holidayMap(parseIsoDate(date).year).get(date) ?? null;
}

export function isTradingDay(date: IsoDate): boolean {
  const weekday = dayOfWeek(date);
  return weekday !== SATURDAY && weekday !== SUNDAY && holidayOn(date) === null;
}

/**
 * Early closes at 13:00: July 3 and December 24 when they are trading days, and the day after
 * Thanksgiving. When July 4 falls on a Saturday, July 3 is the holiday itself and there is no
 * early close that week.
 */
export function isEarlyClose(date: IsoDate): boolean {
  if (!isTradingDay(date)) return false;
  const { year } = parseIsoDate(date);
  const monthDay = date.slice(5);
  if (monthDay === '07-03' || monthDay === '12-24') return true;
  return date === addDays(nthWeekday(year, 11, THURSDAY, 4), 1);
}

/** The close of trading on `date` (16:00 or 13:00 Eastern) as an instant; null if closed all day. */
export function marketClose(date: IsoDate): Date | null {
  let close = closeCache.get(date);
  if (close === undefined) {
    close = isTradingDay(date)
      ? easternInstant(date, isEarlyClose(date) ? EARLY_CLOSE_HOUR : REGULAR_CLOSE_HOUR).getTime()
      : null;
    // A calendar fact, worked out once: the Eastern offset costs an Intl call (tens of µs), and
    // every placement asks for its contract's close (expiry, Day orders).
    if (closeCache.size >= CLOSE_CACHE_LIMIT) closeCache.clear();
    closeCache.set(date, close);
  }
  return close === null ? null : new Date(close);
}

const CLOSE_CACHE_LIMIT = 10_000;
const closeCache = new Map<IsoDate, number | null>();

/**
 * Whether the trading on `date` is over at `instant`. On a day without trading there is nothing
 * to wait for: it counts as "after close" from that day's Eastern midnight on.
 */
export function isAfterClose(date: IsoDate, instant: Date): boolean {
  assertValidInstant(instant, 'instant');
  const close = marketClose(date) ?? easternDayBounds(date).start;
  return instant.getTime() >= close.getTime();
}

// Ten days always reach a trading day: the longest run of closed days is a long weekend plus a
// holiday or two, far shorter. The bound turns a rule bug into an error rather than a hang.
const MAX_SEARCH_DAYS = 10;

function stepToTradingDay(date: IsoDate, step: 1 | -1): IsoDate {
  let candidate = date;
  for (let i = 0; i < MAX_SEARCH_DAYS; i++) {
    candidate = addDays(candidate, step);
    if (isTradingDay(candidate)) return candidate;
  }
  throw new Error(`no trading day within ${MAX_SEARCH_DAYS} days of ${date}`);
}

/** The first trading day strictly after `date`. */
export function nextTradingDay(date: IsoDate): IsoDate {
  return stepToTradingDay(date, 1);
}

/** The last trading day strictly before `date`. */
export function previousTradingDay(date: IsoDate): IsoDate {
  return stepToTradingDay(date, -1);
}

/**
 * When an option expiring on `expiration` stops trading: the close of that day, or, when the
 * market is closed that day (an expiration on a holiday), the close of the trading day before.
 */
export function expiryInstant(expiration: IsoDate): Date {
  const tradingDay = isTradingDay(expiration) ? expiration : previousTradingDay(expiration);
  const close = marketClose(tradingDay);
  if (close === null) throw new Error(`no market close on trading day ${tradingDay}`);
  return close;
}

export function hasExpired(expiration: IsoDate, now: Date): boolean {
  assertValidInstant(now, 'now');
  return now.getTime() >= expiryInstant(expiration).getTime();
}
