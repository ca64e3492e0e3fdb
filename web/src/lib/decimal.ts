/**
 * Exact arithmetic on the API's decimal strings (prices have at most four decimals), for the
 * figures the page works out itself: an order's estimated cost, unrealised P&L. Values are held
 * as whole ten-thousandths in a BigInt, so nothing is lost to binary floating point.
 */
const SCALE = 4;
const ONE = 10n ** BigInt(SCALE);

/** A decimal string as ten-thousandths; null when it is not a plain decimal. */
export function parseUnits(value: string | number | null | undefined): bigint | null {
  if (value === null || value === undefined) return null;
  const match = /^(-?)(\d+)(?:\.(\d{1,4})\d*)?$/.exec(String(value).trim());
  if (!match) return null;
  const [, sign, whole = '0', fraction = ''] = match;
  const units = BigInt(whole) * ONE + BigInt(fraction.padEnd(SCALE, '0'));
  return sign === '-' ? -units : units;
}

/** Ten-thousandths back to a decimal string with `places` decimals, rounded half away from zero. */
export function formatUnits(units: bigint, places = 2): string {
  const negative = units < 0n;
  const magnitude = negative ? -units : units;
  const step = 10n ** BigInt(SCALE - places);
  const rounded = (magnitude + step / 2n) / step;
  const divisor = 10n ** BigInt(places);
  const whole = rounded / divisor;
  const fraction = places > 0 ? `.${(rounded % divisor).toString().padStart(places, '0')}` : '';
  return `${negative && rounded !== 0n ? '-' : ''}${whole}${fraction}`;
}

/** One contract is 100 shares: a per-share price × quantity × 100, as a decimal string. */
export function notional(pricePerShare: string | null | undefined, quantity: number): string | null {
  const price = parseUnits(pricePerShare);
  if (price === null || !Number.isSafeInteger(quantity)) return null;
  return formatUnits(price * BigInt(quantity) * 100n);
}

/**
 * (mark − average entry) × open quantity × 100, to the cent: what selling everything at the
 * mark would realise. Null when either price is missing.
 */
export function unrealisedPnl(
  mark: string | null | undefined,
  averageEntry: string | null | undefined,
  openQuantity: number,
): string | null {
  const markUnits = parseUnits(mark);
  const entryUnits = parseUnits(averageEntry);
  if (markUnits === null || entryUnits === null || !Number.isSafeInteger(openQuantity)) return null;
  return formatUnits((markUnits - entryUnits) * BigInt(openQuantity) * 100n);
}

/** a − b, to the cent; null when either is missing. */
export function subtract(a: string | null | undefined, b: string | null | undefined): string | null {
  const left = parseUnits(a);
  const right = parseUnits(b);
  return left === null || right === null ? null : formatUnits(left - right);
}

/** Compare two decimal strings: negative, zero or positive like a sort comparator. */
export function compareDecimal(a: string, b: string): number {
  const left = parseUnits(a) ?? 0n;
  const right = parseUnits(b) ?? 0n;
  return left < right ? -1 : left > right ? 1 : 0;
}
