import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import type { AnalyticsSource } from '../../domain/analytics';
import { type DecimalFigure, sourceMatches } from './sql';

/**
 * Every figure of PRODUCT.md §5 for one user and source. Money in dollars (× 100 per contract
 * included), ratios as fractions (0.6 is 60 %); a null figure has no denominator (no closed
 * position, no win, no loss).
 */
export type Statistics = {
  closedPositions: number;
  /** Positions still holding contracts. */
  openPositions: number;
  wins: number;
  losses: number;
  /** Closed at exactly zero P&L: neither a win nor a loss. */
  even: number;
  totalPnl: string;
  totalCostBasis: string;
  grossWins: string;
  grossLosses: string;
  winRate: DecimalFigure;
  roi: DecimalFigure;
  biggestWin: DecimalFigure;
  biggestLoss: DecimalFigure;
  averageWin: DecimalFigure;
  averageLoss: DecimalFigure;
  profitFactor: DecimalFigure;
  expectancy: DecimalFigure;
  maxDrawdown: string;
  averageHoldSeconds: number | null;
  firstCloseDay: string | null;
  lastCloseDay: string | null;
};

type Row = {
  closed_positions: number;
  open_positions: number;
  wins: number;
  losses: number;
  total_pnl: string;
  total_cost_basis: string;
  gross_wins: string;
  gross_losses: string;
  win_rate: string | null;
  roi: string | null;
  biggest_win: string | null;
  biggest_loss: string | null;
  average_win: string | null;
  average_loss: string | null;
  profit_factor: string | null;
  expectancy: string | null;
  max_drawdown: string;
  average_hold_seconds: string | null;
  first_close_day: string | null;
  last_close_day: string | null;
};

const ZERO = sql`0::numeric(15, 2)`;

/**
 * The user's statistics, current: the figures (analytics_user_statistics), the extremes
 * (analytics_extremes), the maximum drawdown of their curve (analytics_curve) and the positions
 * they hold.
 */
export async function loadStatistics(
  db: Executor,
  userId: string,
  source: AnalyticsSource,
): Promise<Statistics> {
  const { rows } = await db.execute<Row>(sql`
    SELECT COALESCE(s.closed_positions, 0) AS closed_positions,
           (SELECT count(*)::integer FROM parent_trades p
             WHERE p.user_id = ${userId} AND p.status = 'open' AND p.bought_quantity > p.sold_quantity
               AND ${sourceMatches(sql`analytics_position_source(p.source_parent_trade_id)`, source)}
           ) AS open_positions,
           COALESCE(s.wins, 0) AS wins,
           COALESCE(s.losses, 0) AS losses,
           COALESCE(s.total_pnl, ${ZERO}) AS total_pnl,
           COALESCE(s.total_cost_basis, ${ZERO}) AS total_cost_basis,
           COALESCE(s.gross_wins, ${ZERO}) AS gross_wins,
           COALESCE(s.gross_losses, ${ZERO}) AS gross_losses,
           s.win_rate, s.roi, x.biggest_win, x.biggest_loss, s.average_win, s.average_loss,
           s.profit_factor, s.expectancy,
           COALESCE((SELECT max(c.drawdown) FROM analytics_curve(${userId}, ${source}) c), ${ZERO}) AS max_drawdown,
           s.average_hold_seconds,
           s.first_close_day::text AS first_close_day,
           s.last_close_day::text AS last_close_day
      FROM analytics_extremes(${userId}, ${source}) AS x
      LEFT JOIN analytics_user_statistics s ON s.user_id = ${userId} AND s.source = ${source}`);
  const row = rows[0];
  if (!row) throw new Error('statistics query returned no row');
  return {
    closedPositions: row.closed_positions,
    openPositions: row.open_positions,
    wins: row.wins,
    losses: row.losses,
    even: row.closed_positions - row.wins - row.losses,
    totalPnl: row.total_pnl,
    totalCostBasis: row.total_cost_basis,
    grossWins: row.gross_wins,
    grossLosses: row.gross_losses,
    winRate: row.win_rate,
    roi: row.roi,
    biggestWin: row.biggest_win,
    biggestLoss: row.biggest_loss,
    averageWin: row.average_win,
    averageLoss: row.average_loss,
    profitFactor: row.profit_factor,
    expectancy: row.expectancy,
    maxDrawdown: row.max_drawdown,
    averageHoldSeconds: row.average_hold_seconds === null ? null : Number(row.average_hold_seconds),
    firstCloseDay: row.first_close_day,
    lastCloseDay: row.last_close_day,
  };
}
