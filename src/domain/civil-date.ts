/**
 * Calendar dates without a time or zone ('YYYY-MM-DD'), the form PostgreSQL `date` columns and
 * option expirations use. Arithmetic runs on UTC midnights, where every day has 24 hours, so
 * adding days never trips over daylight saving time.
 */
import { DomainValidationError } from './errors';

/** A calendar date written 'YYYY-MM-DD'. */
export type IsoDate = string;

export interface CivilDate {
  year: number;
  /** 1–12 */
  month: number;
  /** 1–31 */
  day: number;
}

const ISO_DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Milliseconds since the epoch of UTC midnight on the given date (month may overflow). */
export function utcMidnight(year: number, month: number, day: number): number {
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 onto 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime();
}

function fromUtcMs(ms: number): CivilDate {
  const date = new Date(ms);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

export function daysInMonth(year: number, month: number): number {
  return fromUtcMs(utcMidnight(year, month + 1, 0)).day;
}

/** Parses 'YYYY-MM-DD', refusing dates that do not exist (2026-02-30). */
export function parseIsoDate(value: string, field = 'date'): CivilDate {
  const match = ISO_DATE_PATTERN.exec(value);
  if (!match)
    throw new DomainValidationError(field, `${field} must be a date written YYYY-MM-DD, got '${value}'`);
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new DomainValidationError(field, `${field} is not a real calendar date: '${value}'`);
  }
  return { year, month, day };
}

export function isIsoDate(value: string): boolean {
  const match = ISO_DATE_PATTERN.exec(value);
  if (!match) return false;
  const month = Number(match[2]);
  const day = Number(match[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(Number(match[1]), month);
}

export function formatIsoDate({ year, month, day }: CivilDate): IsoDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function addDays(date: IsoDate, days: number): IsoDate {
  const { year, month, day } = parseIsoDate(date);
  return formatIsoDate(fromUtcMs(utcMidnight(year, month, day) + days * DAY_MS));
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: IsoDate): number {
  const { year, month, day } = parseIsoDate(date);
  return new Date(utcMidnight(year, month, day)).getUTCDay();
}
