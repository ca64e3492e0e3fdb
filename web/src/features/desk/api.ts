import { queryOptions } from '@tanstack/react-query';
import { call, client, type Schemas } from '../../api/client';

export type DeskPage = Schemas['DeskPage'];
export type DeskCopy = Schemas['DeskCopy'];

export const deskKeys = {
  all: ['desk'] as const,
  subscriber: (subscriptionId: string) => ['desk', subscriptionId] as const,
};

/** What was copied or skipped for one of my subscribers, newest first, with the counts. */
export const subscriberCopiesQuery = (subscriptionId: string) =>
  queryOptions({
    queryKey: deskKeys.subscriber(subscriptionId),
    queryFn: () =>
      call(
        client.GET('/api/subscriptions/subscribers/{id}/copies', {
          params: { path: { id: subscriptionId }, query: { limit: '20' } },
        }),
      ),
  });
