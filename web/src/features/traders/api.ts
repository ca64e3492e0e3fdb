import { queryOptions } from '@tanstack/react-query';
import { call, client, type Schemas } from '../../api/client';

export type TraderProfile = Schemas['TraderProfile'];

export const traderKeys = {
  all: ['traders'] as const,
  one: (id: string) => ['traders', id] as const,
};

export const traderQuery = (id: string) =>
  queryOptions({
    queryKey: traderKeys.one(id),
    queryFn: () => call(client.GET('/api/traders/{id}', { params: { path: { id } } })),
  });

export const becomeTrader = () => call(client.POST('/api/me/trader'));
