import { createRoute, z } from '@hono/zod-openapi';
import {
  ANALYTICS_PERIODS,
  ANALYTICS_SOURCES,
  CALENDAR_INTERVALS,
  POSITION_RESULTS,
} from '../../domain/analytics';
import { OPTION_TYPES } from '../../domain/occ';
import { POSITION_STATUSES } from '../../domain/vocabulary';
import { curveQuerySchema, getCumulativeCurve } from '../../services/analytics/get-curve';
import { dailyPnlQuerySchema, getDailyPnl } from '../../services/analytics/get-daily-pnl';
import { getHeatmap, heatmapQuerySchema } from '../../services/analytics/get-heatmap';
import { getAnalyticsPeriods, periodsQuerySchema } from '../../services/analytics/get-periods';
import { getAnalyticsSummary, summaryQuerySchema } from '../../services/analytics/get-summary';
import {
  closedPositionsQuerySchema,
  listClosedPositions,
} from '../../services/analytics/list-closed-positions';
import { listUnderlyingStatistics, underlyingsQuerySchema } from '../../services/analytics/list-underlyings';
import {
  getSubscriptionStatistics,
  listSubscriptionStatistics,
} from '../../services/analytics/subscription-statistics';
import { type AppDeps, createRouter, serviceContext } from '../env';
import { errorResponses } from '../errors';
import { requireAuth } from '../middleware/require-auth';
import { SESSION_SECURITY } from '../openapi';
import { IdParam, json } from './schemas';

export const money = z
  .string()
  .openapi({ description: 'Dollars, × 100 per contract included', example: '400.00' });
const moneyOrNone = money.nullable();
export const ratio = z
  .string()
  .nullable()
  .openapi({ description: 'A fraction (0.6 is 60 %); null without a denominator', example: '0.6000' });
const date = z.string().openapi({ format: 'date', description: 'An Eastern (New York) calendar date' });
/** When the figures of the materialized views were refreshed. */
export const asOf = z.string().nullable().openapi({
  format: 'date-time',
  description: 'The figures are as of this refresh (null before the first)',
});
/** A current answer's instant. */
const readAt = z.string().openapi({ format: 'date-time', description: 'Read live, at this instant' });
const source = z.enum(ANALYTICS_SOURCES);

export const StatisticsSchema = z
  .object({
    closedPositions: z.number().int(),
    openPositions: z.number().int().openapi({ description: 'Positions holding contracts now' }),
    wins: z.number().int().openapi({ description: 'Closed with P&L > 0' }),
    losses: z.number().int().openapi({ description: 'Closed with P&L < 0' }),
    even: z.number().int().openapi({ description: 'Closed at exactly 0' }),
    totalPnl: money,
    totalCostBasis: money,
    grossWins: money,
    grossLosses: money,
    winRate: ratio.openapi({ description: 'wins ÷ closed positions' }),
    roi: ratio.openapi({ description: 'total P&L ÷ total cost basis of closed positions' }),
    biggestWin: moneyOrNone,
    biggestLoss: moneyOrNone,
    averageWin: moneyOrNone,
    averageLoss: moneyOrNone,
    profitFactor: ratio.openapi({ description: 'gross wins ÷ |gross losses|; null without a loss' }),
    expectancy: moneyOrNone.openapi({ description: 'Average P&L per closed position' }),
    maxDrawdown: money.openapi({
      description: 'Largest fall of the cumulative curve (end of each Eastern day) below its peak',
    }),
    averageHoldSeconds: z.number().int().nullable(),
    firstCloseDay: date.nullable(),
    lastCloseDay: date.nullable(),
  })
  .openapi('AnalyticsStatistics');

export const CurvePointSchema = z
  .object({
    date,
    pnl: money,
    closedPositions: z.number().int(),
    cumulativePnl: money,
    drawdown: money.openapi({ description: 'How far below the highest point so far (0 included)' }),
  })
  .openapi('CurvePoint');

export const ClosedPositionSchema = z
  .object({
    id: z.string(),
    symbol: z.string(),
    underlying: z.string(),
    optionType: z.enum(OPTION_TYPES),
    strike: z.string(),
    expiration: z.string().openapi({ format: 'date' }),
    status: z.enum(POSITION_STATUSES),
    source: z.enum(['manual', 'copied']),
    copiedFromPositionId: z.string().nullable(),
    quantity: z.number().int(),
    averageEntryPrice: z.string().nullable(),
    costBasis: money,
    proceeds: money,
    pnl: money,
    pnlPercent: z.string().nullable().openapi({ description: 'P&L ÷ cost basis × 100' }),
    result: z.enum(POSITION_RESULTS),
    openedAt: z.string().nullable().openapi({ format: 'date-time' }),
    closedAt: z.string().openapi({ format: 'date-time' }),
    closeDay: date,
    holdSeconds: z.number().int().nullable(),
  })
  .openapi('ClosedPosition');

