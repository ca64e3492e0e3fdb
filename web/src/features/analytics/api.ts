import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { call, client, type Schemas } from '../../api/client';

export type AnalyticsSource = 'all' | 'manual' | 'copied';
export type Statistics = Schemas['AnalyticsStatistics'];
export type CurvePoint = Schemas['CurvePoint'];
export type ClosedPosition = Schemas['ClosedPosition'];
export type DailyPnl = Schemas['DailyPnl'];
export type HeatmapCell = Schemas['Heatmap']['cells'][number];
export type Period = Schemas['AnalyticsPeriods']['periods'][number];
export type UnderlyingRow = Schemas['UnderlyingStatistics']['underlyings'][number];

export type ClosedPositionFilters = {
  underlying?: string;
  result?: 'win' | 'loss' | 'even';
  from?: string;
  to?: string;
  sort: 'closedAt' | 'pnl' | 'pnlPercent';
  order: 'desc' | 'asc';
};

export const analyticsKeys = {
  all: ['analytics'] as const,
  part: (part: string, source: AnalyticsSource, extra: unknown = null) =>
    ['analytics', part, source, extra] as const,
};

export const summaryQuery = (source: AnalyticsSource) =>
  queryOptions({
    queryKey: analyticsKeys.part('summary', source),
    queryFn: () => call(client.GET('/api/analytics/summary', { params: { query: { source } } })),
  });

export const periodsQuery = (source: AnalyticsSource) =>
  queryOptions({
    queryKey: analyticsKeys.part('periods', source),
    queryFn: () => call(client.GET('/api/analytics/periods', { params: { query: { source } } })),
  });

export const curveQuery = (source: AnalyticsSource) =>
  queryOptions({
    queryKey: analyticsKeys.part('curve', source),
    queryFn: () => call(client.GET('/api/analytics/curve', { params: { query: { source } } })),
  });

/** Realised P&L per Eastern day over the API's default range (the last 90 days). */
export const dailyQuery = (source: AnalyticsSource) =>
  queryOptions({
    queryKey: analyticsKeys.part('daily', source),
    queryFn: () => call(client.GET('/api/analytics/daily', { params: { query: { source } } })),
  });

export const heatmapQuery = (source: AnalyticsSource) =>
  queryOptions({
    queryKey: analyticsKeys.part('heatmap', source),
    queryFn: () => call(client.GET('/api/analytics/heatmap', { params: { query: { source } } })),
  });

export const underlyingsQuery = (source: AnalyticsSource) =>
  queryOptions({
    queryKey: analyticsKeys.part('underlyings', source),
    queryFn: () => call(client.GET('/api/analytics/underlyings', { params: { query: { source } } })),
  });

export const CLOSED_PAGE_SIZE = 25;

/** Closed positions, filtered and sorted, a page at a time (the API's cursor). */
export const closedPositionsQuery = (source: AnalyticsSource, filters: ClosedPositionFilters) =>
  infiniteQueryOptions({
    queryKey: analyticsKeys.part('positions', source, filters),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      call(
        client.GET('/api/analytics/positions', {
          params: {
            query: {
              source,
              sort: filters.sort,
              order: filters.order,
              limit: CLOSED_PAGE_SIZE,
              ...(filters.underlying ? { underlying: filters.underlying } : {}),
              ...(filters.result ? { result: filters.result } : {}),
              ...(filters.from ? { from: filters.from } : {}),
              ...(filters.to ? { to: filters.to } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
