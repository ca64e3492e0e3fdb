import { createFileRoute, redirect } from '@tanstack/react-router';
import { SignInPage } from '../features/auth/SignInPage';
import { hasSession } from '../features/auth/session';

export const Route = createFileRoute('/sign-in')({
  validateSearch: (search: Record<string, unknown>): { redirect?: string } =>
    typeof search.redirect === 'string' ? { redirect: search.redirect } : {},
  beforeLoad: async ({ context }) => {
    if (await hasSession(context.queryClient)) throw redirect({ to: '/' });
  },
  component: SignInRoute,
});

function SignInRoute() {
  const { redirect: returnTo } = Route.useSearch();
  return <SignInPage redirectTo={returnTo} />;
}
