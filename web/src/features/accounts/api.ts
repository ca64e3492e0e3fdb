import { queryOptions } from '@tanstack/react-query';
import { call, client, type Schemas } from '../../api/client';

export type Account = Schemas['Account'];

export const accountKeys = { all: ['accounts'] as const };

export const accountsQuery = () =>
  queryOptions({
    queryKey: accountKeys.all,
    queryFn: async () => (await call(client.GET('/api/accounts'))).accounts,
  });

/** The account orders go to: the selected active one, if any. */
export const selectedAccount = (accounts: readonly Account[] | undefined): Account | undefined =>
  accounts?.find((account) => account.isSelected && account.isActive);

const byId = (id: string) => ({ params: { path: { id } } });

export const openPaperAccount = (body: { name?: string; startingBalance?: string }) =>
  call(client.POST('/api/accounts/paper', { body }));
export const selectAccount = (id: string) => call(client.POST('/api/accounts/{id}/select', byId(id)));
export const syncAccount = (id: string) => call(client.POST('/api/accounts/{id}/sync', byId(id)));
export const disconnectAccount = (id: string) => call(client.POST('/api/accounts/{id}/disconnect', byId(id)));
/** The SnapTrade Connection Portal's address; it sends the browser back to the API's callback. */
export const startSnaptradeConnection = () =>
  call(client.POST('/api/accounts/snaptrade/connect', { body: {} }));
export const refreshSnaptradeAccounts = () => call(client.POST('/api/accounts/snaptrade/refresh'));
/** The Connection Portal's address to repair this account's broken connection (same connection, same account). */
export const reconnectAccount = (id: string) =>
  call(client.POST('/api/accounts/{id}/reconnect', { ...byId(id), body: {} }));
