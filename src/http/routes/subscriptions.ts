import { createRoute, z } from '@hono/zod-openapi';
import { SUBSCRIPTION_STATUSES } from '../../domain/vocabulary';
import { cancelSubscription } from '../../services/subscriptions/cancel-subscription';
import { getSubscription } from '../../services/subscriptions/get-subscription';
import { listMySubscribers } from '../../services/subscriptions/list-my-subscribers';
import { listMySubscriptions } from '../../services/subscriptions/list-my-subscriptions';
import { pauseSubscription } from '../../services/subscriptions/pause-subscription';
import { resumeSubscription } from '../../services/subscriptions/resume-subscription';
import { subscribe } from '../../services/subscriptions/subscribe';
import { updateSubscriptionSettings } from '../../services/subscriptions/update-subscription-settings';
import { type AppDeps, createRouter, serviceContext } from '../env';
import { errorResponses } from '../errors';
import { requireAuth } from '../middleware/require-auth';
import { SESSION_SECURITY } from '../openapi';
import { IdParam, json, serialize } from './schemas';

const timestamp = z.string().nullable().openapi({ format: 'date-time' });

const CopySizingSchema = z
  .object({
    mode: z.enum(['multiplier', 'fixed', 'premium', 'equity']),
    contracts: z.number().optional().openapi({ description: 'fixed: whole contracts per copy' }),
    dollars: z
      .number()
      .optional()
      .openapi({ description: 'premium: contracts = floor(dollars ÷ (ask × 100))' }),
    percent: z
      .number()
      .optional()
      .openapi({ description: "equity: percent of the account's buying power at the ask" }),
  })
  .openapi('CopySizing', { description: 'How opening copies are sized; always capped by maxPositionSize' });

export const SubscriptionSettingsSchema = z
  .object({
    autoExecute: z.boolean().openapi({ description: 'Copies are placed without asking the subscriber' }),
    maxPositionSize: z.number().int().openapi({ description: 'Cap in contracts per copied trade' }),
    maxDailyTrades: z.number().int().openapi({ description: 'Copied openings per US/Eastern trading day' }),
    scalingFactor: z.number().openapi({ description: "Multiplier of the trader's quantity", example: 0.5 }),
    sizing: CopySizingSchema,
    maxPriceDriftPercent: z
      .number()
      .nullable()
      .openapi({ description: "Drift guard, percent above the trader's fill; null: off" }),
    driftLimitSeconds: z
      .number()
      .int()
      .openapi({ description: "How long the drift guard's Limit order works" }),
    maxDailyLoss: z
      .number()
      .nullable()
      .openapi({ description: 'Dollars lost on the Eastern day that stop new openings; null: off' }),
    copyOpenPositions: z.boolean().openapi({ description: "Copy the trader's open positions on subscribe" }),
  })
  .openapi('SubscriptionSettings');

/** Every setting optional; unknown keys are refused so a typo is not silently ignored. */
const SubscriptionSettingsInput = z
  .strictObject(
    {
      autoExecute: z
        .boolean('must be true or false')
        .optional()
        .openapi({ description: 'Default false: each copy waits for approval' }),
      scalingFactor: z
        .union([z.number(), z.string()], 'must be a number from 0.01 to 10 with at most 2 decimals')
        .optional()
        .openapi({ description: '0.01 to 10, at most 2 decimals; default 1', example: 0.5 }),
      maxPositionSize: z
        .number('must be a whole number from 1 to 1000')
        .optional()
        .openapi({ description: 'Whole contracts per copied trade, 1 to 1000; default 10' }),
      maxDailyTrades: z
        .number('must be a whole number from 1 to 100')
        .optional()
        .openapi({ description: 'Copied openings per trading day, 1 to 100; default 5' }),
      sizing: z
        .unknown()
        .optional()
        .openapi({ description: "CopySizing; default {mode: 'multiplier'}", type: 'object' }),
      maxPriceDriftPercent: z
        .unknown()
        .optional()
        .openapi({ description: '0.5 to 100, or null (off, the default)', type: 'number' }),
      driftLimitSeconds: z
        .unknown()
        .optional()
        .openapi({ description: '1 to 3600; default 30', type: 'integer' }),
      maxDailyLoss: z
        .unknown()
        .optional()
        .openapi({ description: 'Dollars, or null (off, the default)', type: 'number' }),
      copyOpenPositions: z.unknown().optional().openapi({
        description: "Copy the trader's open positions at once (on subscribe); default false",
        type: 'boolean',
      }),
    },
    { error: (issue) => (issue.input === undefined ? 'is required' : undefined) },
  )
  .openapi('SubscriptionSettingsInput');

