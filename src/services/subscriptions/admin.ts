import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client';
import { users } from '../../db/schema';
import { AppError } from '../../errors';
import type { ServiceContext } from '../context';

/** Admin operations run as `system` (the admin CLI); no user, however signed in, may call them. */
export function requireSystem(ctx: Pick<ServiceContext, 'actor'>): string {
  if (ctx.actor.type !== 'system') throw new AppError('FORBIDDEN', 'Only an administrator may do this');
  return ctx.actor.job;
}

export const userByEmailSchema = z.object({
  email: z.string('is required').trim().min(1, 'is required').max(254, 'must be at most 254 characters'),
});

export type UserByEmail = {
  id: string;
  email: string;
  isTrader: boolean;
  traderVerifiedAt: Date | null;
};

/**
 * The active user with this email (compared without case; an exact match wins), locked for the
 * caller's change. Unknown and soft-deleted users are NOT_FOUND.
 */
export async function lockUserByEmail(tx: Executor, email: string): Promise<UserByEmail> {
  const rows = await tx
    .select({
      id: users.id,
      email: users.email,
      isTrader: users.isTrader,
      traderVerifiedAt: users.traderVerifiedAt,
      deletedAt: users.deletedAt,
    })
    .from(users)
    .where(eq(sql`lower(${users.email})`, email.toLowerCase()))
    .for('no key update');
  const user = rows.find((row) => row.email === email) ?? (rows.length === 1 ? rows[0] : undefined);
  if (!user && rows.length > 1) {
    throw new AppError(
      'CONFLICT',
      `Several users have the email ${email} in different cases; give it exactly`,
    );
  }
  if (!user) throw new AppError('NOT_FOUND', `No user with the email ${email}`);
  if (user.deletedAt) throw new AppError('NOT_FOUND', `The user with the email ${email} has been deleted`);
  return {
    id: user.id,
    email: user.email,
    isTrader: user.isTrader ?? false,
    traderVerifiedAt: user.traderVerifiedAt,
  };
}
