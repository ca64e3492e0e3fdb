import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { namedStatement } from '../../db/named-statements';
import { sessions, users } from '../../db/schema';
import type { ServiceContext } from '../context';
import { countHitsSql, type RateLimitResult, rateLimitResultOf } from '../limits/consume-rate-limit';

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

/** A per-user rate limit counted with the session lookup: `<keyPrefix><user id>`. */
export type SessionRateLimit = { keyPrefix: string; limit: number; windowSeconds: number };

/**
 * `findActiveSession` for a session valid past `validAfter`, counting one hit on the user's
 * counter of `rule` in the same round trip; nothing is counted when no such session is found.
 * The counter is the one `consumeRateLimit` keeps, counted by the same upsert at `now`.
 */
const findAndCount = namedStatement<{
  id: string;
  user_id: string;
  expires: string;
  count: number;
  reset_ms: number;
}>(
  'find_active_session_counting_hit',
  `WITH s AS (
     SELECT s.id, s.user_id, s.expires FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.session_token = $2 AND u.deleted_at IS NULL AND s.expires > $3::timestamp
   ), hit AS (
     ${countHitsSql('SELECT $4 || s.user_id, 1, $5::timestamp FROM s', '$1')}
   )
   SELECT s.id, s.user_id, s.expires, hit.count, hit.reset_ms FROM s JOIN hit ON true`,
);

export async function findActiveSessionCountingHit({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db' | 'now'>;
  input: { token: string; validAfter: Date; rule: SessionRateLimit };
}): Promise<{ id: string; userId: string; expires: Date; rateLimit: RateLimitResult } | undefined> {
  const now = ctx.now();
  const [row] = await findAndCount(ctx.db, [
    now.toISOString(),
    input.token,
    input.validAfter.toISOString(),
    input.rule.keyPrefix,
    new Date(now.getTime() + input.rule.windowSeconds * 1000).toISOString(),
  ]);
  if (!row) return undefined;
  return {
    id: row.id,
    userId: row.user_id,
    expires: new Date(`${row.expires}+0000`),
    rateLimit: rateLimitResultOf(input.rule, row),
  };
}
