import { createFileRoute } from '@tanstack/react-router';
import {
  LEADERBOARD_PERIODS,
  LEADERBOARD_SORTS,
  type LeaderboardSearch,
  TradersPage,
} from '../../../features/traders/TradersPage';

export const Route = createFileRoute('/_app/traders/')({
  validateSearch: (search: Record<string, unknown>): LeaderboardSearch => {
    const { period, sort, order } = search;
    return {
      ...(typeof period === 'string' && period !== 'all' && (LEADERBOARD_PERIODS as string[]).includes(period)
        ? { period: period as LeaderboardSearch['period'] }
        : {}),
      ...(typeof sort === 'string' && sort !== 'pnl' && (LEADERBOARD_SORTS as string[]).includes(sort)
        ? { sort: sort as LeaderboardSearch['sort'] }
        : {}),
      ...(order === 'asc' ? { order: 'asc' as const } : {}),
    };
  },
  component: TradersRoute,
});

function TradersRoute() {
  const board = Route.useSearch();
  const navigate = Route.useNavigate();
  return <TradersPage board={board} onBoard={(next) => void navigate({ search: next, replace: true })} />;
}
