/**
 * Email verification tokens are better-auth's (signed, expiring); each one sent is also recorded
 * in the verification table, and verifying consumes that record first: a link works once, and a
 * token we never sent is refused even when its signature holds.
 */
import { createHash, randomUUID } from 'node:crypto';
import { and, eq, gt } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { authVerifications } from '../../db/schema';
import type { ServiceContext } from '../context';

const identifier = (token: string) =>
  `verify-email:${createHash('sha256').update(token).digest('base64url')}`;

export async function recordVerificationToken(
  db: Executor,
  input: { userId: string; token: string; expiresAt: Date },
): Promise<void> {
  await db.insert(authVerifications).values({
    id: randomUUID(),
    identifier: identifier(input.token),
    value: input.userId,
    expiresAt: input.expiresAt,
  });
}

/** True once for a recorded, unexpired token; false ever after, and for any other token. */
export async function consumeEmailVerification({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db' | 'now'>;
  input: { token: string };
}): Promise<boolean> {
  const consumed = await ctx.db
    .delete(authVerifications)
    .where(
      and(
        eq(authVerifications.identifier, identifier(input.token)),
        gt(authVerifications.expiresAt, ctx.now()),
      ),
    )
    .returning({ id: authVerifications.id });
  return consumed.length > 0;
}
