import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { call, client, type Schemas } from '../../api/client';

export type Position = Schemas['Position'];
export type PositionWithOrders = Schemas['PositionWithOrders'];

export const positionKeys = {
  all: ['positions'] as const,
  open: ['positions', 'open'] as const,
  closed: ['positions', 'closed'] as const,
  one: (id: string) => ['positions', 'one', id] as const,
};

const PAGE_SIZE = 25;

/** Open positions: the whole list (a trader rarely holds more than a page). */
export const openPositionsQuery = () =>
  queryOptions({
    queryKey: positionKeys.open,
    queryFn: async () =>
      (await call(client.GET('/api/positions', { params: { query: { status: 'open', limit: '200' } } })))
        .positions,
  });

/** Closed and expired positions, a page at a time (History). */
export const closedPositionsQuery = () =>
  infiniteQueryOptions({
    queryKey: positionKeys.closed,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      call(
        client.GET('/api/positions', {
          params: {
            query: {
              status: 'closed',
              limit: String(PAGE_SIZE),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });

export const positionQuery = (id: string) =>
  queryOptions({
    queryKey: positionKeys.one(id),
    queryFn: () => call(client.GET('/api/positions/{id}', { params: { path: { id } } })),
  });
