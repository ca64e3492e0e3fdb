import { createRoute, z } from '@hono/zod-openapi';
import { getPosition, listPositions } from '../../services/trading/list-positions';
import { type AppDeps, createRouter, serviceContext } from '../env';
import { errorResponses } from '../errors';
import { requireAuth } from '../middleware/require-auth';
import { SESSION_SECURITY } from '../openapi';
import { json, PositionSchema, PositionWithOrdersSchema, serialize } from './schemas';

export function positionsRouter(deps: AppDeps) {
  const auth = requireAuth(deps);
  const common = { tags: ['positions'], security: SESSION_SECURITY };
  const list = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'get',
    path: '/positions',
    operationId: 'listPositions',
    summary: 'My positions: open (default), closed (closed and expired) or all',
    request: {
      query: z.object({
        status: z.string().optional().openapi({ example: 'open' }),
        limit: z.string().optional(),
        cursor: z.string().optional(),
      }),
    },
    responses: {
      200: json(
        z.object({ positions: z.array(PositionSchema), nextCursor: z.string().nullable() }),
        'A page',
      ),
      ...errorResponses('VALIDATION', 'UNAUTHENTICATED'),
    },
  });
  const getOne = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'get',
    path: '/positions/{id}',
    operationId: 'getPosition',
    summary: 'One position with its orders',
    request: {
      params: z.object({
        id: z
          .string()
          .min(1)
          .openapi({ param: { name: 'id', in: 'path' } }),
      }),
    },
    responses: {
      200: json(PositionWithOrdersSchema, 'The position'),
      ...errorResponses('UNAUTHENTICATED', 'NOT_FOUND'),
    },
  });
  return createRouter()
    .openapi(list, async (c) => {
      const page = await listPositions({ ctx: serviceContext(deps, c), input: c.req.valid('query') });
      return c.json(serialize(page), 200);
    })
    .openapi(getOne, async (c) => {
      const position = await getPosition({
        ctx: serviceContext(deps, c),
        input: { positionId: c.req.valid('param').id },
      });
      return c.json(serialize(position), 200);
    });
}
