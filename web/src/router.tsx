import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { createRouter } from '@tanstack/react-router';
import { ApiError } from './api/client';
import { stopLive } from './live/stream';
import { routeTree } from './routeTree.gen';

export type RouterContext = { queryClient: QueryClient };

/**
 * The router and the query cache, made together: a 401 from any request means the session is
 * over, so the cache is emptied and the router goes to sign-in.
 */
export function createAppRouter() {
  const sessionEnded = (error: unknown) => {
    if (!(error instanceof ApiError) || !error.isUnauthenticated) return;
    if (router.state.location.pathname.startsWith('/sign-')) return;
    stopLive();
    queryClient.clear();
    void router.navigate({ to: '/sign-in' });
  };
  const queryClient: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError: sessionEnded }),
    mutationCache: new MutationCache({ onError: sessionEnded }),
    defaultOptions: {
      queries: {
        // Live events say when data changed; until then what was fetched stays good.
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        retry: (failures, error) =>
          !(error instanceof ApiError && error.status > 0 && error.status < 500) && failures < 2,
      },
    },
  });
  const router = createRouter({
    routeTree,
    context: { queryClient },
    defaultPreload: 'intent',
    // The query cache decides freshness; the router always asks it.
    defaultPreloadStaleTime: 0,
    scrollRestoration: true,
  });
  return { router, queryClient };
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof createAppRouter>['router'];
  }
}
