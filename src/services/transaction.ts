import { sql } from 'drizzle-orm';
import type { Transaction } from '../db/client';
import type { ServiceContext } from './context';

/**
 * Run `work` in a transaction (a savepoint when ctx.db is already one), with the acting user
 * recorded for the audit trigger (`app.actor_id`).
 */
export async function inTransaction<T>(
  ctx: Pick<ServiceContext, 'db' | 'actor'>,
  work: (tx: Transaction) => Promise<T>,
): Promise<T> {
  return ctx.db.transaction(async (tx) => {
    const actorId =
      ctx.actor.type === 'user'
        ? ctx.actor.userId
        : ctx.actor.type === 'system'
          ? `system:${ctx.actor.job}`
          : '';
    if (actorId) await tx.execute(sql`SELECT set_config('app.actor_id', ${actorId}, true)`);
    return work(tx);
  });
}

export type { Transaction };
