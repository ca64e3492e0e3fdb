import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { type CurvePoint, loadCurve } from '../analytics/curve';
import {
  type ClosedPosition,
  closedPositionsQuerySchema,
  selectClosedPositions,
} from '../analytics/list-closed-positions';
import { analyticsAsOf, type DecimalFigure } from '../analytics/sql';
import { loadStatistics, type Statistics } from '../analytics/statistics';

/** Closed positions shown on a profile. */
export const RECENT_POSITIONS = 10;

/**
 * What followers actually got from copying a trader (PRODUCT.md §5; defined in the analytics
 * migration's analytics_trader_followers). Only copies whose order filled count; skipped,
 * failed, lapsed and dismissed decisions are counted apart.
 */
export type FollowerResults = {
  /** Realised P&L of followers' closed positions copied from this trader. */
  totalPnl: string;
  roi: DecimalFigure;
  closedPositions: number;
  wins: number;
  losses: number;
  /** Followers (past or present) with at least one such closed position. */
  followersWithResults: number;
  /** The trader's own filled openings (BTO), and those at least one follower's copy filled. */
  openings: number;
  copiedOpenings: number;
  /** copiedOpenings ÷ openings. */
  copiedShare: DecimalFigure;
  /** Copy orders that filled. */
  copyFills: number;
  /** Median time from the trader's fill to the copy's fill, in seconds. */
  medianCopyDelaySeconds: number | null;
  /** Copy fill price − trader fill price, per share, averaged over filled copies; and by side. */
  averageSlippage: DecimalFigure;
  averageBuySlippage: DecimalFigure;
  averageSellSlippage: DecimalFigure;
  skipped: number;
  skippedByReason: Record<string, number>;
  failed: number;
  lapsed: number;
  dismissed: number;
};

export type TraderAnalytics = {
  /** The trader's own trading: the positions they opened themselves. */
  statistics: Statistics;
  curve: CurvePoint[];
  recentPositions: ClosedPosition[];
  followerResults: FollowerResults;
  /** Follower results are as of this refresh of the materialized views (null before the first). */
  followerResultsAsOf: string | null;
};

type FollowerRow = {
  total_pnl: string;
  roi: string | null;
  closed_positions: number;
  wins: number;
  losses: number;
  followers_with_results: number;
  openings: number;
  copied_openings: number;
  copied_share: string | null;
  copy_fills: number;
  median_copy_delay_seconds: string | null;
  average_slippage: string | null;
  average_buy_slippage: string | null;
  average_sell_slippage: string | null;
  skipped: number;
  skipped_by_reason: Record<string, number>;
  failed: number;
  lapsed: number;
  dismissed: number;
};

const NO_FOLLOWER_RESULTS: FollowerResults = {
  totalPnl: '0.00',
  roi: null,
  closedPositions: 0,
  wins: 0,
  losses: 0,
  followersWithResults: 0,
  openings: 0,
  copiedOpenings: 0,
  copiedShare: null,
  copyFills: 0,
  medianCopyDelaySeconds: null,
  averageSlippage: null,
  averageBuySlippage: null,
  averageSellSlippage: null,
  skipped: 0,
  skippedByReason: {},
  failed: 0,
  lapsed: 0,
  dismissed: 0,
};

async function loadFollowerResults(db: Executor, traderId: string): Promise<FollowerResults> {
  const { rows } = await db.execute<FollowerRow>(sql`
    SELECT total_pnl, roi, closed_positions, wins, losses, followers_with_results, openings, copied_openings,
           copied_share, copy_fills, median_copy_delay_seconds, average_slippage, average_buy_slippage,
           average_sell_slippage, skipped, skipped_by_reason, failed, lapsed, dismissed
      FROM analytics_trader_followers WHERE trader_id = ${traderId}`);
  const row = rows[0];
  // A trader since the last refresh has no row yet: nothing copied so far.
  if (!row) return NO_FOLLOWER_RESULTS;
  return {
    totalPnl: row.total_pnl,
    roi: row.roi,
    closedPositions: row.closed_positions,
    wins: row.wins,
    losses: row.losses,
    followersWithResults: row.followers_with_results,
    openings: row.openings,
    copiedOpenings: row.copied_openings,
    copiedShare: row.copied_share,
    copyFills: row.copy_fills,
    medianCopyDelaySeconds:
      row.median_copy_delay_seconds === null ? null : Number(row.median_copy_delay_seconds),
    averageSlippage: row.average_slippage,
    averageBuySlippage: row.average_buy_slippage,
    averageSellSlippage: row.average_sell_slippage,
    skipped: row.skipped,
    skippedByReason: row.skipped_by_reason,
    failed: row.failed,
    lapsed: row.lapsed,
    dismissed: row.dismissed,
  };
}

/**
 * A trader's public figures: their own statistics and curve (positions they opened
 * themselves, which is what followers copy), their latest closed positions, and what their
 * followers got. The caller has checked that the user is an active trader.
 */
export async function loadTraderAnalytics(db: Executor, traderId: string): Promise<TraderAnalytics> {
  const recent = closedPositionsQuerySchema.parse({ source: 'manual', limit: RECENT_POSITIONS });
  const [statistics, curve, positions, followerResults, followerResultsAsOf] = await Promise.all([
    loadStatistics(db, traderId, 'manual'),
    loadCurve(db, traderId, 'manual'),
    selectClosedPositions(db, traderId, recent),
    loadFollowerResults(db, traderId),
    analyticsAsOf(db),
  ]);
  return { statistics, curve, recentPositions: positions.positions, followerResults, followerResultsAsOf };
}
