import { queryOptions } from '@tanstack/react-query';
import { call, client, type Schemas } from '../../api/client';

export type Profile = Schemas['Profile'];
export type Health = Schemas['Health'];

export const meKey = ['me'] as const;

/** Who is signed in: the server's answer to /api/me (a 401 means nobody). */
export const meQuery = () =>
  queryOptions({ queryKey: meKey, queryFn: () => call(client.GET('/api/me')), staleTime: 60_000 });

/** Health answers 503 with the same body when the database is down: that is an answer, not an error. */
export const healthQuery = () =>
  queryOptions({
    queryKey: ['health'] as const,
    queryFn: async (): Promise<Health> => {
      const answer = await client.GET('/api/health').catch(() => undefined);
      if (answer?.data) return answer.data;
      if (answer?.response.status === 503 && answer.error) return answer.error;
      return call(client.GET('/api/health'));
    },
  });

export const signIn = (body: { email: string; password: string }) =>
  call(client.POST('/api/auth/sign-in/email', { body }));

export const signUp = (body: { name: string; email: string; password: string }) =>
  call(client.POST('/api/auth/sign-up/email', { body }));

export const signOut = () => call(client.POST('/api/auth/sign-out'));

export const requestPasswordReset = (email: string) =>
  call(client.POST('/api/auth/request-password-reset', { body: { email, redirectTo: '/reset-password' } }));

export const resetPassword = (body: { token: string; newPassword: string }) =>
  call(client.POST('/api/auth/reset-password', { body }));