const SummarySchema = z
  .object({ source, asOf: readAt, statistics: StatisticsSchema })
  .openapi('AnalyticsSummary');

const PeriodsSchema = z
  .object({
    source,
    asOf: readAt,
    periods: z.array(
      z.object({
        period: z.enum(ANALYTICS_PERIODS),
        from: z.string().nullable().openapi({ format: 'date-time', description: 'Where the period starts' }),
        closedPositions: z.number().int(),
        wins: z.number().int(),
        losses: z.number().int(),
        totalPnl: money,
        winRate: ratio,
        roi: ratio,
      }),
    ),
  })
  .openapi('AnalyticsPeriods');

const ClosedPositionPageSchema = z
  .object({ source, positions: z.array(ClosedPositionSchema), nextCursor: z.string().nullable() })
  .openapi('ClosedPositionPage');

const UnderlyingsSchema = z
  .object({
    source,
    underlyings: z.array(
      z.object({
        underlying: z.string(),
        closedPositions: z.number().int(),
        wins: z.number().int(),
        losses: z.number().int(),
        totalPnl: money,
        totalCostBasis: money,
        winRate: ratio,
        roi: ratio,
        averagePnl: moneyOrNone,
      }),
    ),
  })
  .openapi('UnderlyingStatistics');

const calendarFigures = {
  closedPositions: z.number().int(),
  wins: z.number().int(),
  losses: z.number().int(),
  pnl: money,
};
const DailyPnlSchema = z
  .object({
    source,
    interval: z.enum(CALENDAR_INTERVALS),
    from: date,
    to: date,
    asOf: readAt,
    entries: z.array(
      z.object({
        date: date.openapi({ description: 'The day, or the Monday of the week' }),
        ...calendarFigures,
      }),
    ),
    totals: z.object(calendarFigures),
  })
  .openapi('DailyPnl');

const CurveSchema = z
  .object({ source, asOf: readAt, points: z.array(CurvePointSchema) })
  .openapi('CumulativeCurve');

const HeatmapSchema = z
  .object({
    source,
    asOf: readAt,
    cells: z.array(
      z.object({
        weekday: z.number().int().openapi({ description: 'ISO weekday of the Eastern close: 1 = Monday' }),
        hour: z.number().int().openapi({ description: 'Eastern hour of the close, 0–23' }),
        closedPositions: z.number().int(),
        wins: z.number().int(),
        losses: z.number().int(),
        pnl: money,
      }),
    ),
  })
  .openapi('Heatmap');

const SubscriptionStatisticsSchema = z
  .object({
    subscriptionId: z.string(),
    traderId: z.string(),
    decisions: z.number().int(),
    executed: z.number().int().openapi({ description: 'Copy orders that filled' }),
    skipped: z.number().int(),
    skippedByReason: z.record(z.string(), z.number().int()).openapi({ example: { daily_limit: 2 } }),
    failed: z.number().int(),
    pendingApproval: z.number().int(),
    dismissed: z.number().int(),
    lapsed: z.number().int(),
    closedPositions: z.number().int(),
    wins: z.number().int(),
    losses: z.number().int(),
    totalPnl: money,
    roi: ratio,
  })
  .openapi('SubscriptionStatistics');

const sourceDescription = 'all (default), manual (positions I opened) or copied (opened by copies)';

