import { type SQL, sql } from 'drizzle-orm';
import { addDays, parseIsoDate, utcMidnight } from '../../domain/civil-date';
import { easternDate, easternDayBounds } from '../../domain/market-calendar';
import { AppError } from '../../errors';

const DAY_MS = 86_400_000;

/** Days between two ISO dates (to − from). */
function daysBetween(from: string, to: string): number {
  const a = parseIsoDate(from);
  const b = parseIsoDate(to);
  return (utcMidnight(b.year, b.month, b.day) - utcMidnight(a.year, a.month, a.day)) / DAY_MS;
}

/**
 * An Eastern date range from a query: both ends inclusive; `to` defaults to today in New York,
 * `from` to `defaultDays` − 1 days before it. A range running backwards, or longer than
 * `maxDays`, is refused naming the field at fault.
 */
export function dateRange(
  query: { from?: string; to?: string },
  now: Date,
  limits: { defaultDays: number; maxDays: number },
): { from: string; to: string } {
  const to = query.to ?? easternDate(now);
  const from = query.from ?? addDays(to, -(limits.defaultDays - 1));
  assertOrdered({ from, to });
  if (daysBetween(from, to) >= limits.maxDays) {
    throw new AppError('VALIDATION', `from: the range may cover at most ${limits.maxDays} days`, {
      field: 'from',
    });
  }
  return { from, to };
}

/** Refuses a range whose `from` comes after its `to` (either may be absent). */
export function assertOrdered(range: { from?: string; to?: string }): void {
  if (range.from && range.to && daysBetween(range.from, range.to) < 0) {
    throw new AppError('VALIDATION', 'from: must be on or before to', { field: 'from' });
  }
}

/**
 * Conditions keeping rows whose close time (`column`, UTC wall clock) falls on the Eastern days
 * from … to, inclusive: the days become instants, so the condition is a range on the indexed
 * close time.
 */
export function closedOnDays(column: SQL, range: { from?: string; to?: string }): SQL[] {
  assertOrdered(range);
  const conditions: SQL[] = [];
  if (range.from) {
    const start = easternDayBounds(range.from).start.toISOString();
    conditions.push(sql`${column} >= ${start}::timestamptz AT TIME ZONE 'UTC'`);
  }
  if (range.to) {
    const end = easternDayBounds(range.to).end.toISOString();
    conditions.push(sql`${column} < ${end}::timestamptz AT TIME ZONE 'UTC'`);
  }
  return conditions;
}
