import { queryOptions } from '@tanstack/react-query';
import type { CopyOutcome } from '../../../../src/domain/shared-types';
import { call, client, type Schemas } from '../../api/client';

export type Subscription = Schemas['Subscription'];
export type Subscriber = Schemas['Subscriber'];
export type CopyDecision = Schemas['CopyDecision'];
export type SubscriptionSettingsInput = Schemas['SubscriptionSettingsInput'];

export const copyKeys = {
  subscriptions: ['subscriptions'] as const,
  subscribers: ['subscribers'] as const,
  copies: ['copies'] as const,
  inbox: ['copies', 'inbox'] as const,
  log: (subscriptionId: string | null) => ['copies', 'log', subscriptionId] as const,
};

export const subscriptionsQuery = () =>
  queryOptions({
    queryKey: copyKeys.subscriptions,
    queryFn: async () =>
      (await call(client.GET('/api/subscriptions', { params: { query: { limit: '200' } } }))).subscriptions,
  });

export const subscribersQuery = () =>
  queryOptions({
    queryKey: copyKeys.subscribers,
    queryFn: async () =>
      (await call(client.GET('/api/subscriptions/subscribers', { params: { query: { limit: '200' } } })))
        .subscribers,
  });

const PENDING: CopyOutcome = 'pending_approval';

/** Copies waiting for my approval, newest first. */
export const approvalInboxQuery = () =>
  queryOptions({
    queryKey: copyKeys.inbox,
    queryFn: async () =>
      (await call(client.GET('/api/copies', { params: { query: { outcome: PENDING, limit: '200' } } })))
        .copies,
  });

/** The copy log: of one subscription, or of all (null), newest first. */
export const copyLogQuery = (subscriptionId: string | null) =>
  queryOptions({
    queryKey: copyKeys.log(subscriptionId),
    queryFn: async () => {
      const query = { limit: '100' };
      const page = subscriptionId
        ? await call(
            client.GET('/api/subscriptions/{id}/copies', { params: { path: { id: subscriptionId }, query } }),
          )
        : await call(client.GET('/api/copies', { params: { query } }));
      return page.copies;
    },
  });

const byId = (id: string) => ({ params: { path: { id } } });

export const subscribe = (body: { traderId: string; settings?: SubscriptionSettingsInput }) =>
  call(client.POST('/api/subscriptions', { body }));
export const updateSubscriptionSettings = (id: string, settings: SubscriptionSettingsInput) =>
  call(client.PATCH('/api/subscriptions/{id}', { ...byId(id), body: { settings } }));
export const pauseSubscription = (id: string) => call(client.POST('/api/subscriptions/{id}/pause', byId(id)));
export const resumeSubscription = (id: string) =>
  call(client.POST('/api/subscriptions/{id}/resume', byId(id)));
export const cancelSubscription = (id: string) =>
  call(client.POST('/api/subscriptions/{id}/cancel', byId(id)));
export const approveCopy = (id: string) => call(client.POST('/api/copies/{id}/approve', byId(id)));
export const dismissCopy = (id: string) => call(client.POST('/api/copies/{id}/dismiss', byId(id)));