const TraderSummarySchema = z
  .object({
    id: z.string(),
    username: z.string().nullable(),
    name: z.string().nullable(),
    avatarUrl: z.string().nullable(),
    verified: z.boolean(),
  })
  .openapi('TraderSummary');

export const SubscriptionSchema = z
  .object({
    id: z.string(),
    trader: TraderSummarySchema,
    settings: SubscriptionSettingsSchema,
    status: z.enum(SUBSCRIPTION_STATUSES),
    createdAt: timestamp,
    pausedAt: timestamp,
    cancelledAt: timestamp,
    updatedAt: timestamp,
  })
  .openapi('Subscription');

const SubscriberSchema = z
  .object({
    subscriptionId: z.string(),
    subscriber: z.object({ id: z.string(), username: z.string().nullable(), name: z.string().nullable() }),
    settings: SubscriptionSettingsSchema,
    status: z.enum(SUBSCRIPTION_STATUSES),
    since: timestamp.openapi({ description: 'When the subscription was first made' }),
    pausedAt: timestamp,
    cancelledAt: timestamp,
  })
  .openapi('Subscriber');

const SubscribeBody = z
  .object({
    traderId: z.string('must be the id of a trader').openapi({ description: 'The id of a trader' }),
    settings: SubscriptionSettingsInput.optional(),
  })
  .openapi('Subscribe');

const UpdateSettingsBody = z
  .object({ settings: SubscriptionSettingsInput })
  .openapi('UpdateSubscriptionSettings', { description: 'Only the settings given change' });

const ListQuery = z.object({
  status: z
    .string()
    .optional()
    .openapi({ description: 'Comma-separated statuses (active, paused, cancelled); default all' }),
  limit: z.string().optional().openapi({ description: '1 to 200, default 50' }),
  cursor: z.string().optional().openapi({ description: 'nextCursor of the previous page' }),
});

