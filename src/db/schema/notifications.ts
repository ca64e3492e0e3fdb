import { sql } from 'drizzle-orm';
import { boolean, foreignKey, index, jsonb, pgTable, text, unique } from 'drizzle-orm/pg-core';
import { NOTIFICATION_TYPES } from '../../domain/vocabulary';
import { nanoidPk, ts } from './columns';
import { users } from './users';

export const notifications = pgTable(
  'notifications',
  {
    id: nanoidPk(),
    userId: text('user_id').notNull(),
    /** One of NOTIFICATION_TYPES; the seed declares no CHECK, so the database takes any text. */
    type: text('type', { enum: NOTIFICATION_TYPES }).notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    data: jsonb('data'),
    read: boolean('read').default(false),
    readAt: ts('read_at'),
    createdAt: ts('created_at').defaultNow(),
  },
  (t) => [
    foreignKey({
      name: 'notifications_user_id_fkey',
      columns: [t.userId],
      foreignColumns: [users.id],
    }).onDelete('cascade'),
    index('idx_notifications_user').on(t.userId, t.createdAt.desc().nullsFirst()),
    // The unread badge and "mark all read" touch only unread rows.
    index('idx_notifications_unread')
      .on(t.userId, t.read, t.createdAt.desc().nullsFirst())
      .where(sql`read = FALSE`),
  ],
);

export const pushSubscriptions = pgTable(
  'push_subscriptions',
  {
    id: nanoidPk(),
    userId: text('user_id').notNull(),
    subscription: jsonb('subscription').notNull(),
    userAgent: text('user_agent'),
    createdAt: ts('created_at').defaultNow(),
  },
  (t) => [
    foreignKey({
      name: 'push_subscriptions_user_id_fkey',
      columns: [t.userId],
      foreignColumns: [users.id],
    }).onDelete('cascade'),
    unique('push_subscriptions_user_id_subscription_key').on(t.userId, t.subscription),
  ],
);

export type Notification = typeof notifications.$inferSelect;
