import { createRoute, z } from '@hono/zod-openapi';
import { checkDatabase } from '../../services/system/check-database';
import { type AppDeps, createRouter, serviceContext } from '../env';
import { PUBLIC_SECURITY } from '../openapi';

const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    version: z.string(),
    database: z.enum(['up', 'down']),
  })
  .openapi('Health');

const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  operationId: 'getHealth',
  security: PUBLIC_SECURITY,
  tags: ['system'],
  summary: 'Liveness and database reachability',
  responses: {
    200: {
      description: 'Serving, database reachable',
      content: { 'application/json': { schema: HealthSchema } },
    },
    503: { description: 'Database unreachable', content: { 'application/json': { schema: HealthSchema } } },
  },
});

export function healthRouter(deps: AppDeps) {
  return createRouter().openapi(healthRoute, async (c) => {
    const database = await checkDatabase({ ctx: serviceContext(deps, c) });
    const version = deps.config.version;
    if (database === 'up') return c.json({ status: 'ok' as const, version, database }, 200);
    return c.json({ status: 'degraded' as const, version, database }, 503);
  });
}
