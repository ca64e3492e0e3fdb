import { createRoute, z } from '@hono/zod-openapi';
import { LEADERBOARD_PERIODS, LEADERBOARD_SORTS, SORT_ORDERS } from '../../domain/analytics';
import { becomeTrader } from '../../services/subscriptions/become-trader';
import { getTraderProfile } from '../../services/subscriptions/get-trader-profile';
import { listTraders, listTradersQuerySchema } from '../../services/traders/list-traders';
import { type AppDeps, createRouter, serviceContext } from '../env';
import { errorResponses } from '../errors';
import { requireAuth } from '../middleware/require-auth';
import { PUBLIC_SECURITY, SESSION_SECURITY } from '../openapi';
import { asOf, ClosedPositionSchema, CurvePointSchema, money, ratio, StatisticsSchema } from './analytics';
import { IdParam, json } from './schemas';

const TraderProfileSchema = z
  .object({
    id: z.string(),
    username: z.string().nullable(),
    name: z.string().nullable(),
    bio: z.string().nullable(),
    avatarUrl: z.string().nullable(),
    isTrader: z.boolean(),
    verified: z.boolean().openapi({ description: 'Verified by an administrator' }),
    followers: z.number().int().openapi({ description: 'Active subscriptions to this trader' }),
  })
  .openapi('TraderProfile');

const LeaderboardEntrySchema = z
  .object({
    rank: z.number().int().openapi({ description: 'On the whole board by the sort figure, highest first' }),
    rankChange: z.number().int().nullable().openapi({
      description:
        'Places moved on the all-time P&L board over the last 24 hours (positive: up); only when ranked by all-time P&L (sort totalPnl, or pnl over all)',
      example: 2,
    }),
    id: z.string(),
    username: z.string().nullable(),
    name: z.string().nullable(),
    avatarUrl: z.string().nullable(),
    verified: z.boolean(),
    followers: z.number().int().openapi({ description: 'Active subscriptions' }),
    closedPositions: z.number().int().openapi({ description: 'Over the period' }),
    winRate: ratio.openapi({ description: 'Over the period' }),
    pnl: money.openapi({ description: 'Realised P&L over the period' }),
    averagePnl: money.nullable().openapi({ description: 'Per closed position, over the period' }),
    totalPnl: money.openapi({ description: 'All time' }),
    pnl24h: money,
    pnl7d: money,
    pnl30d: money,
  })
  .openapi('LeaderboardEntry');

const LeaderboardSchema = z
  .object({
    period: z.enum(LEADERBOARD_PERIODS),
    sort: z.enum(LEADERBOARD_SORTS),
    order: z.enum(SORT_ORDERS),
    asOf,
    traders: z.array(LeaderboardEntrySchema),
    nextCursor: z.string().nullable(),
  })
  .openapi('Leaderboard');

const FollowerResultsSchema = z
  .object({
    totalPnl: money.openapi({ description: "Followers' realised P&L from closed copies of this trader" }),
    roi: ratio,
    closedPositions: z.number().int(),
    wins: z.number().int(),
    losses: z.number().int(),
    followersWithResults: z.number().int(),
    openings: z.number().int().openapi({ description: "The trader's own filled openings (BTO)" }),
    copiedOpenings: z.number().int().openapi({ description: "Openings at least one follower's copy filled" }),
    copiedShare: ratio.openapi({ description: 'copiedOpenings ÷ openings' }),
    copyFills: z.number().int().openapi({ description: 'Copy orders that filled' }),
    medianCopyDelaySeconds: z
      .number()
      .nullable()
      .openapi({ description: "Median of trader's fill → copy's fill, over filled copies" }),
    averageSlippage: z
      .string()
      .nullable()
      .openapi({ description: 'Copy fill price − trader fill price, per share, over filled copies' }),
    averageBuySlippage: z.string().nullable(),
    averageSellSlippage: z.string().nullable(),
    skipped: z.number().int(),
    skippedByReason: z.record(z.string(), z.number().int()),
    failed: z.number().int(),
    lapsed: z.number().int(),
    dismissed: z.number().int(),
  })
  .openapi('FollowerResults');

const TraderProfileWithStatisticsSchema = TraderProfileSchema.extend({
  statistics: StatisticsSchema.openapi({ description: 'The positions the trader opened themselves' }),
  curve: z.array(CurvePointSchema),
  recentPositions: z.array(ClosedPositionSchema),
  followerResults: FollowerResultsSchema,
  followerResultsAsOf: asOf,
}).openapi('TraderProfileWithStatistics');

export function tradersRouter(deps: AppDeps) {
  const become = createRoute({
    method: 'post',
    path: '/me/trader',
    operationId: 'becomeTrader',
    tags: ['traders'],
    summary: 'Become a trader others can subscribe to',
    description:
      'Idempotent. Needs a confirmed email address (422 until then). Verification (the badge) is granted by an administrator.',
    security: SESSION_SECURITY,
    middleware: [requireAuth(deps)] as const,
    responses: {
      200: json(TraderProfileSchema, 'My public trader profile'),
      ...errorResponses('UNAUTHENTICATED', 'PRECONDITION_FAILED'),
    },
  });
  const list = createRoute({
    method: 'get',
    path: '/traders',
    operationId: 'listTraders',
    tags: ['traders'],
    summary: 'Trader discovery and the leaderboard',
    description:
      'Public. Every active trader (deleted users and non-traders never appear), ranked on their own ' +
      'trading (positions they opened themselves). period: all (default), 30d, 7d or 24h; sort: ' +
      `${LEADERBOARD_SORTS.join(', ')} (default pnl), order desc (default) or asc; q searches usernames; ` +
      'limit 1 to 100 (default 25); cursor is the nextCursor of the previous page.',
    security: PUBLIC_SECURITY,
    request: { query: listTradersQuerySchema },
    responses: {
      200: json(LeaderboardSchema, 'A page of the leaderboard'),
      ...errorResponses('VALIDATION'),
    },
  });
  const profile = createRoute({
    method: 'get',
    path: '/traders/{id}',
    operationId: 'getTraderProfile',
    tags: ['traders'],
    summary: "A trader's public profile, statistics and what their followers got",
    description:
      'Public. Users who are not traders, and deleted ones, are not found. Statistics, curve and recent ' +
      "positions are the trader's own trading (positions they opened themselves).",
    security: PUBLIC_SECURITY,
    request: { params: IdParam },
    responses: {
      200: json(TraderProfileWithStatisticsSchema, 'The profile'),
      ...errorResponses('NOT_FOUND'),
    },
  });

  return createRouter()
    .openapi(become, async (c) => c.json(await becomeTrader({ ctx: serviceContext(deps, c) }), 200))
    .openapi(list, async (c) =>
      c.json(await listTraders({ ctx: serviceContext(deps, c), input: c.req.valid('query') }), 200),
    )
    .openapi(profile, async (c) =>
      c.json(
        await getTraderProfile({
          ctx: serviceContext(deps, c),
          input: { traderId: c.req.valid('param').id },
        }),
        200,
      ),
    );
}
