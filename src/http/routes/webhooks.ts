import { createRoute, z } from '@hono/zod-openapi';
import { handleSnaptradeWebhook } from '../../services/trading/handle-snaptrade-webhook';
import { type AppDeps, createRouter, serviceContext } from '../env';
import { errorResponses } from '../errors';
import { PUBLIC_SECURITY } from '../openapi';

export function webhooksRouter(deps: AppDeps) {
  const snaptrade = createRoute({
    method: 'post',
    path: '/webhooks/snaptrade',
    operationId: 'receiveSnaptradeWebhook',
    // No session: SnapTrade proves itself with the signature, checked by the service.
    security: PUBLIC_SECURITY,
    tags: ['webhooks'],
    summary: 'SnapTrade events (verified by the Signature header; older than 300 s refused)',
    request: { headers: z.object({ signature: z.string().optional() }) },
    responses: {
      200: {
        description: 'Accepted',
        content: {
          'application/json': { schema: z.object({ accepted: z.boolean(), synced: z.number().int() }) },
        },
      },
      ...errorResponses('VALIDATION', 'UNAUTHENTICATED', 'NOT_FOUND'),
    },
  });
  return createRouter().openapi(snaptrade, async (c) => {
    // The signature covers the exact bytes sent, so the body is read raw.
    const rawBody = await c.req.text();
    const result = await handleSnaptradeWebhook({
      ctx: serviceContext(deps, c),
      deps: deps.trading,
      input: { rawBody, signature: c.req.header('signature') },
    });
    return c.json(result, 200);
  });
}
