/**
 * The shape of a listed option chain, by the exchanges' usual rules: which expirations exist
 * and which strikes are listed around a price. Pure: callers pass the day and the price.
 */
import { addDays, dayOfWeek, type IsoDate, parseIsoDate } from './civil-date';
import { isTradingDay, previousTradingDay } from './market-calendar';

const FRIDAY = 5;
/** Weekly expirations listed ahead (this week's included while it has not expired). */
const WEEKLIES = 6;
/** Standard monthly expirations (third Friday) listed ahead. */
const MONTHLIES = 9;
/** January expirations listed ahead beyond the monthlies (LEAPS). */
const LEAPS_YEARS = 2;

/** An expiration set on a Friday the market is closed moves to the trading day before. */
function listedOn(friday: IsoDate): IsoDate {
  return isTradingDay(friday) ? friday : previousTradingDay(friday);
}

function thirdFriday(year: number, month: number): IsoDate {
  const first = `${year}-${String(month).padStart(2, '0')}-01`;
  const toFriday = (FRIDAY - dayOfWeek(first) + 7) % 7;
  return addDays(first, toFriday + 14);
}

/**
 * The standard expirations from `today` (an Eastern date) on: the next six weekly Fridays, the
 * next nine monthly third Fridays and the January expirations of the next two years, each moved
 * to the trading day before when its Friday is a holiday; sorted, without duplicates. Whether
 * today's has already expired (after the close) is for the caller to decide with the clock.
 */
export function standardExpirations(today: IsoDate): IsoDate[] {
  const dates = new Set<IsoDate>();
  const thisFriday = addDays(today, (FRIDAY - dayOfWeek(today) + 7) % 7);
  for (let week = 0; week < WEEKLIES; week++) dates.add(listedOn(addDays(thisFriday, week * 7)));
  const { year, month } = parseIsoDate(today);
  for (let ahead = 0; ahead <= MONTHLIES; ahead++) {
    const index = month - 1 + ahead;
    dates.add(listedOn(thirdFriday(year + Math.floor(index / 12), (index % 12) + 1)));
  }
  for (let ahead = 1; ahead <= LEAPS_YEARS; ahead++) dates.add(listedOn(thirdFriday(year + ahead, 1)));
  return [...dates].filter((date) => date >= today).sort();
}

/** The distance between listed strikes at a price: finer for cheap stocks, wider for dear ones. */
export function strikeInterval(price: number): number {
  if (price < 25) return 0.5;
  if (price < 50) return 1;
  if (price < 200) return 2.5;
  if (price < 500) return 5;
  return 10;
}

/**
 * `each` strikes on either side of the listed strike nearest to `price`, and that one, lowest
 * first, as decimal strings with two decimals. Strikes at or below zero are not listed.
 */
export function strikesAround(price: number, each = 10): string[] {
  const interval = strikeInterval(price);
  const atTheMoney = Math.round(price / interval);
  const strikes: string[] = [];
  for (let step = atTheMoney - each; step <= atTheMoney + each; step++) {
    // Whole multiples of the interval, so no float error accumulates across the grid.
    if (step > 0) strikes.push((step * interval).toFixed(2));
  }
  return strikes;
}
