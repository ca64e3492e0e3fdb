import { createRoute, z } from '@hono/zod-openapi';
import { DISCORD_TYPES } from '../../domain/notification-preferences';
import { NOTIFICATION_TYPES } from '../../domain/vocabulary';
import { countUnreadNotifications, listNotifications } from '../../services/notifications/list-notifications';
import { markAllNotificationsRead, markNotificationRead } from '../../services/notifications/mark-read';
import {
  getNotificationPreferences,
  preferenceChangesSchema,
  updateNotificationPreferences,
} from '../../services/notifications/preferences';
import { unsubscribeEmail, unsubscribeSchema } from '../../services/notifications/unsubscribe';
import { type AppDeps, createRouter, serviceContext } from '../env';
import { errorResponses } from '../errors';
import { requireAuth } from '../middleware/require-auth';
import { PUBLIC_SECURITY, SESSION_SECURITY } from '../openapi';
import { IdParam, json } from './schemas';

export const NotificationSchema = z
  .object({
    id: z.string(),
    type: z.enum(NOTIFICATION_TYPES),
    title: z.string(),
    body: z.string(),
    data: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: 'Facts of the event (ids of the order, position, subscription, ...)' }),
    read: z.boolean(),
    readAt: z.string().nullable().openapi({ format: 'date-time' }),
    createdAt: z.string().nullable().openapi({ format: 'date-time' }),
  })
  .openapi('Notification');

const NotificationPage = z
  .object({
    notifications: z.array(NotificationSchema),
    nextCursor: z.string().nullable(),
    unread: z.number().int().openapi({ description: 'My unread count now' }),
  })
  .openapi('NotificationPage');

const Unread = z.object({ unread: z.number().int() }).openapi('UnreadCount');

const ChannelSwitches = z
  .object({
    in_app: z.literal(true).openapi({ description: 'Always on' }),
    push: z.boolean(),
    email: z.boolean().openapi({ description: 'To a confirmed email address only' }),
    discord: z.boolean().optional().openapi({ description: 'Only for the types Discord carries (fills)' }),
  })
  .openapi('ChannelSwitches');

const Preferences = z
  .object(Object.fromEntries(NOTIFICATION_TYPES.map((type) => [type, ChannelSwitches])))
  .openapi('NotificationPreferences');

