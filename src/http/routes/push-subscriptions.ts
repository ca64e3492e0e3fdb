import { createRoute, z } from '@hono/zod-openapi';
import {
  listPushSubscriptions,
  registerPushSubscription,
  sendTestPush,
  unregisterPushSubscription,
} from '../../services/notifications/push-subscriptions';
import { type AppDeps, createRouter, serviceContext } from '../env';
import { errorResponses } from '../errors';
import { requireAuth } from '../middleware/require-auth';
import { SESSION_SECURITY } from '../openapi';
import { IdParam, json } from './schemas';

const PushSubscriptionSchema = z
  .object({
    id: z.string(),
    endpoint: z.string().openapi({ format: 'uri' }),
    userAgent: z.string().nullable(),
    createdAt: z.string().nullable().openapi({ format: 'date-time' }),
  })
  .openapi('PushSubscription');

const RegisterInput = z
  .object({
    subscription: z
      .object({
        endpoint: z.string().openapi({
          format: 'uri',
          description: "The browser's push service URL (https; Google, Mozilla, Apple or Microsoft)",
        }),
        expirationTime: z.number().nullable().optional(),
        keys: z.object({
          p256dh: z.string().openapi({ description: 'URL-safe base64 of the 65-byte P-256 public key' }),
          auth: z.string().openapi({ description: 'URL-safe base64 of the 16-byte auth secret' }),
        }),
      })
      .openapi({ description: '`PushSubscription.toJSON()` from the browser' }),
    userAgent: z.string().nullable().optional(),
  })
  .openapi('RegisterPushSubscriptionInput');

export function pushSubscriptionsRouter(deps: AppDeps) {
  const auth = requireAuth(deps);
  const common = { tags: ['notifications'], security: SESSION_SECURITY };

  const vapidKey = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'get',
    path: '/push-subscriptions/vapid-key',
    operationId: 'getVapidKey',
    summary: "The server's VAPID public key: `applicationServerKey` for `pushManager.subscribe`",
    responses: {
      200: json(
        z
          .object({ publicKey: z.string().openapi({ description: 'URL-safe base64, 65 bytes' }) })
          .openapi('VapidKey'),
        'The key',
      ),
      ...errorResponses('UNAUTHENTICATED'),
    },
  });
  const list = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'get',
    path: '/push-subscriptions',
    operationId: 'listPushSubscriptions',
    summary: 'The browsers that receive my pushes',
    responses: {
      200: json(z.object({ subscriptions: z.array(PushSubscriptionSchema) }), 'My browsers'),
      ...errorResponses('UNAUTHENTICATED'),
    },
  });
  const register = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'post',
    path: '/push-subscriptions',
    operationId: 'registerPushSubscription',
    summary: 'Receive my pushes in this browser',
    description:
      'One registration per browser: registering again (new keys, or another user on the same browser) ' +
      'replaces what was kept for its endpoint. At most 10 pushes a minute reach a user; the rest stay in-app.',
    request: { body: { required: true, content: { 'application/json': { schema: RegisterInput } } } },
    responses: {
      201: json(PushSubscriptionSchema, 'Registered'),
      ...errorResponses('VALIDATION', 'UNAUTHENTICATED'),
    },
  });
  const unregister = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'delete',
    path: '/push-subscriptions/{id}',
    operationId: 'unregisterPushSubscription',
    summary: 'Stop my pushes to one browser',
    request: { params: IdParam },
    responses: { 204: { description: 'Removed' }, ...errorResponses('UNAUTHENTICATED', 'NOT_FOUND') },
  });

  const test = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'post',
    path: '/push-subscriptions/{id}/test',
    operationId: 'testPushSubscription',
    summary: 'Send a test push to one of my browsers now',
    description:
      "No notification is written. 404 also when the push service says the browser's registration ended.",
    request: { params: IdParam },
    responses: {
      200: json(z.object({ sent: z.literal(true) }).openapi('TestPushResult'), 'The push service took it'),
      ...errorResponses('UNAUTHENTICATED', 'NOT_FOUND', 'PRECONDITION_FAILED', 'LIMIT_EXCEEDED'),
    },
  });

  return createRouter()
    .openapi(test, async (c) =>
      c.json(
        await sendTestPush({
          ctx: serviceContext(deps, c),
          deps: deps.delivery,
          input: { pushSubscriptionId: c.req.valid('param').id },
        }),
        200,
      ),
    )
    .openapi(vapidKey, (c) => c.json({ publicKey: deps.delivery.vapid.publicKey }, 200))
    .openapi(list, async (c) => c.json(await listPushSubscriptions({ ctx: serviceContext(deps, c) }), 200))
    .openapi(register, async (c) => {
      const registered = await registerPushSubscription({
        ctx: serviceContext(deps, c),
        deps: deps.delivery,
        input: c.req.valid('json'),
      });
      return c.json(registered, 201);
    })
    .openapi(unregister, async (c) => {
      await unregisterPushSubscription({
        ctx: serviceContext(deps, c),
        input: { pushSubscriptionId: c.req.valid('param').id },
      });
      return c.body(null, 204);
    });
}
