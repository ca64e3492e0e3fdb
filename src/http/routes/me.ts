import { createRoute, z } from '@hono/zod-openapi';
import { deleteCookie } from 'hono/cookie';
import { passwordVerifier, SESSION_COOKIE_NAME } from '../../auth';
import { deleteAccount, deleteAccountSchema } from '../../services/users/delete-account';
import { getMyProfile } from '../../services/users/get-my-profile';
import { type AppDeps, createRouter, serviceContext } from '../env';
import { errorResponses } from '../errors';
import { requireAuth } from '../middleware/require-auth';
import { SESSION_SECURITY } from '../openapi';

const ProfileSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    emailVerified: z.boolean(),
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

  const deleteMe = createRoute({
    method: 'post',
    path: '/me/delete',
    operationId: 'deleteMyAccount',
    tags: ['me'],
    summary: 'Delete my account, confirmed by my password',
    description:
      'A soft delete: subscriptions end on both sides (the subscribers of a trader are told), sessions end, ' +
      'personal fields are scrubbed, brokerage connections are deactivated and the SnapTrade user is ' +
      'deregistered. Orders and positions stay for history; export them first (`/api/exports/*`).',
    security: SESSION_SECURITY,
    middleware: [requireAuth(deps)] as const,
    request: { body: { required: true, content: { 'application/json': { schema: deleteAccountSchema } } } },
    responses: {
      200: {
        description: 'Deleted and signed out',
        content: { 'application/json': { schema: z.object({ deleted: z.literal(true) }) } },
      },
      ...errorResponses('VALIDATION', 'UNAUTHENTICATED'),
    },
  });

  return createRouter()
    .openapi(deleteMe, async (c) => {
      await deleteAccount({
        ctx: serviceContext(deps, c),
        deps: { verifyPassword: passwordVerifier(deps.auth) },
        input: c.req.valid('json'),
      });
      deleteCookie(c, SESSION_COOKIE_NAME, { path: '/' });
      return c.json({ deleted: true as const }, 200);
    })
    .openapi(getMe, async (c) => {
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
