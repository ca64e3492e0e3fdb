import { createRoute, z } from '@hono/zod-openapi';
import { ORDER_STATUSES } from '../../domain/order-status';
import { COPY_OUTCOMES, COPY_REASONS, TRADE_SIDES } from '../../domain/vocabulary';
import { approveCopy, dismissCopy, retryCopy } from '../../services/copy/decide-approval';
import { listCopyLog } from '../../services/copy/list-copy-log';
import { listSubscriberCopies } from '../../services/copy/list-subscriber-copies';
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
    copiedQuantity: z.number().int(),
    timing: z
      .object({
        traderFilledAt: z.string().nullable(),
        decidedAt: z.string().nullable(),
        sentAt: z.string().nullable(),
        acceptedAt: z.string().nullable(),
        filledAt: z.string().nullable(),
        traderFillPrice: z.string().nullable(),
        fillPrice: z.string().nullable(),
        priceDifference: z
          .string()
          .nullable()
          .openapi({ description: 'copy − trader fill price, per contract' }),
      })
      .openapi('CopyTiming'),
  })
  .openapi('CopyDecision');
const CopyPage = z.object({ copies: z.array(CopySchema), nextCursor: z.string().nullable() });
const DeskCopySchema = z
  .object({
    id: z.string(),
    sourceTradeId: z.string(),
    side: z.enum(TRADE_SIDES),
    symbol: z.string(),
    outcome: z.enum(COPY_OUTCOMES),
    reason: z.enum(COPY_REASONS).nullable(),
    sourceQuantity: z.number().int().openapi({ description: 'What the trader traded' }),
    copyQuantity: z.number().int().nullable().openapi({ description: 'What was copied' }),
    copyStatus: z.enum(ORDER_STATUSES).nullable(),
    createdAt: z.string().nullable(),
  })
  .openapi('DeskCopy');
const DeskPage = z
  .object({
    summary: z
      .object({
        total: z.number().int(),
        byOutcome: z.partialRecord(z.enum(COPY_OUTCOMES), z.number().int()),
        byReason: z.partialRecord(z.enum(COPY_REASONS), z.number().int()),
      })
      .openapi({ description: 'All decisions of this subscription, counted by outcome and by reason' }),
    copies: z.array(DeskCopySchema),
    nextCursor: z.string().nullable(),
  })
  .openapi('DeskPage');
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
  const desk = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'get',
    path: '/subscriptions/subscribers/{id}/copies',
    operationId: 'listSubscriberCopies',
    summary: "The trader's desk: what was copied or skipped for one of my subscribers, and why",
    description:
      'For a subscription to me (the trader): each decision with its outcome and reason, and counts. ' +
      "Nothing of the subscriber's account: no prices paid, balances or broker messages.",
    request: { params: IdParam, query: LogQuery },
    responses: {
      200: json(DeskPage, 'Newest first'),
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
        ...errorResponses('UNAUTHENTICATED', 'NOT_FOUND', 'CONFLICT', 'PRECONDITION_FAILED'),
      },
    });
  const approveRoute = decide(
    'approveCopy',
    '/copies/{id}/approve',
    'Approve a waiting copy: it executes at market now, scaled to what the trader still holds (409 once the trader has closed)',
  );
  const dismissRoute = decide('dismissCopy', '/copies/{id}/dismiss', 'Dismiss a waiting copy');
  const retryRoute = decide(
    'retryCopy',
    '/copies/{id}/retry',
    'Retry a failed or price-drift copy within 15 minutes, while the trader still holds the position: a new order on the same decision',
  );

  return createRouter()
    .openapi(log, async (c) => {
      const page = await listCopyLog({
        ctx: serviceContext(deps, c),
        input: { subscriptionId: c.req.valid('param').id, query: c.req.valid('query') },
      });
      return c.json(page, 200);
    })
    .openapi(desk, async (c) => {
      const page = await listSubscriberCopies({
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
    .openapi(retryRoute, async (c) => {
      const result = await retryCopy({
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
