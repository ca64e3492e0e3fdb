import { createRoute, z } from '@hono/zod-openapi';
import { ORDER_STATUSES } from '../../domain/order-status';
import { COPY_OUTCOMES, COPY_REASONS, TRADE_SIDES } from '../../domain/vocabulary';
import { approveCopy, dismissCopy } from '../../services/copy/decide-approval';
import { listCopyLog } from '../../services/copy/list-copy-log';
import { type AppDeps, createRouter, serviceContext } from '../env';
import { errorResponses } from '../errors';
import { requireAuth } from '../middleware/require-auth';
import { SESSION_SECURITY } from '../openapi';
import { IdParam, json } from './schemas';

const CopySchema = z
  .object({
    id: z.string(),
    subscriptionId: z.string(),
    traderId: z.string(),
    sourceTradeId: z.string(),
    side: z.enum(TRADE_SIDES),
    symbol: z.string(),
    outcome: z.enum(COPY_OUTCOMES),
    reason: z.enum(COPY_REASONS).nullable().openapi({ example: 'daily_limit' }),
    detail: z.string().nullable(),
    sourceQuantity: z.number().int(),
    computedQuantity: z.number().int().nullable(),
    copyQuantity: z.number().int().nullable(),
    expiresAt: z.string().nullable(),
    decidedAt: z.string().nullable(),
    createdAt: z.string().nullable(),
    copyOrder: z
      .object({
        id: z.string(),
        status: z.enum(ORDER_STATUSES),
        filledQuantity: z.number().int(),
        filledPrice: z.string().nullable(),
        queued: z
          .boolean()
          .openapi({ description: "Waiting for the broker's shared rate budget, not sent yet" }),
      })
      .nullable(),
  })
  .openapi('CopyDecision');
const CopyPage = z.object({ copies: z.array(CopySchema), nextCursor: z.string().nullable() });
const LogQuery = z.object({
  outcome: z.string().optional().openapi({ example: 'pending_approval' }),
  limit: z.string().optional(),
  cursor: z.string().optional(),
});

export function copiesRouter(deps: AppDeps) {
  const auth = requireAuth(deps);
  const common = { tags: ['copy trading'], security: SESSION_SECURITY };
  const log = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'get',
    path: '/subscriptions/{id}/copies',
    operationId: 'listSubscriptionCopies',
    summary:
      'The copy log of one of my subscriptions: every decision with its outcome, reason and copy order',
    request: { params: IdParam, query: LogQuery },
    responses: {
      200: json(CopyPage, 'Newest first'),
      ...errorResponses('VALIDATION', 'UNAUTHENTICATED', 'NOT_FOUND'),
    },
  });
  const mine = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'get',
    path: '/copies',
    operationId: 'listCopies',
    summary: 'All my copy decisions (outcome=pending_approval for those waiting for me)',
    request: { query: LogQuery },
    responses: { 200: json(CopyPage, 'Newest first'), ...errorResponses('VALIDATION', 'UNAUTHENTICATED') },
  });
  const decide = (operationId: string, path: string, summary: string) =>
    createRoute({
      ...common,
      middleware: [auth] as const,
      method: 'post',
      path,
      operationId,
      summary,
      request: { params: IdParam },
      responses: {
        200: json(
          z.object({ decisionId: z.string(), copyTradeId: z.string().nullable().optional() }),
          'Done',
        ),
        ...errorResponses('UNAUTHENTICATED', 'NOT_FOUND', 'PRECONDITION_FAILED'),
      },
    });
  const approveRoute = decide(
    'approveCopy',
    '/copies/{id}/approve',
    'Approve a waiting copy: it executes at market now',
  );
  const dismissRoute = decide('dismissCopy', '/copies/{id}/dismiss', 'Dismiss a waiting copy');

  return createRouter()
    .openapi(log, async (c) => {
      const page = await listCopyLog({
        ctx: serviceContext(deps, c),
        input: { subscriptionId: c.req.valid('param').id, query: c.req.valid('query') },
      });
      return c.json(page, 200);
    })
    .openapi(mine, async (c) => {
      const page = await listCopyLog({
        ctx: serviceContext(deps, c),
        input: { query: c.req.valid('query') },
      });
      return c.json(page, 200);
    })
    .openapi(approveRoute, async (c) => {
      const result = await approveCopy({
        ctx: serviceContext(deps, c),
        deps: deps.trading,
        input: { decisionId: c.req.valid('param').id },
      });
      return c.json(result, 200);
    })
    .openapi(dismissRoute, async (c) => {
      const result = await dismissCopy({
        ctx: serviceContext(deps, c),
        input: { decisionId: c.req.valid('param').id },
      });
      return c.json(result, 200);
    });
}
