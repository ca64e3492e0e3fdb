import type { NotificationType } from '../../domain/vocabulary';

/** A notification as the API shows it. */
export type NotificationView = {
  id: string;
  type: NotificationType;
  title: string;
  body: string;
  data: Record<string, unknown> | null;
  read: boolean;
  readAt: string | null;
  createdAt: string | null;
};

export type NotificationRow = {
  id: string;
  type: NotificationType;
  title: string;
  body: string;
  data: Record<string, unknown> | null;
  read: boolean | null;
  read_at: string | null;
  created_at: string | null;
};

/** The columns of a NotificationRow, times as ISO 8601 UTC text (the columns hold UTC). */
export const NOTIFICATION_COLUMNS = `id, type, title, body, data, read,
  to_char(read_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS read_at,
  to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at`;

export function toNotificationView(row: NotificationRow): NotificationView {
  return {
    id: row.id,
    type: row.type,
    title: row.title,
    body: row.body,
    data: row.data,
    read: row.read ?? false,
    readAt: row.read_at,
    createdAt: row.created_at,
  };
}
