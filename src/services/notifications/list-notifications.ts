import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client';
import { requireUser, type ServiceContext } from '../context';
import { decodeCursor, encodeCursor } from '../cursor';
import { parseInput } from '../parse-input';
import {
  NOTIFICATION_COLUMNS,
  type NotificationRow,
  type NotificationView,
  toNotificationView,
} from './notification-view';

export const listNotificationsQuerySchema = z.object({
  unread: z
    .enum(['true', 'false'], 'must be true or false')
    .optional()
    .transform((value) => value === 'true'),
  limit: z.coerce.number('must be a number').int().min(1).max(100).default(30),
  cursor: z.string().optional(),
});

export type NotificationPage = {
  notifications: NotificationView[];
  nextCursor: string | null;
  /** The user's unread count now (kept by a trigger), for the bell. */
  unread: number;
};

/** The signed-in user's notifications, newest first, a page at a time; `unread=true` for unread only. */
export async function listNotifications({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: unknown;
}): Promise<NotificationPage> {
  const userId = requireUser(ctx);
  const query = parseInput(listNotificationsQuerySchema, input ?? {});
  const cursor = query.cursor ? decodeCursor(query.cursor) : null;
  const after = cursor ? cursor.createdAt.toISOString() : null;
  const { rows } = await ctx.db.execute<NotificationRow>(sql`
    SELECT ${sql.raw(NOTIFICATION_COLUMNS)} FROM notifications
     WHERE user_id = ${userId}
       AND (${!query.unread} OR read = FALSE)
       AND (${after}::timestamp IS NULL OR (created_at, id) < (${after}::timestamp, ${cursor?.id ?? ''}))
     ORDER BY created_at DESC, id DESC
     LIMIT ${query.limit + 1}`);
  const page = rows.slice(0, query.limit).map(toNotificationView);
  const last = page.at(-1);
  return {
    notifications: page,
    nextCursor:
      rows.length > query.limit && last?.createdAt
        ? encodeCursor({ createdAt: new Date(last.createdAt), id: last.id })
        : null,
    unread: await unreadCount(ctx.db, userId),
  };
}

/** A user's unread count, kept by a trigger on notifications. */
export async function unreadCount(db: Executor, userId: string): Promise<number> {
  const { rows } = await db.execute<{ unread: number }>(sql`
    SELECT unread_notifications AS unread FROM users WHERE id = ${userId}`);
  return rows[0]?.unread ?? 0;
}

/** The signed-in user's unread count, for the bell. */
export async function countUnreadNotifications({
  ctx,
}: {
  ctx: ServiceContext;
}): Promise<{ unread: number }> {
  return { unread: await unreadCount(ctx.db, requireUser(ctx)) };
}
