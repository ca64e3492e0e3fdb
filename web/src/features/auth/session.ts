import type { QueryClient } from '@tanstack/react-query';
import { redirect } from '@tanstack/react-router';
import { ApiError } from '../../api/client';
import { meQuery, type Profile } from './api';

/** The signed-in profile, or a redirect to sign-in (coming back here after). */
export async function requireSession(queryClient: QueryClient, returnTo: string): Promise<Profile> {
  try {
    return await queryClient.ensureQueryData(meQuery());
  } catch (error) {
    if (error instanceof ApiError && error.isUnauthenticated) {
      throw redirect({ to: '/sign-in', search: returnTo === '/' ? {} : { redirect: returnTo } });
    }
    throw error;
  }
}

/** Whether someone is signed in (an unreachable server counts as no). */
export async function hasSession(queryClient: QueryClient): Promise<boolean> {
  try {
    await queryClient.ensureQueryData(meQuery());
    return true;
  } catch {
    return false;
  }
}
