import { type SQL, sql } from 'drizzle-orm';

/** The element types `sqlArray` casts to. */
export type ArrayType = 'text' | 'int' | 'numeric' | 'timestamp';

const NEEDS_ESCAPE = /["\\]/;

/**
 * `values` as one parameter: a PostgreSQL array literal cast to `type[]`, for `= any(…)` and
 * `unnest(…)`, so a statement over thousands of rows is not bounded by the parameter limit.
 * Every element is quoted (only `"` and `\` escaped) except NULL; cheaper than the driver's own
 * conversion of a JavaScript array.
 */
export function sqlArray(values: readonly (string | number | null)[], type: ArrayType): SQL {
  return sql`${arrayLiteral(values)}::${sql.raw(type)}[]`;
}

/** The array literal `sqlArray` sends, for a statement written once (db/named-statements.ts). */
export function arrayLiteral(values: readonly (string | number | null)[]): string {
  let literal = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (i > 0) literal += ',';
    if (value === null || value === undefined) literal += 'NULL';
    else if (typeof value === 'number') literal += String(value);
    else literal += NEEDS_ESCAPE.test(value) ? `"${value.replace(/["\\]/g, '\\$&')}"` : `"${value}"`;
  }
  return `${literal}}`;
}
