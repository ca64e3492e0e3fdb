import { sql } from 'drizzle-orm';
import { text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The seed stores times as `TIMESTAMP` (without time zone). Every connection runs with
 * `timezone = UTC`, so these columns always hold UTC wall-clock time.
 */
export const ts = (name: string) => timestamp(name, { mode: 'date' });

/** `id TEXT PRIMARY KEY DEFAULT nanoid()` as the seed declares it. */
export const nanoidPk = () => text('id').primaryKey().default(sql`nanoid()`);

/** The seed's `created_at` / `updated_at` pair (nullable, defaulting to now). */
export const timestamps = {
  createdAt: ts('created_at').defaultNow(),
  updatedAt: ts('updated_at').defaultNow(),
};
