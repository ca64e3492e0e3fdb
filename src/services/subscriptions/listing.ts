import { and, eq, lt, or, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { subscriptions } from '../../db/schema';
import { SUBSCRIPTION_STATUSES } from '../../domain/vocabulary';
import { decodeCursor, encodeCursor } from '../cursor';

/** Query of both subscription lists: optional statuses (comma-separated), page size and cursor. */
export const subscriptionListSchema = z.object({
  status: z
    .string()
    .optional()
    .transform((value) => (value ? value.split(',').map((s) => s.trim()) : undefined))
    .pipe(z.array(z.enum(SUBSCRIPTION_STATUSES)).optional()),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().optional(),
});

/** Rows after the cursor in the lists' order: newest subscription first, then by id. */
export function afterCursor(value: string | undefined): SQL | undefined {
  if (!value) return undefined;
  const cursor = decodeCursor(value);
  return or(
    lt(subscriptions.createdAt, cursor.createdAt),
    and(eq(subscriptions.createdAt, cursor.createdAt), lt(subscriptions.id, cursor.id)),
  );
}

/** The page (one row more was fetched to know whether another page follows) and its cursor. */
export function pageOf<T>(
  rows: T[],
  limit: number,
  key: (row: T) => { id: string; createdAt: Date | null },
): { page: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const lastKey = last ? key(last) : undefined;
  const nextCursor =
    rows.length > limit && lastKey?.createdAt
      ? encodeCursor({ createdAt: lastKey.createdAt, id: lastKey.id })
      : null;
  return { page, nextCursor };
}
