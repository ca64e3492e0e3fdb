import { sql } from 'drizzle-orm';
import { boolean, decimal, foreignKey, index, pgTable, text, unique, uniqueIndex } from 'drizzle-orm/pg-core';
import { ACCOUNT_PROVIDERS } from '../../domain/vocabulary';
import { checkIn } from '../sql-sets';
import { nanoidPk, timestamps, ts } from './columns';
import { users } from './users';

/** Brokerage accounts: connected through SnapTrade, or the built-in paper broker. */
export const accounts = pgTable(
  'accounts',
  {
    id: nanoidPk(),
    userId: text('user_id').notNull(),

    brokerName: text('broker_name').notNull(),
    brokerSlug: text('broker_slug').notNull(),
    accountNumber: text('account_number').notNull(),
    accountType: text('account_type'),
    accountName: text('account_name'),

    snaptradeAccountId: text('snaptrade_account_id').notNull(),
    snaptradeAuthorizationId: text('snaptrade_authorization_id').notNull(),

    isSelected: boolean('is_selected').default(false),
    isActive: boolean('is_active').default(true),
    lastSyncAt: ts('last_sync_at'),

    balance: decimal('balance', { precision: 15, scale: 2 }),
    buyingPower: decimal('buying_power', { precision: 15, scale: 2 }),

    ...timestamps,

    // Beyond the seed: which broker implementation serves this account.
    provider: text('provider', { enum: ACCOUNT_PROVIDERS }).notNull().default('snaptrade'),
    /**
     * PRODUCT.md §1a: the SnapTrade connection is broken (CONNECTION_BROKEN, or a sync found it
     * disabled) until CONNECTION_FIXED or a reconnect; copies to it are skipped meanwhile.
     */
    needsReconnect: boolean('needs_reconnect').notNull().default(false),
    /** Why, in words the user can act on; null while the connection works. */
    reconnectReason: text('reconnect_reason'),
    /** When the current break was noticed (the user is told once per break). */
    brokenAt: ts('broken_at'),
    /** The brokerage connection cannot trade through SnapTrade (Robinhood, IBKR, Fidelity, Schwab...). */
    readOnly: boolean('read_only').notNull().default(false),
  },
  (t) => [
    foreignKey({ name: 'accounts_user_id_fkey', columns: [t.userId], foreignColumns: [users.id] }).onDelete(
      'cascade',
    ),
    unique('accounts_user_id_snaptrade_account_id_key').on(t.userId, t.snaptradeAccountId),
    checkIn('accounts_provider_check', 'provider', ACCOUNT_PROVIDERS),
    index('idx_accounts_user').on(t.userId),
    index('idx_accounts_selected').on(t.userId, t.isSelected).where(sql`is_selected = TRUE`),
    // One selected account per user, enforced by the database (a trigger deselects the others first).
    uniqueIndex('uq_accounts_one_selected').on(t.userId).where(sql`is_selected = TRUE`),
  ],
);

export type Account = typeof accounts.$inferSelect;
