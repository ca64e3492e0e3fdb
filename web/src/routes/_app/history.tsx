import { createFileRoute } from '@tanstack/react-router';
import { HistoryPage, type HistorySearch } from '../../features/history/HistoryPage';

export const Route = createFileRoute('/_app/history')({
  validateSearch: (search: Record<string, unknown>): HistorySearch => ({
    ...(search.view === 'orders' ? { view: 'orders' as const } : {}),
    ...(typeof search.status === 'string' && /^[a-z,]+$/.test(search.status)
      ? { status: search.status }
      : {}),
    ...(typeof search.underlying === 'string' && /^[A-Za-z]{1,6}$/.test(search.underlying)
      ? { underlying: search.underlying.toUpperCase() }
      : {}),
  }),
  component: HistoryRoute,
});

function HistoryRoute() {
  const search = Route.useSearch();
  const navigate = Route.useNavigate();
  return (
    <HistoryPage
      search={search}
      onSearch={(next) =>
        void navigate({ search: (previous: HistorySearch) => ({ ...previous, ...next }), replace: true })
      }
    />
  );
}
