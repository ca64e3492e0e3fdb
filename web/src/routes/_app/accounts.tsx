import { createFileRoute } from '@tanstack/react-router';
import { AccountsPage } from '../../features/accounts/AccountsPage';

export const Route = createFileRoute('/_app/accounts')({
  validateSearch: (search: Record<string, unknown>): { connected?: number } => {
    const connected = Number(search.connected);
    return Number.isInteger(connected) && connected >= 0 ? { connected } : {};
  },
  component: AccountsRoute,
});

function AccountsRoute() {
  const { connected } = Route.useSearch();
  return <AccountsPage connected={connected} />;
}
