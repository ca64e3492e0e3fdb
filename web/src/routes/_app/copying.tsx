import { createFileRoute } from '@tanstack/react-router';
import { CopyingPage, type CopyingTab } from '../../features/copying/CopyingPage';

const TABS: readonly CopyingTab[] = ['subscriptions', 'approvals', 'log', 'followers'];

type CopyingSearch = { tab?: CopyingTab; subscription?: string };

export const Route = createFileRoute('/_app/copying')({
  validateSearch: (search: Record<string, unknown>): CopyingSearch => ({
    ...(TABS.includes(search.tab as CopyingTab) ? { tab: search.tab as CopyingTab } : {}),
    ...(typeof search.subscription === 'string' && search.subscription
      ? { subscription: search.subscription }
      : {}),
  }),
  component: CopyingRoute,
});

function CopyingRoute() {
  const { tab = 'subscriptions', subscription } = Route.useSearch();
  const navigate = Route.useNavigate();
  return (
    <CopyingPage
      tab={tab}
      subscriptionId={subscription ?? null}
      onNavigate={(next) => void navigate({ search: next, replace: true })}
    />
  );
}