export function analyticsRouter(deps: AppDeps) {
  const auth = requireAuth(deps);
  const common = { tags: ['analytics'], security: SESSION_SECURITY };
  const refusals = errorResponses('VALIDATION', 'UNAUTHENTICATED');
  const get = <Q extends z.ZodObject, R extends z.ZodType>(spec: {
    path: string;
    operationId: string;
    summary: string;
    description: string;
    query: Q;
    response: R;
  }) =>
    createRoute({
      ...common,
      middleware: [auth] as const,
      method: 'get',
      path: spec.path,
      operationId: spec.operationId,
      summary: spec.summary,
      description: `${spec.description} source: ${sourceDescription}.`,
      request: { query: spec.query },
      responses: { 200: json(spec.response, spec.summary), ...refusals },
    });

  const summary = get({
    path: '/analytics/summary',
    operationId: 'getAnalyticsSummary',
    summary: 'My figures: P&L, win rate, ROI, profit factor, drawdown…',
    description: 'Current: a close counts as soon as it is recorded.',
    query: summaryQuerySchema,
    response: SummarySchema,
  });
  const periods = get({
    path: '/analytics/periods',
    operationId: 'getAnalyticsPeriods',
    summary: 'My P&L and closed positions over 24h, 7d, 30d, 90d, the year to date and all time',
    description: 'Live. 24h … 90d end now; the year starts on 1 January in New York.',
    query: periodsQuerySchema,
    response: PeriodsSchema,
  });
  const positions = get({
    path: '/analytics/positions',
    operationId: 'listClosedPositions',
    summary: 'My closed positions, a page at a time',
    description:
      'Live. Filter by underlying, result (win, loss, even) and Eastern close days from … to; sort by ' +
      'closedAt (default), pnl or pnlPercent, desc (default) or asc.',
    query: closedPositionsQuerySchema,
    response: ClosedPositionPageSchema,
  });
  const underlyings = get({
    path: '/analytics/underlyings',
    operationId: 'listUnderlyingStatistics',
    summary: 'My figures per underlying, best total P&L first',
    description: 'Live; optionally for positions closed on the Eastern days from … to.',
    query: underlyingsQuerySchema,
    response: UnderlyingsSchema,
  });
  const daily = get({
    path: '/analytics/daily',
    operationId: 'getDailyPnl',
    summary: 'My realised P&L per Eastern day or week (calendar)',
    description:
      'Days (or Monday-to-Sunday weeks) from … to, both inclusive (default: the last 90 days; at most ' +
      '1,100); only days with a close are listed.',
    query: dailyPnlQuerySchema,
    response: DailyPnlSchema,
  });
  const curve = get({
    path: '/analytics/curve',
    operationId: 'getCumulativeCurve',
    summary: 'My cumulative realised P&L at the end of each Eastern day, with its drawdown',
    description: 'from … to keep only those days; the running total still starts at the first close.',
    query: curveQuerySchema,
    response: CurveSchema,
  });
  const heatmap = get({
    path: '/analytics/heatmap',
    operationId: 'getAnalyticsHeatmap',
    summary: 'My P&L and closed positions by Eastern weekday and hour of the close',
    description: 'Only cells with a close; optionally for the Eastern days from … to.',
    query: heatmapQuerySchema,
    response: HeatmapSchema,
  });
  const subscriptionStatistics = createRoute({
    ...common,
    middleware: [auth] as const,
    tags: ['analytics', 'subscriptions'],
    method: 'get',
    path: '/analytics/subscriptions',
    operationId: 'listSubscriptionStatistics',
    summary: 'What each of my subscriptions got: copies executed, skipped by reason, P&L',
    responses: {
      200: json(
        z.object({ asOf, subscriptions: z.array(SubscriptionStatisticsSchema) }),
        'Every subscription of mine, newest first',
      ),
      ...errorResponses('UNAUTHENTICATED'),
    },
  });
  const oneSubscription = createRoute({
    ...common,
    middleware: [auth] as const,
    tags: ['analytics', 'subscriptions'],
    method: 'get',
    path: '/subscriptions/{id}/statistics',
    operationId: 'getSubscriptionStatistics',
    summary: 'What one of my subscriptions got: copies executed, skipped by reason, P&L',
    request: { params: IdParam },
    responses: {
      200: json(SubscriptionStatisticsSchema.extend({ asOf }), 'The statistics'),
      ...errorResponses('UNAUTHENTICATED', 'NOT_FOUND'),
    },
  });

  // The route validates the query with the service's own schema (a 400 names the parameter);
  // the service parses it again, as it would for any caller.
  return createRouter()
    .openapi(summary, async (c) =>
      c.json(await getAnalyticsSummary({ ctx: serviceContext(deps, c), input: c.req.valid('query') }), 200),
    )
    .openapi(periods, async (c) =>
      c.json(await getAnalyticsPeriods({ ctx: serviceContext(deps, c), input: c.req.valid('query') }), 200),
    )
    .openapi(positions, async (c) =>
      c.json(await listClosedPositions({ ctx: serviceContext(deps, c), input: c.req.valid('query') }), 200),
    )
    .openapi(underlyings, async (c) =>
      c.json(
        await listUnderlyingStatistics({ ctx: serviceContext(deps, c), input: c.req.valid('query') }),
        200,
      ),
    )
    .openapi(daily, async (c) =>
      c.json(await getDailyPnl({ ctx: serviceContext(deps, c), input: c.req.valid('query') }), 200),
    )
    .openapi(curve, async (c) =>
      c.json(await getCumulativeCurve({ ctx: serviceContext(deps, c), input: c.req.valid('query') }), 200),
    )
    .openapi(heatmap, async (c) =>
      c.json(await getHeatmap({ ctx: serviceContext(deps, c), input: c.req.valid('query') }), 200),
    )
    .openapi(subscriptionStatistics, async (c) =>
      c.json(await listSubscriptionStatistics({ ctx: serviceContext(deps, c) }), 200),
    )
    .openapi(oneSubscription, async (c) =>
      c.json(
        await getSubscriptionStatistics({
          ctx: serviceContext(deps, c),
          input: { subscriptionId: c.req.valid('param').id },
        }),
        200,
      ),
    );
}
