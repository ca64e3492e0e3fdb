import type { AuditEntry, AuditedKind } from '../services/audit/read-audit-log';

/** Columns every write touches: noise in a list of what changed. */
const ALWAYS_CHANGING = new Set(['updated_at']);

const show = (value: unknown) => (value === null || value === undefined ? '∅' : JSON.stringify(value));

/** The audit rows of one trade or subscription as an operator reads them: who, when, what changed. */
export function formatAuditReport(kind: AuditedKind, id: string, entries: readonly AuditEntry[]): string {
  const lines = [`Audit log of ${kind} ${id}: ${entries.length} change${entries.length === 1 ? '' : 's'}`];
  for (const entry of entries) {
    lines.push('', `${entry.at}  ${entry.operation}  by ${entry.actorId ?? 'unknown (no actor recorded)'}`);
    const before = entry.oldRow ?? {};
    const after = entry.newRow ?? {};
    if (entry.operation === 'UPDATE') {
      for (const column of Object.keys(after)) {
        if (ALWAYS_CHANGING.has(column)) continue;
        if (JSON.stringify(before[column]) !== JSON.stringify(after[column])) {
          lines.push(`    ${column}: ${show(before[column])} → ${show(after[column])}`);
        }
      }
    } else {
      const row = entry.operation === 'INSERT' ? after : before;
      for (const [column, value] of Object.entries(row)) {
        if (value !== null) lines.push(`    ${column} = ${show(value)}`);
      }
    }
  }
  return lines.join('\n');
}
