import { createRoute, z } from '@hono/zod-openapi';
import { becomeTrader } from '../../services/subscriptions/become-trader';
import { getTraderProfile } from '../../services/subscriptions/get-trader-profile';
import { type AppDeps, createRouter, serviceContext } from '../env';
import { errorResponses } from '../errors';
import { requireAuth } from '../middleware/require-auth';
import { PUBLIC_SECURITY, SESSION_SECURITY } from '../openapi';
import { IdParam, json } from './schemas';

const TraderProfileSchema = z
  .object({
    id: z.string(),
    username: z.string().nullable(),
    name: z.string().nullable(),
    bio: z.string().nullable(),
    avatarUrl: z.string().nullable(),
    isTrader: z.boolean(),
    verified: z.boolean().openapi({ description: 'Verified by an administrator' }),
    followers: z.number().int().openapi({ description: 'Active subscriptions to this trader' }),
  })
  .openapi('TraderProfile');

export function tradersRouter(deps: AppDeps) {
  const become = createRoute({
    method: 'post',
    path: '/me/trader',
    operationId: 'becomeTrader',
    tags: ['traders'],
    summary: 'Become a trader others can subscribe to',
    description: 'Idempotent. Verification (the badge) is granted by an administrator.',
    security: SESSION_SECURITY,
    middleware: [requireAuth(deps)] as const,
    responses: {
      200: json(TraderProfileSchema, 'My public trader profile'),
      ...errorResponses('UNAUTHENTICATED'),
    },
  });
  const profile = createRoute({
    method: 'get',
    path: '/traders/{id}',
    operationId: 'getTraderProfile',
    tags: ['traders'],
    summary: "A trader's public profile",
    description: 'Public. Users who are not traders, and deleted ones, are not found.',
    security: PUBLIC_SECURITY,
    request: { params: IdParam },
    responses: {
      200: json(TraderProfileSchema, 'The profile'),
      ...errorResponses('NOT_FOUND'),
    },
  });

  return createRouter()
    .openapi(become, async (c) => c.json(await becomeTrader({ ctx: serviceContext(deps, c) }), 200))
    .openapi(profile, async (c) =>
      c.json(
        await getTraderProfile({
          ctx: serviceContext(deps, c),
          input: { traderId: c.req.valid('param').id },
        }),
        200,
      ),
    );
}
