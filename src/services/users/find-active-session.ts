import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { sessions, users } from '../../db/schema';
import type { ServiceContext } from '../context';

function prepare(db: Database) {
  return db
    .select({ id: sessions.id, userId: sessions.userId, expires: sessions.expires })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.sessionToken, sql.placeholder('token')), isNull(users.deletedAt)))
    .prepare('find_active_session');
}

const prepared = new WeakMap<Database, ReturnType<typeof prepare>>();

/**
 * The session a token names, when its user is active (not soft-deleted). Every signed-in request
 * asks this, so it is one prepared statement: built once per database handle, planned once per
 * connection.
 */
export async function findActiveSession({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>;
  input: { token: string };
}): Promise<{ id: string; userId: string; expires: Date } | undefined> {
  let query = prepared.get(ctx.db);
  if (!query) {
    query = prepare(ctx.db);
    prepared.set(ctx.db, query);
  }
  const [row] = await query.execute({ token: input.token });
  return row;
}