export function subscriptionsRouter(deps: AppDeps) {
  const auth = requireAuth(deps);
  const common = { tags: ['subscriptions'], security: SESSION_SECURITY };

  const create = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'post',
    path: '/subscriptions',
    operationId: 'subscribe',
    summary: 'Subscribe to a trader',
    description:
      'Only traders can be subscribed to, never yourself. Subscribing again after a cancel reactivates ' +
      'the same subscription with the settings given (defaults for the others).',
    request: { body: { required: true, content: { 'application/json': { schema: SubscribeBody } } } },
    responses: {
      201: json(
        SubscriptionSchema.extend({
          accountWarning: z.string().nullable().openapi({
            description:
              'Why copies cannot be placed yet (the selected account is read-only, its connection is broken, or none is selected)',
          }),
        }),
        'The new (or reactivated) subscription',
      ),
      ...errorResponses('VALIDATION', 'UNAUTHENTICATED', 'NOT_FOUND', 'CONFLICT'),
    },
  });
  const list = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'get',
    path: '/subscriptions',
    operationId: 'listSubscriptions',
    summary: 'The traders I subscribe to, newest first',
    request: { query: ListQuery },
    responses: {
      200: json(
        z.object({ subscriptions: z.array(SubscriptionSchema), nextCursor: z.string().nullable() }),
        'A page of my subscriptions',
      ),
      ...errorResponses('VALIDATION', 'UNAUTHENTICATED'),
    },
  });
  const subscribers = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'get',
    path: '/subscriptions/subscribers',
    operationId: 'listSubscribers',
    summary: 'Who subscribes to my trades, newest first',
    request: { query: ListQuery },
    responses: {
      200: json(
        z.object({ subscribers: z.array(SubscriberSchema), nextCursor: z.string().nullable() }),
        'A page of my subscribers',
      ),
      ...errorResponses('VALIDATION', 'UNAUTHENTICATED'),
    },
  });
  const getOne = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'get',
    path: '/subscriptions/{id}',
    operationId: 'getSubscription',
    summary: 'One of my subscriptions',
    request: { params: IdParam },
    responses: {
      200: json(SubscriptionSchema, 'The subscription'),
      ...errorResponses('UNAUTHENTICATED', 'NOT_FOUND'),
    },
  });
  const update = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'patch',
    path: '/subscriptions/{id}',
    operationId: 'updateSubscriptionSettings',
    summary: 'Change the settings of an active or paused subscription',
    request: {
      params: IdParam,
      body: { required: true, content: { 'application/json': { schema: UpdateSettingsBody } } },
    },
    responses: {
      200: json(SubscriptionSchema, 'The subscription with its new settings'),
      ...errorResponses('VALIDATION', 'UNAUTHENTICATED', 'NOT_FOUND', 'PRECONDITION_FAILED'),
    },
  });
  const action = (operationId: string, path: string, summary: string) =>
    createRoute({
      ...common,
      middleware: [auth] as const,
      method: 'post',
      path,
      operationId,
      summary,
      request: { params: IdParam },
      responses: {
        200: json(SubscriptionSchema, 'The subscription'),
        ...errorResponses('UNAUTHENTICATED', 'NOT_FOUND', 'PRECONDITION_FAILED'),
      },
    });

  const pauseRoute = action(
    'pauseSubscription',
    '/subscriptions/{id}/pause',
    'Pause: nothing is copied until resumed',
  );
  const resumeRoute = action(
    'resumeSubscription',
    '/subscriptions/{id}/resume',
    'Resume a paused subscription',
  );
  const cancelRoute = action(
    'cancelSubscription',
    '/subscriptions/{id}/cancel',
    'Cancel (subscribing again reactivates it)',
  );

  // The fixed path /subscriptions/subscribers is registered before /subscriptions/{id}.
  return createRouter()
    .openapi(create, async (c) => {
      const { subscription, accountWarning } = await subscribe({
        ctx: serviceContext(deps, c),
        input: c.req.valid('json'),
      });
      return c.json({ ...serialize(subscription), accountWarning }, 201);
    })
    .openapi(list, async (c) => {
      const page = await listMySubscriptions({ ctx: serviceContext(deps, c), input: c.req.valid('query') });
      return c.json(serialize(page), 200);
    })
    .openapi(subscribers, async (c) => {
      const page = await listMySubscribers({ ctx: serviceContext(deps, c), input: c.req.valid('query') });
      return c.json(serialize(page), 200);
    })
    .openapi(getOne, async (c) => {
      const subscription = await getSubscription({
        ctx: serviceContext(deps, c),
        input: { subscriptionId: c.req.valid('param').id },
      });
      return c.json(serialize(subscription), 200);
    })
    .openapi(update, async (c) => {
      const subscription = await updateSubscriptionSettings({
        ctx: serviceContext(deps, c),
        input: { subscriptionId: c.req.valid('param').id, settings: c.req.valid('json').settings },
      });
      return c.json(serialize(subscription), 200);
    })
    .openapi(pauseRoute, async (c) => {
      const subscription = await pauseSubscription({
        ctx: serviceContext(deps, c),
        input: { subscriptionId: c.req.valid('param').id },
      });
      return c.json(serialize(subscription), 200);
    })
    .openapi(resumeRoute, async (c) => {
      const subscription = await resumeSubscription({
        ctx: serviceContext(deps, c),
        input: { subscriptionId: c.req.valid('param').id },
      });
      return c.json(serialize(subscription), 200);
    })
    .openapi(cancelRoute, async (c) => {
      const subscription = await cancelSubscription({
        ctx: serviceContext(deps, c),
        input: { subscriptionId: c.req.valid('param').id },
      });
      return c.json(serialize(subscription), 200);
    });
}
