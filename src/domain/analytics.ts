/**
 * The closed sets analytics speaks in (PRODUCT.md §5), each written once: the API's enums and
 * the services' SQL are built from these. Their meaning is defined in SQL, in the analytics
 * migration (`src/db/migrations/*_analytics_sql.sql`): which positions are manual or copied,
 * what a win is, where a period starts.
 */

/** Who opened a position: the user (manual), or the copy engine (copied). */
export const POSITION_SOURCES = ['manual', 'copied'] as const;
export type PositionSource = (typeof POSITION_SOURCES)[number];

/** Whose positions the figures are of: all of them, or those of one source. */
export const ANALYTICS_SOURCES = ['all', ...POSITION_SOURCES] as const;
export type AnalyticsSource = (typeof ANALYTICS_SOURCES)[number];

/** A closed position's result: P&L above, below or at exactly zero. */
export const POSITION_RESULTS = ['win', 'loss', 'even'] as const;
export type PositionResult = (typeof POSITION_RESULTS)[number];

/**
 * The periods of the figures "over 24h / 7d / 30d / 90d / year to date / all": rolling windows
 * ending now, the year since 1 January in New York, and everything (`analytics_period_start`).
 */
export const ANALYTICS_PERIODS = ['24h', '7d', '30d', '90d', 'ytd', 'all'] as const;
export type AnalyticsPeriod = (typeof ANALYTICS_PERIODS)[number];

/** The leaderboard's periods: its figures are over one of these. */
export const LEADERBOARD_PERIODS = ['24h', '7d', '30d', 'all'] as const satisfies readonly AnalyticsPeriod[];
export type LeaderboardPeriod = (typeof LEADERBOARD_PERIODS)[number];

/** What the leaderboard can be sorted (and ranked) by. */
export const LEADERBOARD_SORTS = [
  'pnl',
  'winRate',
  'averagePnl',
  'closedPositions',
  'followers',
  'totalPnl',
  'pnl24h',
  'pnl7d',
  'pnl30d',
] as const;
export type LeaderboardSort = (typeof LEADERBOARD_SORTS)[number];

/** How closed positions can be ordered. */
export const CLOSED_POSITION_SORTS = ['closedAt', 'pnl', 'pnlPercent'] as const;
export type ClosedPositionSort = (typeof CLOSED_POSITION_SORTS)[number];

export const SORT_ORDERS = ['desc', 'asc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

/** Daily P&L by Eastern day, or by Eastern week (Monday to Sunday). */
export const CALENDAR_INTERVALS = ['day', 'week'] as const;
export type CalendarInterval = (typeof CALENDAR_INTERVALS)[number];
