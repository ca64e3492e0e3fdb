import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../errors';
import { cancelOrder } from '../../services/trading/cancel-order';
import { getOrderView, listOrders } from '../../services/trading/list-orders';
import { placeOrderInputSchema } from '../../services/trading/order-input';
import { placeBtoOrder } from '../../services/trading/place-bto';
import { placeStc } from '../../services/trading/place-stc';
import { refreshOrder } from '../../services/trading/refresh-order';
import { type AppDeps, createRouter, serviceContext } from '../env';
import { errorResponses } from '../errors';
import { requireAuth } from '../middleware/require-auth';
import { SESSION_SECURITY } from '../openapi';
import { IdParam, json, OrderSchema, serialize } from './schemas';

/** PRODUCT.md §6: placing orders, 10 a minute per user. */
export const ORDER_RATE_LIMIT = { limit: 10, windowSeconds: 60 };

export function ordersRouter(deps: AppDeps) {
  const auth = requireAuth(deps);
  // Placing orders: the session and its rate limit in one round trip (as `rateLimit` after `auth`).
  const authCountingOrders = requireAuth(deps, { rateLimit: { scope: 'orders', ...ORDER_RATE_LIMIT } });
  const common = { tags: ['orders'], security: SESSION_SECURITY };

  const list = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'get',
    path: '/orders',
    operationId: 'listOrders',
    summary: 'My orders, newest first',
    request: {
      query: z.object({
        status: z
          .string()
          .optional()
          .openapi({ description: 'Comma-separated statuses', example: 'pending,partial' }),
        positionId: z.string().optional(),
        limit: z.string().optional().openapi({ description: '1 to 200, default 50' }),
        cursor: z.string().optional().openapi({ description: 'nextCursor of the previous page' }),
      }),
    },
    responses: {
      200: json(
        z.object({ orders: z.array(OrderSchema), nextCursor: z.string().nullable() }),
        'A page of orders',
      ),
      ...errorResponses('VALIDATION', 'UNAUTHENTICATED'),
    },
  });
  const place = createRoute({
    ...common,
    middleware: [authCountingOrders] as const,
    method: 'post',
    path: '/orders',
    operationId: 'placeOrder',
    summary: 'Place a BTO (buy to open) or STC (sell to close) order',
    description:
      'BTO needs underlying, optionType, strike, expiration and quantity; STC needs positionId and quantity. ' +
      'Limit and StopLimit need limitPrice; Stop and StopLimit need stopPrice. Limited to 10 a minute.',
    request: { body: { required: true, content: { 'application/json': { schema: placeOrderInputSchema } } } },
    responses: {
      201: json(OrderSchema, 'The order as recorded after the broker answered (it may be rejected)'),
      ...errorResponses(
        'VALIDATION',
        'UNAUTHENTICATED',
        'NOT_FOUND',
        'PRECONDITION_FAILED',
        'BROKER_REJECTED',
        'LIMIT_EXCEEDED',
      ),
    },
  });
  const getOne = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'get',
    path: '/orders/{id}',
    operationId: 'getOrder',
    summary: 'One order',
    request: { params: IdParam },
    responses: { 200: json(OrderSchema, 'The order'), ...errorResponses('UNAUTHENTICATED', 'NOT_FOUND') },
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
        200: json(OrderSchema, 'The order as the broker now reports it'),
        ...errorResponses('UNAUTHENTICATED', 'NOT_FOUND', 'PRECONDITION_FAILED', 'BROKER_REJECTED'),
      },
    });

  const view = async (c: Parameters<typeof serviceContext>[1], tradeId: string) => {
    const order = await getOrderView(serviceContext(deps, c), tradeId);
    if (!order) throw new AppError('NOT_FOUND', 'Order not found');
    return serialize(order);
  };

  const cancelRoute = action('cancelOrder', '/orders/{id}/cancel', 'Cancel a working order');
  const refreshRoute = action('refreshOrder', '/orders/{id}/refresh', 'Ask the broker about this order now');

  return createRouter()
    .openapi(list, async (c) => {
      const page = await listOrders({ ctx: serviceContext(deps, c), input: c.req.valid('query') });
      return c.json(serialize(page), 200);
    })
    .openapi(place, async (c) => {
      const body = c.req.valid('json');
      const ctx = serviceContext(deps, c);
      const placed =
        body.side === 'BTO'
          ? await placeBtoOrder({ ctx, deps: deps.trading, input: body })
          : { trade: await placeStc({ ctx, deps: deps.trading, input: body }), view: null };
      return c.json(placed.view ? serialize(placed.view) : await view(c, placed.trade.id), 201);
    })
    .openapi(getOne, async (c) => c.json(await view(c, c.req.valid('param').id), 200))
    .openapi(cancelRoute, async (c) => {
      const trade = await cancelOrder({
        ctx: serviceContext(deps, c),
        deps: deps.trading,
        input: { tradeId: c.req.valid('param').id },
      });
      return c.json(await view(c, trade.id), 200);
    })
    .openapi(refreshRoute, async (c) => {
      const trade = await refreshOrder({
        ctx: serviceContext(deps, c),
        deps: deps.trading,
        input: { tradeId: c.req.valid('param').id },
      });
      return c.json(await view(c, trade.id), 200);
    });
}
