import { createFileRoute } from '@tanstack/react-router';
import { VerifyEmailPage } from '../features/auth/RecoveryPages';

/** Where the link in a confirmation email lands (the server adds `?error=INVALID_TOKEN` when it failed). */
export const Route = createFileRoute('/verify-email')({
  validateSearch: (search: Record<string, unknown>): { error?: string } =>
    typeof search.error === 'string' ? { error: search.error } : {},
  component: VerifyEmailRoute,
});

function VerifyEmailRoute() {
  const { error } = Route.useSearch();
  return <VerifyEmailPage failed={error !== undefined} />;
}
