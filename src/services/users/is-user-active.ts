import { and, eq, isNull } from 'drizzle-orm';
import { users } from '../../db/schema';
import type { ServiceContext } from '../context';

/** True when the user exists and is not soft-deleted (`deleted_at` unset). */
export async function isUserActive({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>;
  input: { userId: string };
}): Promise<boolean> {
  const rows = await ctx.db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, input.userId), isNull(users.deletedAt)))
    .limit(1);
  return rows.length > 0;
}
