import { queryOptions } from '@tanstack/react-query';
import { call, client, type Schemas } from '../../api/client';

export type TraderProfile = Schemas['TraderProfile'];
export type LeaderboardEntry = Schemas['LeaderboardEntry'];

export const traderKeys = {
  all: ['traders'] as const,
  one: (id: string) => ['traders', id] as const,
  list: (q: string) => ['traders', 'list', q] as const,
};

/** Traders by total P&L, or those whose username matches `q` (the leaderboard, first page). */
export const tradersListQuery = (q: string) =>
  queryOptions({
    queryKey: traderKeys.list(q),
    queryFn: () =>
      call(
        client.GET('/api/traders', {
          params: { query: { sort: 'totalPnl', ...(q ? { q } : {}), limit: 50 } },
        }),
      ),
  });

export const traderQuery = (id: string) =>
  queryOptions({
    queryKey: traderKeys.one(id),
    queryFn: () => call(client.GET('/api/traders/{id}', { params: { path: { id } } })),
  });

export const becomeTrader = () => call(client.POST('/api/me/trader'));
