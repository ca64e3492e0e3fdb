import { sql } from 'drizzle-orm';
import { AppError } from '../../errors';
import type { ServiceContext } from '../context';

/** What the audit log covers (PRODUCT.md §6): trades and subscriptions, by the name an admin uses. */
export const AUDITED = { trade: 'trades', subscription: 'subscriptions' } as const;
export type AuditedKind = keyof typeof AUDITED;

export function isAuditedKind(value: string): value is AuditedKind {
  return Object.hasOwn(AUDITED, value);
}

export type AuditEntry = {
  id: number;
  operation: 'INSERT' | 'UPDATE' | 'DELETE';
  /** `app.actor_id` of the writing transaction: a user id, `system:<job>`, or null (a direct write). */
  actorId: string | null;
  /** ISO 8601 UTC. */
  at: string;
  oldRow: Record<string, unknown> | null;
  newRow: Record<string, unknown> | null;
};

/**
 * Every audit row of one trade or subscription, oldest first: who changed it, when, the row
 * before and after. Admin only (the CLI acts as the system); NOT_FOUND when nothing was ever
 * recorded for that id.
 */
export async function readAuditLog({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { kind: AuditedKind; id: string };
}): Promise<AuditEntry[]> {
  if (ctx.actor.type !== 'system')
    throw new AppError('FORBIDDEN', 'Only an administrator reads the audit log');
  const { rows } = await ctx.db.execute<{
    id: number;
    operation: AuditEntry['operation'];
    actor_id: string | null;
    at: string;
    old_row: Record<string, unknown> | null;
    new_row: Record<string, unknown> | null;
  }>(sql`
    SELECT id::int, operation, actor_id, to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, old_row, new_row
      FROM audit_log
     WHERE table_name = ${AUDITED[input.kind]} AND row_id = ${input.id}
     ORDER BY id`);
  if (rows.length === 0) throw new AppError('NOT_FOUND', `No audit record of ${input.kind} ${input.id}`);
  return rows.map((row) => ({
    id: row.id,
    operation: row.operation,
    actorId: row.actor_id,
    at: row.at,
    oldRow: row.old_row,
    newRow: row.new_row,
  }));
}
