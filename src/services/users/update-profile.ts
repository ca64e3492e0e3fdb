import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { users } from '../../db/schema';
import { AppError } from '../../errors';
import { requireUser, type ServiceContext } from '../context';
import { parseInput } from '../parse-input';
import { getMyProfile, type MyProfile } from './get-my-profile';

/** Blank text clears an optional field. */
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .transform((value) => (value === '' ? null : value))
    .nullable()
    .optional();

export const updateProfileSchema = z.object({
  name: z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters').optional(),
  username: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9_]{3,30}$/, 'must be 3 to 30 letters, digits or underscores')
    .nullable()
    .optional(),
  bio: optionalText(500),
  avatarUrl: optionalText(500).refine(
    (value) => value === null || value === undefined || /^https:\/\/[^\s]+$/i.test(value),
    'must be an https:// address of an image',
  ),
});

/**
 * Change the signed-in user's public profile: name, username (unique, shown to subscribers and
 * on the leaderboard), bio and avatar address. Fields left out keep their value; a taken
 * username is a CONFLICT naming `username`.
 */
export async function updateProfile({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: unknown;
}): Promise<MyProfile> {
  const userId = requireUser(ctx);
  const changes = parseInput(updateProfileSchema, input ?? {});
  const set = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
  if (Object.keys(set).length > 0) {
    try {
      await ctx.db
        .update(users)
        .set({ ...set, updatedAt: ctx.now() })
        .where(and(eq(users.id, userId), isNull(users.deletedAt)));
    } catch (error) {
      if (isUniqueViolation(error, 'users_username_key')) {
        throw new AppError('CONFLICT', 'username: this username is taken', { field: 'username' });
      }
      throw error;
    }
  }
  return getMyProfile({ ctx });
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    const pg = cause as Error & { code?: string; constraint?: string };
    if (pg.code === '23505' && pg.constraint === constraint) return true;
  }
  return false;
}
