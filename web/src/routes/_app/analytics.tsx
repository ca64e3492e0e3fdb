import { createFileRoute } from '@tanstack/react-router';
import { AnalyticsPage } from '../../features/analytics/AnalyticsPage';
import type { AnalyticsSource } from '../../features/analytics/api';

type AnalyticsSearch = { source?: Exclude<AnalyticsSource, 'all'> };

export const Route = createFileRoute('/_app/analytics')({
  validateSearch: (search: Record<string, unknown>): AnalyticsSearch =>
    search.source === 'manual' || search.source === 'copied' ? { source: search.source } : {},
  component: AnalyticsRoute,
});

function AnalyticsRoute() {
  const { source = 'all' } = Route.useSearch();
  const navigate = Route.useNavigate();
  return (
    <AnalyticsPage
      source={source}
      onSource={(next) => void navigate({ search: next === 'all' ? {} : { source: next }, replace: true })}
    />
  );
}
