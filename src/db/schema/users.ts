import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { nanoidPk, timestamps, ts } from './columns';

export const users = pgTable(
  'users',
  {
    id: nanoidPk(),
    email: text('email').notNull().unique('users_email_key'),
    name: text('name'),
    username: text('username').unique('users_username_key'),
    avatarUrl: text('avatar_url'),
    bio: text('bio'),

    isTrader: boolean('is_trader').default(false),
    traderVerifiedAt: ts('trader_verified_at'),

    snaptradeUserId: text('snaptrade_user_id'),
    /** AES-256-GCM ciphertext, never the plain secret. */
    snaptradeUserSecret: text('snaptrade_user_secret'),

    settings: jsonb('settings').default(sql`'{}'::jsonb`),
    notificationPreferences: jsonb('notification_preferences').default(sql`'{}'::jsonb`),

    ...timestamps,
    deletedAt: ts('deleted_at'),

    // Beyond the seed: better-auth's user model and the trigger-kept unread counter.
    emailVerified: boolean('email_verified').notNull().default(false),
    unreadNotifications: integer('unread_notifications').notNull().default(0),
    /**
     * A trader's Discord webhook (PRODUCT.md §4), in its canonical form on discord.com: only
     * Discord's webhook URLs are ever stored. Cleared when Discord answers that it is gone.
     */
    discordWebhookUrl: text('discord_webhook_url'),
  },
  (t) => [
    index('idx_users_email').on(t.email),
    index('idx_users_username').on(t.username),
    // Discovery lists traders only; most users are not.
    index('idx_users_is_trader').on(t.isTrader).where(sql`is_trader = TRUE`),
  ],
);

export type User = typeof users.$inferSelect;
