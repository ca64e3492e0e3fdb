import { type SQL, sql } from 'drizzle-orm';
import { check } from 'drizzle-orm/pg-core';

/**
 * SQL written from the closed sets in src/domain, so a CHECK, an index predicate or a query's
 * `IN (...)` cannot drift from the list the code types against. Values are inlined as literals
 * (never parameters): CHECKs need them, and the planner matches a partial index's predicate
 * only against literals. They come from `as const` arrays, never from input; quotes are still
 * doubled so any value stays one literal.
 */

/** `'a', 'b'`: the values as SQL string literals, in the array's order. */
function literalList(values: readonly string[]): string {
  return values.map((value) => `'${value.replaceAll("'", "''")}'`).join(', ');
}

/** `('a', 'b')`, to write `status IN ${sqlSet(WORKING_ORDER_STATUSES)}`. */
export function sqlSet(values: readonly string[]): SQL {
  return sql.raw(sqlSetText(values));
}

/** `sqlSet` as text, for a statement written once (see db/named-statements.ts). */
export function sqlSetText(values: readonly string[]): string {
  return `(${literalList(values)})`;
}

/** `CHECK (column IN ('a', 'b'))` named as the seed names it, e.g. `trades_status_check`. */
export function checkIn(name: string, column: string, values: readonly string[]) {
  return check(name, sql.raw(`${column} IN (${literalList(values)})`));
}
