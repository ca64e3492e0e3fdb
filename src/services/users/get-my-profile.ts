import { and, eq, isNull } from 'drizzle-orm';
import { users } from '../../db/schema';
import { AppError } from '../../errors';
import { requireUser, type ServiceContext } from '../context';

export type MyProfile = {
  id: string;
  email: string;
  /** Confirmed through the link in the verification email. */
  emailVerified: boolean;
  name: string | null;
  username: string | null;
  avatarUrl: string | null;
  bio: string | null;
  isTrader: boolean;
  traderVerifiedAt: Date | null;
  unreadNotifications: number;
  createdAt: Date | null;
};

/** The signed-in user's own profile. A soft-deleted user has no profile: UNAUTHENTICATED. */
export async function getMyProfile({ ctx }: { ctx: ServiceContext }): Promise<MyProfile> {
  const userId = requireUser(ctx);
  const [row] = await ctx.db
    .select({
      id: users.id,
      email: users.email,
      emailVerified: users.emailVerified,
      name: users.name,
      username: users.username,
      avatarUrl: users.avatarUrl,
      bio: users.bio,
      isTrader: users.isTrader,
      traderVerifiedAt: users.traderVerifiedAt,
      unreadNotifications: users.unreadNotifications,
      createdAt: users.createdAt,
    })
    .from(users)
    .where(and(eq(users.id, userId), isNull(users.deletedAt)));
  if (!row) throw new AppError('UNAUTHENTICATED', 'Sign in to continue');
  return { ...row, isTrader: row.isTrader ?? false };
}
