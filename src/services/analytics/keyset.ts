import { AppError } from '../../errors';

/**
 * A keyset cursor over (sort value, id): the last row's sort value as PostgreSQL wrote it (text;
 * null for a row without one) and its id. Pages sorted by a figure (P&L, win rate) go on after
 * that row, stable under inserts, with no OFFSET scan.
 */
export function encodeSortCursor(value: string | null, id: string): string {
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}

/**
 * The cursor's value and id. The value must look like `pattern` (it is cast back in SQL, so a
 * forged one must never reach the database as something else); null only when `nullable`.
 */
export function decodeSortCursor(
  cursor: string,
  pattern: RegExp,
  nullable: boolean,
): { value: string | null; id: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[1] === 'string') {
      const [value, id] = parsed;
      if (value === null ? nullable : typeof value === 'string' && pattern.test(value)) return { value, id };
    }
  } catch {
    // fall through to the validation error
  }
  throw new AppError('VALIDATION', 'cursor: is not a cursor this API returned', { field: 'cursor' });
}
