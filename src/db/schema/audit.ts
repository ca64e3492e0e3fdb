import { sql } from 'drizzle-orm';
import { bigint, check, index, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { ts } from './columns';

/**
 * Written by triggers on `trades` and `subscriptions`. `actor_id` comes from the transaction
 * setting `app.actor_id` (set by services); no foreign key, so history outlives users.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    tableName: text('table_name').notNull(),
    rowId: text('row_id').notNull(),
    operation: text('operation', { enum: ['INSERT', 'UPDATE', 'DELETE'] }).notNull(),
    actorId: text('actor_id'),
    oldRow: jsonb('old_row'),
    newRow: jsonb('new_row'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    check('audit_log_operation_check', sql`operation IN ('INSERT', 'UPDATE', 'DELETE')`),
    index('idx_audit_log_row').on(t.tableName, t.rowId, t.id),
  ],
);
