import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { call, client, type Schemas } from '../../api/client';
import type { operations } from '../../api/schema';

export type TraderProfile = Schemas['TraderProfile'];
export type LeaderboardEntry = Schemas['LeaderboardEntry'];
export type TraderProfileWithStatistics = Schemas['TraderProfileWithStatistics'];

export const traderKeys = {
  all: ['traders'] as const,
  one: (id: string) => ['traders', id] as const,
  board: (query: LeaderboardQuery) => ['traders', 'board', query] as const,
};

export type LeaderboardPeriod = 'all' | '30d' | '7d' | '24h';
export type LeaderboardSort = NonNullable<
  NonNullable<operations['listTraders']['parameters']['query']>['sort']
>;
export type LeaderboardQuery = {
  period: LeaderboardPeriod;
  sort: LeaderboardSort;
  order: 'desc' | 'asc';
  q: string;
};

export const LEADERBOARD_PAGE_SIZE = 20;

/** The leaderboard, a page at a time (the API's cursor). */
export const leaderboardQuery = (query: LeaderboardQuery) =>
  infiniteQueryOptions({
    queryKey: traderKeys.board(query),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      call(
        client.GET('/api/traders', {
          params: {
            query: {
              period: query.period,
              sort: query.sort,
              order: query.order,
              limit: LEADERBOARD_PAGE_SIZE,
              ...(query.q ? { q: query.q } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });

export const traderQuery = (id: string) =>
  queryOptions({
    queryKey: traderKeys.one(id),
    queryFn: () => call(client.GET('/api/traders/{id}', { params: { path: { id } } })),
  });

export const becomeTrader = () => call(client.POST('/api/me/trader'));
