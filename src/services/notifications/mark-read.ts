import { sql } from 'drizzle-orm';
import { AppError } from '../../errors';
import { requireUser, type ServiceContext } from '../context';
import { unreadCount } from './list-notifications';
import {
  NOTIFICATION_COLUMNS,
  type NotificationRow,
  type NotificationView,
  toNotificationView,
} from './notification-view';

/**
 * Mark one of the user's notifications read (`read_at` now; a trigger keeps `read` and the unread
 * count). Reading it again keeps the first time. Anyone else's answers NOT_FOUND.
 */
export async function markNotificationRead({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { notificationId: string };
}): Promise<NotificationView> {
  const userId = requireUser(ctx);
  const { rows } = await ctx.db.execute<NotificationRow>(sql`
    UPDATE notifications SET read_at = COALESCE(read_at, ${ctx.now().toISOString()}::timestamp)
     WHERE id = ${input.notificationId} AND user_id = ${userId}
    RETURNING ${sql.raw(NOTIFICATION_COLUMNS)}`);
  const row = rows[0];
  if (!row) throw new AppError('NOT_FOUND', 'Notification not found');
  return toNotificationView(row);
}

/** Mark every unread notification of the user read, in one statement. */
export async function markAllNotificationsRead({
  ctx,
}: {
  ctx: ServiceContext;
}): Promise<{ updated: number; unread: number }> {
  const userId = requireUser(ctx);
  const { rowCount } = await ctx.db.execute(sql`
    UPDATE notifications SET read_at = ${ctx.now().toISOString()}::timestamp
     WHERE user_id = ${userId} AND read = FALSE`);
  return { updated: rowCount ?? 0, unread: await unreadCount(ctx.db, userId) };
}