export function notificationsRouter(deps: AppDeps) {
  const auth = requireAuth(deps);
  const common = { tags: ['notifications'], security: SESSION_SECURITY };

  const list = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'get',
    path: '/notifications',
    operationId: 'listNotifications',
    summary: 'My notifications, newest first, a page at a time',
    request: {
      query: z.object({
        unread: z.enum(['true', 'false']).optional().openapi({ description: 'true: unread only' }),
        limit: z.string().optional().openapi({ description: '1 to 100, default 30' }),
        cursor: z.string().optional().openapi({ description: 'nextCursor of the previous page' }),
      }),
    },
    responses: {
      200: json(NotificationPage, 'A page of notifications and my unread count'),
      ...errorResponses('VALIDATION', 'UNAUTHENTICATED'),
    },
  });
  const unread = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'get',
    path: '/notifications/unread-count',
    operationId: 'countUnreadNotifications',
    summary: 'How many of my notifications are unread',
    responses: { 200: json(Unread, 'My unread count'), ...errorResponses('UNAUTHENTICATED') },
  });
  const readOne = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'post',
    path: '/notifications/{id}/read',
    operationId: 'markNotificationRead',
    summary: 'Mark one of my notifications read (reading it again keeps the first time)',
    request: { params: IdParam },
    responses: {
      200: json(NotificationSchema, 'The notification, read'),
      ...errorResponses('UNAUTHENTICATED', 'NOT_FOUND'),
    },
  });
  const readAll = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'post',
    path: '/notifications/read-all',
    operationId: 'markAllNotificationsRead',
    summary: 'Mark all my notifications read',
    responses: {
      200: json(
        z.object({ updated: z.number().int(), unread: z.number().int() }).openapi('ReadAllResult'),
        'How many were marked, and my unread count after',
      ),
      ...errorResponses('UNAUTHENTICATED'),
    },
  });
  const getPreferences = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'get',
    path: '/notifications/preferences',
    operationId: 'getNotificationPreferences',
    summary: 'Where each type of notification goes: in-app (always), push, Discord (fills)',
    responses: {
      200: json(Preferences, 'Every type with its channels'),
      ...errorResponses('UNAUTHENTICATED'),
    },
  });
  const updatePreferences = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'patch',
    path: '/notifications/preferences',
    operationId: 'updateNotificationPreferences',
    summary: 'Change where some types of notification go',
    description:
      'Some channels of some types, e.g. `{ "order_filled": { "push": false } }`; the rest keep their ' +
      `setting. \`in_app\` cannot be turned off; \`discord\` exists only for ${[...DISCORD_TYPES].join(', ')}. ` +
      'An unknown type or channel is a 400 naming it.',
    request: {
      body: { required: true, content: { 'application/json': { schema: preferenceChangesSchema } } },
    },
    responses: {
      200: json(Preferences, 'Every type with its channels, after the change'),
      ...errorResponses('VALIDATION', 'UNAUTHENTICATED'),
    },
  });

  const unsubscribeCommon = {
    tags: ['notifications'],
    security: PUBLIC_SECURITY,
    path: '/notifications/unsubscribe' as const,
    request: { query: unsubscribeSchema },
  };
  const unsubscribePage = createRoute({
    ...unsubscribeCommon,
    method: 'get',
    operationId: 'unsubscribeEmailPage',
    summary: 'Stop emails of one type (the link at the foot of each notification email)',
    description: 'Public: the link is signed for its user and type. Answers a short page.',
    responses: {
      200: { description: 'Unsubscribed', content: { 'text/html': { schema: z.string() } } },
      ...errorResponses('VALIDATION', 'NOT_FOUND'),
    },
  });
  const unsubscribeOneClick = createRoute({
    ...unsubscribeCommon,
    method: 'post',
    operationId: 'unsubscribeEmail',
    summary: 'One-click unsubscribe (RFC 8058), as mail clients send it from List-Unsubscribe',
    responses: {
      200: json(z.object({ unsubscribed: z.enum(NOTIFICATION_TYPES) }), 'Unsubscribed'),
      ...errorResponses('VALIDATION', 'NOT_FOUND'),
    },
  });
  const unsubscribe = (c: Parameters<typeof serviceContext>[1], input: unknown) =>
    unsubscribeEmail({ ctx: serviceContext(deps, c), deps: deps.delivery, input });

  return createRouter()
    .openapi(unsubscribePage, async (c) => {
      const { type } = await unsubscribe(c, c.req.valid('query'));
      const what = type.replaceAll('_', ' ');
      return c.html(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Unsubscribed</title>` +
          `<meta name="viewport" content="width=device-width, initial-scale=1"></head>` +
          `<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem">` +
          `<h1>You are unsubscribed</h1><p>You will no longer get emails about <strong>${what}</strong>. ` +
          `You still see these notifications in the app, and you can turn emails back on in ` +
          `<a href="/settings">Settings</a>.</p></body></html>`,
        200,
      );
    })
    .openapi(unsubscribeOneClick, async (c) => {
      const { type } = await unsubscribe(c, c.req.valid('query'));
      return c.json({ unsubscribed: type }, 200);
    })
    .openapi(list, async (c) => {
      const page = await listNotifications({ ctx: serviceContext(deps, c), input: c.req.valid('query') });
      return c.json(page, 200);
    })
    .openapi(unread, async (c) =>
      c.json(await countUnreadNotifications({ ctx: serviceContext(deps, c) }), 200),
    )
    .openapi(readAll, async (c) =>
      c.json(await markAllNotificationsRead({ ctx: serviceContext(deps, c) }), 200),
    )
    .openapi(readOne, async (c) => {
      const notification = await markNotificationRead({
        ctx: serviceContext(deps, c),
        input: { notificationId: c.req.valid('param').id },
      });
      return c.json(notification, 200);
    })
    .openapi(getPreferences, async (c) =>
      c.json(await getNotificationPreferences({ ctx: serviceContext(deps, c) }), 200),
    )
    .openapi(updatePreferences, async (c) => {
      const preferences = await updateNotificationPreferences({
        ctx: serviceContext(deps, c),
        input: c.req.valid('json'),
      });
      return c.json(preferences, 200);
    });
}
