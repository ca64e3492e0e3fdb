import { createRoute, z } from '@hono/zod-openapi';
import { deleteCookie } from 'hono/cookie';
import { passwordVerifier, SESSION_COOKIE_NAME } from '../../auth';
import {
  getDiscordWebhook,
  removeDiscordWebhook,
  setDiscordWebhook,
} from '../../services/notifications/discord-webhook';
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

const DiscordWebhook = z
  .object({
    url: z
      .string()
      .nullable()
      .openapi({ description: 'https://discord.com/api/webhooks/<id>/<token>, or null when none is set' }),
  })
  .openapi('DiscordWebhook');

const DiscordWebhookInput = z
  .object({
    url: z.string().openapi({
      description:
        "A Discord webhook URL (Server Settings → Integrations → Webhooks → Copy Webhook URL). Only Discord's " +
        'webhook addresses are accepted: discord.com, discordapp.com and their canary/ptb hosts.',
      example:
        'https://discord.com/api/webhooks/123456789012345678/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ_-abcdefghijklmn',
    }),
  })
  .openapi('DiscordWebhookInput');

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

  const discordCommon = { tags: ['me'], security: SESSION_SECURITY, path: '/me/discord-webhook' as const };
  const getDiscord = createRoute({
    ...discordCommon,
    middleware: [requireAuth(deps)] as const,
    method: 'get',
    operationId: 'getDiscordWebhook',
    summary: 'The Discord webhook my fills are posted to',
    responses: {
      200: { description: 'The webhook', content: { 'application/json': { schema: DiscordWebhook } } },
      ...errorResponses('UNAUTHENTICATED'),
    },
  });
  const putDiscord = createRoute({
    ...discordCommon,
    middleware: [requireAuth(deps)] as const,
    method: 'put',
    operationId: 'setDiscordWebhook',
    summary: 'Post my fills (BTO and STC) to this Discord webhook (traders only)',
    request: { body: { required: true, content: { 'application/json': { schema: DiscordWebhookInput } } } },
    responses: {
      200: { description: 'Set', content: { 'application/json': { schema: DiscordWebhook } } },
      ...errorResponses('VALIDATION', 'UNAUTHENTICATED', 'PRECONDITION_FAILED'),
    },
  });
  const deleteDiscord = createRoute({
    ...discordCommon,
    middleware: [requireAuth(deps)] as const,
    method: 'delete',
    operationId: 'removeDiscordWebhook',
    summary: 'Stop posting my fills to Discord',
    responses: {
      200: { description: 'Removed', content: { 'application/json': { schema: DiscordWebhook } } },
      ...errorResponses('UNAUTHENTICATED'),
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
    .openapi(getDiscord, async (c) => c.json(await getDiscordWebhook({ ctx: serviceContext(deps, c) }), 200))
    .openapi(putDiscord, async (c) =>
      c.json(await setDiscordWebhook({ ctx: serviceContext(deps, c), input: c.req.valid('json') }), 200),
    )
    .openapi(deleteDiscord, async (c) =>
      c.json(await removeDiscordWebhook({ ctx: serviceContext(deps, c) }), 200),
    )
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
