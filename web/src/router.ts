import { useCallback, useSyncExternalStore } from 'react';

/** The screens the address can name. Signed-in screens come later; for now there is one. */
export type Route = 'sign-in' | 'sign-up' | 'home';

const HASH_BY_ROUTE: Record<Route, string> = {
  'sign-in': '#/sign-in',
  'sign-up': '#/sign-up',
  home: '#/',
};

export function routeFromHash(hash: string): Route {
  if (hash === HASH_BY_ROUTE['sign-up']) return 'sign-up';
  if (hash === HASH_BY_ROUTE['sign-in']) return 'sign-in';
  return 'home';
}

export function hrefOf(route: Route): string {
  return HASH_BY_ROUTE[route];
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

const readHash = () => window.location.hash;

/** The current route from `location.hash`, and a way to go elsewhere (kept in history). */
export function useHashRoute(): [Route, (route: Route) => void] {
  const hash = useSyncExternalStore(subscribe, readHash);
  const navigate = useCallback((route: Route) => {
    window.location.hash = HASH_BY_ROUTE[route];
  }, []);
  return [routeFromHash(hash), navigate];
}
