import { createRoute, z } from '@hono/zod-openapi';
import { deleteCookie } from 'hono/cookie';
import { passwordVerifier, SESSION_COOKIE_NAME } from '../../auth';
import {
  getDiscordWebhook,
  removeDiscordWebhook,
  setDiscordWebhook,
} from '../../services/notifications/discord-webhook';
import { testDiscordWebhook } from '../../services/notifications/test-discord-webhook';
import { deleteAccount, deleteAccountSchema } from '../../services/users/delete-account';
import { getMyProfile, type MyProfile } from '../../services/users/get-my-profile';
import { updateProfile } from '../../services/users/update-profile';
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

const UpdateProfileInput = z
  .object({
    name: z.string().optional().openapi({ description: '1 to 100 characters' }),
    username: z
      .string()
      .nullable()
      .optional()
      .openapi({ description: '3 to 30 letters, digits or underscores (kept lower case); null clears it' }),
    bio: z.string().nullable().optional().openapi({ description: 'Up to 500 characters' }),
    avatarUrl: z.string().nullable().optional().openapi({ description: 'An https:// image address' }),
  })
  .openapi('UpdateProfileInput');

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

  const updateMe = createRoute({
    method: 'patch',
    path: '/me',
    operationId: 'updateMe',
    tags: ['me'],
    summary: 'Change my name, username, bio or avatar address',
    description:
      'Fields left out keep their value; an empty bio or avatar clears it. The username is unique (409 naming ' +
      '`username` when taken); the avatar must be an https:// address.',
    security: SESSION_SECURITY,
    middleware: [requireAuth(deps)] as const,
    request: {
      body: {
        required: true,
        content: { 'application/json': { schema: UpdateProfileInput } },
      },
    },
    responses: {
      200: {
        description: 'The profile, changed',
        content: { 'application/json': { schema: ProfileSchema } },
      },
      ...errorResponses('VALIDATION', 'UNAUTHENTICATED', 'CONFLICT'),
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

  const testDiscord = createRoute({
    tags: ['me'],
    security: SESSION_SECURITY,
    path: '/me/discord-webhook/test',
    middleware: [requireAuth(deps)] as const,
    method: 'post',
    operationId: 'testDiscordWebhook',
    summary: 'Post a test message to my Discord webhook now',
    description: "Discord's answer is told back; a webhook Discord no longer knows (404) is removed (422).",
    responses: {
      200: {
        description: 'Discord took the post',
        content: { 'application/json': { schema: z.object({ posted: z.literal(true) }) } },
      },
      ...errorResponses('UNAUTHENTICATED', 'PRECONDITION_FAILED', 'LIMIT_EXCEEDED'),
    },
  });

  const profileJson = (profile: MyProfile) => ({
    ...profile,
    traderVerifiedAt: profile.traderVerifiedAt?.toISOString() ?? null,
    createdAt: profile.createdAt?.toISOString() ?? null,
  });

  return createRouter()
    .openapi(updateMe, async (c) =>
      c.json(
        profileJson(await updateProfile({ ctx: serviceContext(deps, c), input: c.req.valid('json') })),
        200,
      ),
    )
    .openapi(testDiscord, async (c) =>
      c.json(await testDiscordWebhook({ ctx: serviceContext(deps, c), deps: deps.delivery }), 200),
    )
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
      return c.json(profileJson(await getMyProfile({ ctx: serviceContext(deps, c) })), 200);
    });
}
