/**
 * Every figure the app shows goes through here: money with its sign, currency and two decimals
 * (`+$1,250.00`, `−$85.50`), option prices per share as quoted (`2.45`), percentages with one
 * decimal, quantities, and times (relative within the hour, local after; the market's own
 * US/Eastern time where a rule depends on it).
 */
import { parseUnits } from './decimal';

const MINUS = '\u2212';
export const MARKET_TIME_ZONE = 'America/New_York';

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const signedUsd = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  signDisplay: 'exceptZero',
});
const perShare = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 });
const signedPercent = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
  signDisplay: 'exceptZero',
});
const wholeNumber = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** The typographic minus: a hyphen is easy to miss in front of a figure. */
const withMinus = (text: string) => text.replace('-', MINUS);

function toNumber(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  const number = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(number) ? number : null;
}

/** `$1,250.00`; a dash for no value. Money strings are exact to the cent, so a number suffices. */
export function money(value: string | number | null | undefined): string {
  const number = toNumber(value);
  return number === null ? '—' : withMinus(usd.format(number));
}

/** `+$1,250.00` / `−$85.50` / `$0.00`: profit and loss always carry their sign. */
export function signedMoney(value: string | number | null | undefined): string {
  const number = toNumber(value);
  return number === null ? '—' : withMinus(signedUsd.format(number));
}

/** An option price per share as the market quotes it: `2.45`. */
export function price(value: string | number | null | undefined): string {
  const number = toNumber(value);
  return number === null ? '—' : withMinus(perShare.format(number));
}

/** `+12.5%` / `−3.0%`. */
export function signedPercentage(value: string | number | null | undefined): string {
  const number = toNumber(value);
  return number === null ? '—' : `${withMinus(signedPercent.format(number))}%`;
}

/** A fraction (a number, or the API's decimal text) as a percentage with one decimal: 0.3512 → `35.1%`. */
export function ratioPercent(value: string | number | null | undefined): string {
  const number = toNumber(value);
  return number === null ? '—' : `${(number * 100).toFixed(1)}%`;
}

export function quantity(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : wholeNumber.format(value);
}

export type Direction = 'gain' | 'loss' | 'flat';

/** Whether a signed amount is a gain, a loss or neither, read from the exact decimal. */
export function directionOf(value: string | number | null | undefined): Direction {
  const units = parseUnits(value === null || value === undefined ? null : String(value));
  if (units === null || units === 0n) return 'flat';
  return units > 0n ? 'gain' : 'loss';
}

// ---- Contracts -------------------------------------------------------------------------------

const dateOnly = new Intl.DateTimeFormat('en-US', {
  month: 'short',
  day: 'numeric',
  year: 'numeric',
  timeZone: 'UTC',
});

/** A calendar date (`2026-12-18`) as `Dec 18, 2026`, the same in every time zone. */
export function calendarDate(date: string): string {
  return dateOnly.format(new Date(`${date}T00:00:00Z`));
}

/** `AAPL Dec 18, 2026 150 call`: a contract in words. */
export function contractName(contract: {
  underlying: string;
  expiration: string;
  strike: string;
  optionType: string;
}): string {
  return `${contract.underlying} ${calendarDate(contract.expiration)} ${price(contract.strike).replace(/\.00$/, '')} ${contract.optionType}`;
}

// ---- Times -----------------------------------------------------------------------------------

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const localDateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const easternClock = new Intl.DateTimeFormat('en-US', {
  timeZone: MARKET_TIME_ZONE,
  hour: 'numeric',
  minute: '2-digit',
});
const easternDateTime = new Intl.DateTimeFormat('en-US', {
  timeZone: MARKET_TIME_ZONE,
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
});

/** "just now", "2 min ago" within the last hour; the local date and time after. */
export function relativeTime(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '—';
  const at = new Date(iso).getTime();
  if (Number.isNaN(at)) return '—';
  const age = now - at;
  if (age >= 0 && age < MINUTE_MS) return 'just now';
  if (age >= 0 && age < HOUR_MS) return `${Math.floor(age / MINUTE_MS)} min ago`;
  return localDateTime.format(at);
}

export function localTime(iso: string | null | undefined): string {
  return iso ? localDateTime.format(new Date(iso)) : '—';
}

/** `4:00 PM ET`: the market's clock, for rules that follow it. */
export function easternTime(iso: string): string {
  return `${easternClock.format(new Date(iso))} ET`;
}

/** `Dec 18, 4:00 PM ET`. */
export function easternMoment(iso: string): string {
  return `${easternDateTime.format(new Date(iso))} ET`;
}

/** Whole days from now until an instant, never below 0. */
export function daysUntil(iso: string, now: number = Date.now()): number {
  return Math.max(0, Math.ceil((new Date(iso).getTime() - now) / (24 * HOUR_MS)));
}

/** `14:05` (minutes:seconds) until an instant, or null once it has passed. */
export function countdown(iso: string, now: number): string | null {
  const left = new Date(iso).getTime() - now;
  if (left <= 0) return null;
  const seconds = Math.floor(left / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
