import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import type { OrderStatus } from '../../../../src/domain/shared-types';
import { call, client, type Schemas } from '../../api/client';

export type Order = Schemas['Order'];

/** Orders still at the broker: they can be cancelled or refreshed. */
export const WORKING_STATUSES: readonly OrderStatus[] = ['pending', 'partial'];

export const isWorking = (order: Pick<Order, 'status'>) => WORKING_STATUSES.includes(order.status);

export const orderKeys = {
  all: ['orders'] as const,
  list: (filter: { status?: string; positionId?: string }) => ['orders', 'list', filter] as const,
  history: (filter: { status?: string }) => ['orders', 'history', filter] as const,
};

const PAGE_SIZE = 25;

/** The newest orders (first page), optionally of some statuses or one position. */
export const ordersQuery = (filter: { status?: string; positionId?: string } = {}) =>
  queryOptions({
    queryKey: orderKeys.list(filter),
    queryFn: async () =>
      (await call(client.GET('/api/orders', { params: { query: { ...filter, limit: String(PAGE_SIZE) } } })))
        .orders,
  });

/** Every order, a page at a time (History). */
export const orderHistoryQuery = (filter: { status?: string }) =>
  infiniteQueryOptions({
    queryKey: orderKeys.history(filter),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      call(
        client.GET('/api/orders', {
          params: {
            query: { ...filter, limit: String(PAGE_SIZE), ...(pageParam ? { cursor: pageParam } : {}) },
          },
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });

const byId = (id: string) => ({ params: { path: { id } } });

export const cancelOrder = (id: string) => call(client.POST('/api/orders/{id}/cancel', byId(id)));
export const refreshOrder = (id: string) => call(client.POST('/api/orders/{id}/refresh', byId(id)));
