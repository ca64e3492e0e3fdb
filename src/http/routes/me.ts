import { createRoute, z } from '@hono/zod-openapi';
import { getMyProfile } from '../../services/users/get-my-profile';
import { type AppDeps, createRouter, serviceContext } from '../env';
import { errorResponses } from '../errors';
import { requireAuth } from '../middleware/require-auth';
import { SESSION_SECURITY } from '../openapi';

const ProfileSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    username: z.string().nullable(),
    avatarUrl: z.string().nullable(),
    bio: z.string().nullable(),
    isTrader: z.boolean(),
    traderVerifiedAt: z.string().nullable().openapi({ format: 'date-time' }),
    unreadNotifications: z.number().int(),
    createdAt: z.string().nullable().openapi({ format: 'date-time' }),
  })
  .openapi('Profile');

export function meRouter(deps: AppDeps) {
  const getMe = createRoute({
    method: 'get',
    path: '/me',
    operationId: 'getMe',
    tags: ['me'],
    summary: "The signed-in user's profile",
    security: SESSION_SECURITY,
    middleware: [requireAuth(deps)] as const,
    responses: {
      200: { description: 'The profile', content: { 'application/json': { schema: ProfileSchema } } },
      ...errorResponses('UNAUTHENTICATED'),
    },
  });

  return createRouter().openapi(getMe, async (c) => {
    const profile = await getMyProfile({ ctx: serviceContext(deps, c) });
    return c.json(
      {
        ...profile,
        traderVerifiedAt: profile.traderVerifiedAt?.toISOString() ?? null,
        createdAt: profile.createdAt?.toISOString() ?? null,
      },
      200,
    );
  });
}
