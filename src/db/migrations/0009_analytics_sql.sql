-- Analytics (PRODUCT.md §5): every figure is defined once, here, and every endpoint reads these
-- definitions (src/services/analytics). Times in this schema are TIMESTAMP holding UTC
-- wall-clock time; days, weeks and hours are US/Eastern, taken through analytics_eastern().
-- Function bodies name their tables with their schema: PostgreSQL refreshes materialized views
-- with a search_path of pg_catalog only.

-- ---------------------------------------------------------------------------------------
-- Building blocks
-- ---------------------------------------------------------------------------------------

-- UTC wall-clock time (a TIMESTAMP column) as US/Eastern wall-clock time. The first AT TIME
-- ZONE reads the value as UTC (an instant), the second shows that instant in New York, so
-- daylight saving applies to the instant itself: 03:30 UTC is 23:30 the evening before in
-- summer (UTC−4) and 22:30 in winter (UTC−5).
CREATE OR REPLACE FUNCTION analytics_eastern(utc_wall_clock timestamp) RETURNS timestamp
LANGUAGE sql STABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT
AS $$ SELECT (utc_wall_clock AT TIME ZONE 'UTC') AT TIME ZONE 'America/New_York' $$;
--> statement-breakpoint

-- A ratio of §5 (win rate, ROI, profit factor, copied share), to 4 decimals. NULL when the
-- denominator is zero (no closed position, no loss): no figure, never a division error or a
-- made-up 0.
CREATE OR REPLACE FUNCTION analytics_ratio(numerator numeric, denominator numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT round(numerator / NULLIF(denominator, 0), 4) $$;
--> statement-breakpoint

-- An average in dollars, to the cent: a total over a number of positions (NULL for none).
CREATE OR REPLACE FUNCTION analytics_average(total numeric, n numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT round(total / NULLIF(n, 0), 2) $$;
--> statement-breakpoint

-- Where a period starts (src/domain/analytics.ts names the periods). 24h … 90d are rolling
-- windows ending at `now`; the year starts at midnight on 1 January in New York; 'all' has no
-- start. `now` is UTC wall-clock time like the columns.
CREATE OR REPLACE FUNCTION analytics_period_start(period text, now timestamp) RETURNS timestamp
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT CASE period
    WHEN '24h' THEN now - interval '24 hours'
    WHEN '7d' THEN now - interval '7 days'
    WHEN '30d' THEN now - interval '30 days'
    WHEN '90d' THEN now - interval '90 days'
    WHEN 'ytd' THEN (date_trunc('year', public.analytics_eastern(now)) AT TIME ZONE 'America/New_York')
                      AT TIME ZONE 'UTC'
    WHEN 'all' THEN '-infinity'::timestamp
  END
$$;
--> statement-breakpoint

-- Who opened a position (src/domain/analytics.ts: POSITION_SOURCES): 'copied' when the copy
-- engine did (it links the trader's position the copy mirrors), else 'manual' (the user did).
-- The link is only ever cleared when the trader's position row is deleted, which soft deletion
-- never does.
CREATE OR REPLACE FUNCTION analytics_position_source(source_parent_trade_id text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE WHEN source_parent_trade_id IS NULL THEN 'manual' ELSE 'copied' END $$;
--> statement-breakpoint

-- A closed position's result (src/domain/analytics.ts: POSITION_RESULTS): 'win' when its P&L is
-- above 0, 'loss' below, 'even' at exactly 0 (neither, but a closed position all the same: it
-- counts in the win rate's denominator).
CREATE OR REPLACE FUNCTION analytics_position_result(pnl numeric) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE WHEN pnl > 0 THEN 'win' WHEN pnl < 0 THEN 'loss' ELSE 'even' END $$;
--> statement-breakpoint

-- Hold time in whole seconds: opened (the position's first order) to closed (its last fill).
CREATE OR REPLACE FUNCTION analytics_hold_seconds(opened_at timestamp, closed_at timestamp) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT round(date_part('epoch', closed_at - opened_at))::bigint $$;
--> statement-breakpoint

-- ---------------------------------------------------------------------------------------
-- Per-position facts: the one definition of P&L, result, source, hold time and buckets
-- ---------------------------------------------------------------------------------------
-- A closed position's P&L is its realised total_pnl (kept by the fill trigger). Expired
-- positions count as closed at their final P&L: the system's sale at 0 is in it, and their
-- close time is the expiry (the close of their expiration day).
-- source: analytics_position_source (who opened the position).
-- result: analytics_position_result (win, loss or even).
-- pnl_percent: P&L over cost basis, in percent. hold_seconds: analytics_hold_seconds.
-- closed_at_eastern: the close on New York's clock, whose date and hour are the position's day
-- and hour.
CREATE VIEW analytics_position_facts AS
SELECT p.id AS position_id,
       p.user_id,
       analytics_position_source(p.source_parent_trade_id) AS source,
       p.source_parent_trade_id AS copied_from_position_id,
       p.underlying,
       p.option_type,
       p.strike,
       p.expiration,
       p.symbol,
       p.status,
       p.bought_quantity AS quantity,
       p.avg_entry_price,
       p.total_cost_basis AS cost_basis,
       p.total_proceeds AS proceeds,
       p.total_pnl AS pnl,
       round(p.total_pnl * 100 / NULLIF(p.total_cost_basis, 0), 4) AS pnl_percent,
       analytics_position_result(p.total_pnl) AS result,
       p.opened_at,
       p.closed_at,
       analytics_hold_seconds(p.opened_at, p.closed_at) AS hold_seconds,
       analytics_eastern(p.closed_at) AS closed_at_eastern
  FROM parent_trades p
 WHERE p.status IN ('closed', 'expired') AND p.closed_at IS NOT NULL;
--> statement-breakpoint

-- The planner's estimate of "source = 'manual'" or "result = 'win'" without these is a guess
-- (a fraction of a percent), and with it a page of one user's manual positions by P&L sorts all
-- of them instead of walking the P&L index (26 ms instead of 0.6 ms for 20,000 positions).
CREATE STATISTICS analytics_position_source_stats ON (analytics_position_source(source_parent_trade_id))
  FROM parent_trades;
--> statement-breakpoint
CREATE STATISTICS analytics_position_result_stats ON (analytics_position_result(total_pnl)) FROM parent_trades;
--> statement-breakpoint

-- A user's closed positions by close time: closed-position pages (newest first, date range),
-- periods (rolling windows), per-underlying figures and recent positions on a trader's profile.
-- The included columns answer the aggregates from the index alone (index-only scans).
CREATE INDEX idx_parent_trades_closed ON parent_trades (user_id, closed_at, id)
  INCLUDE (total_pnl, total_cost_basis, source_parent_trade_id, underlying)
  WHERE status IN ('closed', 'expired') AND closed_at IS NOT NULL;
--> statement-breakpoint
-- Closed-position pages sorted by P&L, and by P&L % (the facts view's expression, verbatim,
-- so the planner matches it).
CREATE INDEX idx_parent_trades_closed_pnl ON parent_trades (user_id, total_pnl, id)
  WHERE status IN ('closed', 'expired') AND closed_at IS NOT NULL;
--> statement-breakpoint
CREATE INDEX idx_parent_trades_closed_pnl_percent
  ON parent_trades (user_id, (round(total_pnl * 100 / NULLIF(total_cost_basis, 0), 4)), id)
  WHERE status IN ('closed', 'expired') AND closed_at IS NOT NULL;
--> statement-breakpoint

-- Copy orders that filled (any quantity), beside the trader's fill they copy: the one
-- definition of a real copy, of its delay (trader's fill → copy's fill, in seconds) and of its
-- slippage (copy fill price − trader fill price, per share of premium, as prices are quoted).
-- Copies are only ever made of a trader's own orders (source 'manual'). The join is a LEFT
-- JOIN on the trader order's key, so a query that reads neither delay nor slippage skips it.
CREATE VIEW analytics_copy_fills AS
SELECT c.id AS copy_trade_id,
       c.user_id AS subscriber_id,
       c.source_trader_id AS trader_id,
       c.source_trade_id,
       c.action,
       c.filled_quantity,
       date_part('epoch', c.filled_at - s.filled_at) AS delay_seconds,
       c.filled_price - s.filled_price AS slippage
  FROM trades c
  LEFT JOIN trades s ON s.id = c.source_trade_id AND s.source = 'manual' AND s.filled_quantity > 0
 WHERE c.source = 'copy' AND c.filled_quantity > 0;
--> statement-breakpoint

-- Filled copy orders per trader and subscriber, from the index alone: the refresh of follower
-- results and subscription statistics reads these instead of every order.
CREATE INDEX idx_trades_copy_fills ON trades (source_trader_id, user_id)
  INCLUDE (source_trade_id, action, filled_quantity, filled_at, filled_price)
  WHERE source = 'copy';
--> statement-breakpoint
-- A user's own filled orders, from the index alone: a trader's openings, and the fills copies
-- are measured against.
CREATE INDEX idx_trades_own_fills ON trades (user_id, action)
  INCLUDE (id, filled_at, filled_price)
  WHERE source = 'manual' AND filled_quantity > 0;
--> statement-breakpoint

-- ---------------------------------------------------------------------------------------
-- Closed positions by user, source, Eastern day and hour: a table kept by trigger
-- ---------------------------------------------------------------------------------------
-- analytics_hourly (the schema: src/db/schema/analytics.ts) holds sums only. Each statement
-- that changes positions adds the positions it closed (or changed once closed) and takes back
-- what they counted before; concurrent closes of one bucket take turns on its row. A bucket
-- back at zero is deleted.

-- One position's contribution: +1 when it counts, −1 to take it back.
CREATE TYPE analytics_close AS (
  user_id text,
  source text,
  opened_at timestamp,
  closed_at timestamp,
  pnl numeric,
  cost_basis numeric,
  sign integer
);
--> statement-breakpoint

CREATE OR REPLACE FUNCTION analytics_hourly_add(closes analytics_close[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  emptied record;
BEGIN
  -- Buckets in key order, so two statements adding to the same buckets cannot deadlock.
  FOR emptied IN
    WITH c AS (
      SELECT c.user_id, c.source, public.analytics_eastern(c.closed_at) AS eastern, c.sign,
             c.sign * c.pnl AS pnl, c.sign * c.cost_basis AS cost_basis,
             public.analytics_position_result(c.pnl) AS result,
             c.sign * public.analytics_hold_seconds(c.opened_at, c.closed_at) AS hold_seconds
        FROM unnest(closes) AS c
    )
    INSERT INTO public.analytics_hourly AS h
      (user_id, source, day, hour, closed_positions, wins, losses, pnl, cost_basis, gross_wins, hold_seconds)
    SELECT user_id, source, eastern::date, EXTRACT(HOUR FROM eastern)::smallint,
           sum(sign), COALESCE(sum(sign) FILTER (WHERE result = 'win'), 0),
           COALESCE(sum(sign) FILTER (WHERE result = 'loss'), 0), sum(pnl), sum(cost_basis),
           COALESCE(sum(pnl) FILTER (WHERE result = 'win'), 0), sum(hold_seconds)
      FROM c
     GROUP BY 1, 2, 3, 4
     ORDER BY 1, 2, 3, 4
    ON CONFLICT (user_id, source, day, hour) DO UPDATE SET
      closed_positions = h.closed_positions + EXCLUDED.closed_positions,
      wins = h.wins + EXCLUDED.wins,
      losses = h.losses + EXCLUDED.losses,
      pnl = h.pnl + EXCLUDED.pnl,
      cost_basis = h.cost_basis + EXCLUDED.cost_basis,
      gross_wins = h.gross_wins + EXCLUDED.gross_wins,
      hold_seconds = h.hold_seconds + EXCLUDED.hold_seconds
    RETURNING h.user_id, h.source, h.day, h.hour, h.closed_positions
  LOOP
    IF emptied.closed_positions = 0 THEN
      DELETE FROM public.analytics_hourly
       WHERE (user_id, source, day, hour) = (emptied.user_id, emptied.source, emptied.day, emptied.hour);
    END IF;
  END LOOP;
END
$$;
--> statement-breakpoint

-- Statement-level, so a fan-out closing ten thousand copies adds them in one statement.
CREATE OR REPLACE FUNCTION parent_trades_analytics_hourly() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  closes analytics_close[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(ROW(n.user_id, analytics_position_source(n.source_parent_trade_id), n.opened_at,
                         n.closed_at, n.total_pnl, n.total_cost_basis, 1)::analytics_close)
      INTO closes
      FROM new_rows n
     WHERE n.status IN ('closed', 'expired') AND n.closed_at IS NOT NULL;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(ROW(o.user_id, analytics_position_source(o.source_parent_trade_id), o.opened_at,
                         o.closed_at, o.total_pnl, o.total_cost_basis, -1)::analytics_close)
      INTO closes
      FROM old_rows o
     WHERE o.status IN ('closed', 'expired') AND o.closed_at IS NOT NULL;
  ELSE
    SELECT array_agg(v.close)
      INTO closes
      FROM new_rows n
      JOIN old_rows o ON o.id = n.id
     CROSS JOIN LATERAL (VALUES
       (ROW(n.user_id, analytics_position_source(n.source_parent_trade_id), n.opened_at, n.closed_at,
            n.total_pnl, n.total_cost_basis, 1)::analytics_close,
        n.status IN ('closed', 'expired') AND n.closed_at IS NOT NULL),
       (ROW(o.user_id, analytics_position_source(o.source_parent_trade_id), o.opened_at, o.closed_at,
            o.total_pnl, o.total_cost_basis, -1)::analytics_close,
        o.status IN ('closed', 'expired') AND o.closed_at IS NOT NULL)
     ) AS v(close, counts)
     WHERE v.counts
       AND (n.status, n.total_pnl, n.total_cost_basis, n.opened_at, n.closed_at, n.user_id, n.source_parent_trade_id)
           IS DISTINCT FROM
           (o.status, o.total_pnl, o.total_cost_basis, o.opened_at, o.closed_at, o.user_id, o.source_parent_trade_id);
  END IF;
  IF closes IS NOT NULL THEN
    PERFORM analytics_hourly_add(closes);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint

CREATE TRIGGER parent_trades_analytics_hourly_insert AFTER INSERT ON parent_trades
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION parent_trades_analytics_hourly();
CREATE TRIGGER parent_trades_analytics_hourly_update AFTER UPDATE ON parent_trades
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION parent_trades_analytics_hourly();
CREATE TRIGGER parent_trades_analytics_hourly_delete AFTER DELETE ON parent_trades
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION parent_trades_analytics_hourly();
--> statement-breakpoint

-- The positions already closed when this migration runs.
SELECT analytics_hourly_add(array_agg(ROW(p.user_id, analytics_position_source(p.source_parent_trade_id),
                                          p.opened_at, p.closed_at, p.total_pnl, p.total_cost_basis,
                                          1)::analytics_close))
  FROM parent_trades p
 WHERE p.status IN ('closed', 'expired') AND p.closed_at IS NOT NULL
HAVING count(*) > 0;
--> statement-breakpoint

-- The cumulative curve of a user (and source 'all', 'manual' or 'copied'): realised P&L per
-- Eastern day with a close, the running total from 0, and the drawdown: how far the curve is
-- below its highest point so far (0 included). The maximum drawdown is the largest of these.
CREATE OR REPLACE FUNCTION analytics_curve(p_user_id text, p_source text)
RETURNS TABLE (day date, pnl numeric, closed_positions integer, cumulative_pnl numeric, drawdown numeric)
LANGUAGE sql STABLE
AS $$
  SELECT c.day, c.pnl, c.closed_positions, c.cumulative_pnl,
         GREATEST(max(c.cumulative_pnl) OVER (ORDER BY c.day), 0) - c.cumulative_pnl
    FROM (SELECT h.day, sum(h.pnl) AS pnl, sum(h.closed_positions)::integer AS closed_positions,
                 sum(sum(h.pnl)) OVER (ORDER BY h.day) AS cumulative_pnl
            FROM public.analytics_hourly h
           WHERE h.user_id = p_user_id AND (p_source = 'all' OR h.source = p_source)
           GROUP BY h.day) c
$$;
--> statement-breakpoint

-- Every figure of §5 per user and source ('all', 'manual', 'copied'), but the extremes and the
-- drawdown (analytics_extremes, analytics_curve). Expectancy is the average P&L per closed
-- position (win rate × average win + loss rate × average loss is the same number); the
-- profit factor is gross wins over gross losses (NULL without a loss). The buckets are read
-- twice, once as their source and once as 'all' (not GROUPING SETS), so a condition on user and
-- source reaches the table's key: one user's row reads that user's buckets only.
CREATE VIEW analytics_user_statistics AS
SELECT h.user_id,
       h.source,
       sum(h.closed_positions)::integer AS closed_positions,
       sum(h.wins)::integer AS wins,
       sum(h.losses)::integer AS losses,
       sum(h.pnl) AS total_pnl,
       sum(h.cost_basis) AS total_cost_basis,
       sum(h.gross_wins) AS gross_wins,
       sum(h.pnl) - sum(h.gross_wins) AS gross_losses,
       analytics_ratio(sum(h.wins), sum(h.closed_positions)) AS win_rate,
       analytics_ratio(sum(h.pnl), sum(h.cost_basis)) AS roi,
       analytics_average(sum(h.gross_wins), sum(h.wins)) AS average_win,
       analytics_average(sum(h.pnl) - sum(h.gross_wins), sum(h.losses)) AS average_loss,
       analytics_ratio(sum(h.gross_wins), sum(h.gross_wins) - sum(h.pnl)) AS profit_factor,
       analytics_average(sum(h.pnl), sum(h.closed_positions)) AS expectancy,
       round(sum(h.hold_seconds) / sum(h.closed_positions))::bigint AS average_hold_seconds,
       min(h.day) AS first_close_day,
       max(h.day) AS last_close_day
  FROM (SELECT b.user_id, b.source, b.day, b.closed_positions, b.wins, b.losses, b.pnl, b.cost_basis,
               b.gross_wins, b.hold_seconds
          FROM analytics_hourly b
        UNION ALL
        SELECT b.user_id, 'all', b.day, b.closed_positions, b.wins, b.losses, b.pnl, b.cost_basis,
               b.gross_wins, b.hold_seconds
          FROM analytics_hourly b) h
 GROUP BY h.user_id, h.source;
--> statement-breakpoint

-- The biggest win and loss of a user (and source): one step down the P&L index each.
CREATE OR REPLACE FUNCTION analytics_extremes(p_user_id text, p_source text)
RETURNS TABLE (biggest_win numeric, biggest_loss numeric)
LANGUAGE sql STABLE
AS $$
  SELECT (SELECT max(f.pnl) FROM public.analytics_position_facts f
           WHERE f.user_id = p_user_id AND (p_source = 'all' OR f.source = p_source) AND f.result = 'win'),
         (SELECT min(f.pnl) FROM public.analytics_position_facts f
           WHERE f.user_id = p_user_id AND (p_source = 'all' OR f.source = p_source) AND f.result = 'loss')
$$;
--> statement-breakpoint

-- ---------------------------------------------------------------------------------------
-- Materialized aggregates across users, refreshed together by refresh_analytics()
-- ---------------------------------------------------------------------------------------
-- Each has a unique index on its key: REFRESH … CONCURRENTLY needs one, and readers keep
-- reading the previous contents while a refresh runs.

-- The leaderboard's figures per user, from the positions they opened themselves (manual): a
-- trader is ranked on their own trading, which is what followers copy (copies of copies are
-- never copied on). All time, and over the rolling 24 hours, 7 and 30 days before the refresh
-- (the CRON refresh every minute keeps those windows current when nothing closes).
CREATE MATERIALIZED VIEW analytics_leaderboard AS
WITH w AS (
  SELECT analytics_period_start('24h', n) AS d1, analytics_period_start('7d', n) AS d7,
         analytics_period_start('30d', n) AS d30
    FROM (SELECT now() AT TIME ZONE 'UTC' AS n) x
), recent AS (
  SELECT f.user_id,
         count(*) FILTER (WHERE f.closed_at >= w.d1) AS closed_1,
         count(*) FILTER (WHERE f.closed_at >= w.d1 AND f.result = 'win') AS wins_1,
         sum(f.pnl) FILTER (WHERE f.closed_at >= w.d1) AS pnl_1,
         count(*) FILTER (WHERE f.closed_at >= w.d7) AS closed_7,
         count(*) FILTER (WHERE f.closed_at >= w.d7 AND f.result = 'win') AS wins_7,
         sum(f.pnl) FILTER (WHERE f.closed_at >= w.d7) AS pnl_7,
         count(*) AS closed_30,
         count(*) FILTER (WHERE f.result = 'win') AS wins_30,
         sum(f.pnl) AS pnl_30
    FROM analytics_position_facts f, w
   WHERE f.source = 'manual' AND f.closed_at >= w.d30
   GROUP BY f.user_id
)
SELECT s.user_id,
       s.closed_positions,
       s.wins,
       s.total_pnl,
       s.win_rate,
       s.expectancy AS average_pnl,
       COALESCE(r.closed_1, 0)::integer AS closed_positions_24h,
       analytics_ratio(r.wins_1, r.closed_1) AS win_rate_24h,
       COALESCE(r.pnl_1, 0.00) AS pnl_24h,
       analytics_average(r.pnl_1, r.closed_1) AS average_pnl_24h,
       COALESCE(r.closed_7, 0)::integer AS closed_positions_7d,
       analytics_ratio(r.wins_7, r.closed_7) AS win_rate_7d,
       COALESCE(r.pnl_7, 0.00) AS pnl_7d,
       analytics_average(r.pnl_7, r.closed_7) AS average_pnl_7d,
       COALESCE(r.closed_30, 0)::integer AS closed_positions_30d,
       analytics_ratio(r.wins_30, r.closed_30) AS win_rate_30d,
       COALESCE(r.pnl_30, 0.00) AS pnl_30d,
       analytics_average(r.pnl_30, r.closed_30) AS average_pnl_30d
  FROM analytics_user_statistics s
  LEFT JOIN recent r ON r.user_id = s.user_id
 WHERE s.source = 'manual'
WITH DATA;
--> statement-breakpoint
CREATE UNIQUE INDEX uq_analytics_leaderboard ON analytics_leaderboard (user_id);
--> statement-breakpoint

-- What each subscription got: its decisions by outcome and its skips by reason, its copies
-- that filled ("executed": a decision's outcome alone does not say a copy happened, a filled
-- order does), and the realised P&L of the subscriber's positions copied from this trader.
CREATE MATERIALIZED VIEW analytics_subscription_stats AS
WITH decisions AS (
  SELECT subscription_id, outcome, COALESCE(reason, 'unspecified') AS reason, count(*)::integer AS n
    FROM subscription_trades
   GROUP BY 1, 2, 3
), by_subscription AS (
  SELECT subscription_id,
         sum(n)::integer AS decisions,
         COALESCE(sum(n) FILTER (WHERE outcome = 'skipped'), 0)::integer AS skipped,
         jsonb_object_agg(reason, n) FILTER (WHERE outcome = 'skipped') AS skipped_by_reason,
         COALESCE(sum(n) FILTER (WHERE outcome = 'failed'), 0)::integer AS failed,
         COALESCE(sum(n) FILTER (WHERE outcome = 'pending_approval'), 0)::integer AS pending_approval,
         COALESCE(sum(n) FILTER (WHERE outcome = 'dismissed'), 0)::integer AS dismissed,
         COALESCE(sum(n) FILTER (WHERE outcome = 'lapsed'), 0)::integer AS lapsed
    FROM decisions
   GROUP BY subscription_id
), fills AS (
  SELECT subscriber_id, trader_id, count(*)::integer AS executed
    FROM analytics_copy_fills
   GROUP BY subscriber_id, trader_id
), results AS (
  SELECT f.user_id AS subscriber_id, src.user_id AS trader_id,
         count(*)::integer AS closed_positions,
         (count(*) FILTER (WHERE f.result = 'win'))::integer AS wins,
         (count(*) FILTER (WHERE f.result = 'loss'))::integer AS losses,
         sum(f.pnl) AS total_pnl,
         sum(f.cost_basis) AS cost_basis
    FROM analytics_position_facts f
    JOIN parent_trades src ON src.id = f.copied_from_position_id
   WHERE f.source = 'copied'
   GROUP BY f.user_id, src.user_id
)
SELECT s.id AS subscription_id,
       s.subscriber_id,
       s.trader_id,
       COALESCE(d.decisions, 0) AS decisions,
       COALESCE(f.executed, 0) AS executed,
       COALESCE(d.skipped, 0) AS skipped,
       COALESCE(d.skipped_by_reason, '{}'::jsonb) AS skipped_by_reason,
       COALESCE(d.failed, 0) AS failed,
       COALESCE(d.pending_approval, 0) AS pending_approval,
       COALESCE(d.dismissed, 0) AS dismissed,
       COALESCE(d.lapsed, 0) AS lapsed,
       COALESCE(x.closed_positions, 0) AS closed_positions,
       COALESCE(x.wins, 0) AS wins,
       COALESCE(x.losses, 0) AS losses,
       COALESCE(x.total_pnl, 0.00) AS total_pnl,
       COALESCE(x.cost_basis, 0.00) AS total_cost_basis,
       analytics_ratio(x.total_pnl, x.cost_basis) AS roi
  FROM subscriptions s
  LEFT JOIN by_subscription d ON d.subscription_id = s.id
  LEFT JOIN fills f ON f.subscriber_id = s.subscriber_id AND f.trader_id = s.trader_id
  LEFT JOIN results x ON x.subscriber_id = s.subscriber_id AND x.trader_id = s.trader_id
WITH DATA;
--> statement-breakpoint
CREATE UNIQUE INDEX uq_analytics_subscription_stats ON analytics_subscription_stats (subscription_id);
--> statement-breakpoint
-- A subscriber's statistics for all their subscriptions at once.
CREATE INDEX idx_analytics_subscription_stats_subscriber ON analytics_subscription_stats (subscriber_id);
--> statement-breakpoint

-- What followers actually got from a trader (PRODUCT.md §5): their realised P&L from copies of
-- this trader's positions; the share of the trader's own filled openings (BTO) that at least
-- one follower's copy filled; the median copy delay and the average slippage over filled
-- copies (a positive slippage cost a buyer and earned a seller, so the sides are given apart
-- too). Skipped, failed, lapsed and dismissed decisions are counted apart and never enter the
-- figures above.
CREATE MATERIALIZED VIEW analytics_trader_followers AS
WITH copies AS (
  SELECT trader_id,
         count(*)::integer AS copy_fills,
         (count(DISTINCT source_trade_id) FILTER (WHERE action = 'buy'))::integer AS copied_openings,
         round(percentile_cont(0.5) WITHIN GROUP (ORDER BY delay_seconds)::numeric, 3) AS median_copy_delay_seconds,
         round(avg(slippage), 4) AS average_slippage,
         round(avg(slippage) FILTER (WHERE action = 'buy'), 4) AS average_buy_slippage,
         round(avg(slippage) FILTER (WHERE action = 'sell'), 4) AS average_sell_slippage
    FROM analytics_copy_fills
   GROUP BY trader_id
), by_subscription AS (
  SELECT trader_id,
         (count(*) FILTER (WHERE closed_positions > 0))::integer AS followers_with_results,
         sum(closed_positions)::integer AS closed_positions,
         sum(wins)::integer AS wins,
         sum(losses)::integer AS losses,
         sum(total_pnl) AS total_pnl,
         analytics_ratio(sum(total_pnl), sum(total_cost_basis)) AS roi,
         sum(skipped)::integer AS skipped,
         sum(failed)::integer AS failed,
         sum(lapsed)::integer AS lapsed,
         sum(dismissed)::integer AS dismissed
    FROM analytics_subscription_stats
   GROUP BY trader_id
), reasons AS (
  SELECT x.trader_id, jsonb_object_agg(x.reason, x.n) AS skipped_by_reason
    FROM (SELECT s.trader_id, r.key AS reason, sum(r.value::integer)::integer AS n
            FROM analytics_subscription_stats s, jsonb_each_text(s.skipped_by_reason) r
           GROUP BY 1, 2) x
   GROUP BY x.trader_id
), openings AS (
  SELECT user_id AS trader_id, count(*)::integer AS openings
    FROM trades
   WHERE source = 'manual' AND action = 'buy' AND filled_quantity > 0
   GROUP BY user_id
)
SELECT u.id AS trader_id,
       COALESCE(x.followers_with_results, 0) AS followers_with_results,
       COALESCE(x.closed_positions, 0) AS closed_positions,
       COALESCE(x.wins, 0) AS wins,
       COALESCE(x.losses, 0) AS losses,
       COALESCE(x.total_pnl, 0.00) AS total_pnl,
       x.roi,
       COALESCE(o.openings, 0) AS openings,
       COALESCE(c.copied_openings, 0) AS copied_openings,
       analytics_ratio(c.copied_openings, o.openings) AS copied_share,
       COALESCE(c.copy_fills, 0) AS copy_fills,
       c.median_copy_delay_seconds,
       c.average_slippage,
       c.average_buy_slippage,
       c.average_sell_slippage,
       COALESCE(x.skipped, 0) AS skipped,
       COALESCE(r.skipped_by_reason, '{}'::jsonb) AS skipped_by_reason,
       COALESCE(x.failed, 0) AS failed,
       COALESCE(x.lapsed, 0) AS lapsed,
       COALESCE(x.dismissed, 0) AS dismissed
  FROM users u
  LEFT JOIN by_subscription x ON x.trader_id = u.id
  LEFT JOIN openings o ON o.trader_id = u.id
  LEFT JOIN copies c ON c.trader_id = u.id
  LEFT JOIN reasons r ON r.trader_id = u.id
 WHERE u.is_trader IS TRUE
WITH DATA;
--> statement-breakpoint
CREATE UNIQUE INDEX uq_analytics_trader_followers ON analytics_trader_followers (trader_id);
--> statement-breakpoint

-- ---------------------------------------------------------------------------------------
-- Refreshing
-- ---------------------------------------------------------------------------------------
-- One refresh of every aggregate, in dependency order and in one transaction, so readers move
-- from one consistent set to the next. One at a time: the advisory lock makes a second refresh
-- (the CRON fallback beside a debounced one, a second worker) wait for the first rather than
-- run beside it. Returns when it finished (UTC), which answers carry as `asOf`.
CREATE OR REPLACE FUNCTION refresh_analytics() RETURNS timestamp
LANGUAGE plpgsql AS $$
DECLARE
  refreshed timestamp;
BEGIN
  PERFORM pg_advisory_xact_lock(724417010);
  -- The aggregations sort and hash tens of thousands of rows; 4MB (the default) would spill.
  PERFORM set_config('work_mem', '64MB', true);
  REFRESH MATERIALIZED VIEW CONCURRENTLY analytics_leaderboard;
  REFRESH MATERIALIZED VIEW CONCURRENTLY analytics_subscription_stats;
  REFRESH MATERIALIZED VIEW CONCURRENTLY analytics_trader_followers;
  refreshed := clock_timestamp() AT TIME ZONE 'UTC';
  INSERT INTO analytics_refresh_state (id, refreshed_at) VALUES (true, refreshed)
    ON CONFLICT (id) DO UPDATE SET refreshed_at = EXCLUDED.refreshed_at;
  RETURN refreshed;
END
$$;
--> statement-breakpoint

-- Ask for a refresh: the `refresh-analytics` job of src/jobs/catalogue.ts, with its key, queue
-- and delay (a test holds the two together). The key with preserve_run_at debounces: however
-- many closes come in, one refresh waits, due 10 seconds after the first of them; a close
-- during a refresh queues the next one. Once per transaction (the setting), however many rows.
CREATE OR REPLACE FUNCTION analytics_request_refresh() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('alertsify.analytics_refresh_requested', true) = 'on' THEN
    RETURN NULL;
  END IF;
  PERFORM set_config('alertsify.analytics_refresh_requested', 'on', true);
  PERFORM graphile_worker.add_job('refresh-analytics', '{}'::json,
    queue_name => 'analytics',
    run_at => clock_timestamp() + interval '10 seconds',
    job_key => 'refresh-analytics',
    job_key_mode => 'preserve_run_at');
  RETURN NULL;
END
$$;
--> statement-breakpoint

-- Deferred to the commit, so the transaction holds the waiting job's row for an instant only:
-- taken at the first close of a long transaction (a fan-out closing thousands of copies), it
-- would make every other closing transaction wait for that one to finish. Only the rows whose
-- figures changed queue an event.
CREATE CONSTRAINT TRIGGER parent_trades_analytics_refresh_update
  AFTER UPDATE ON parent_trades DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW
  WHEN ((NEW.status IN ('closed', 'expired') OR OLD.status IN ('closed', 'expired'))
        AND (NEW.status, NEW.total_pnl, NEW.total_cost_basis, NEW.closed_at, NEW.opened_at, NEW.user_id,
             NEW.source_parent_trade_id, NEW.underlying)
            IS DISTINCT FROM
            (OLD.status, OLD.total_pnl, OLD.total_cost_basis, OLD.closed_at, OLD.opened_at, OLD.user_id,
             OLD.source_parent_trade_id, OLD.underlying))
  EXECUTE FUNCTION analytics_request_refresh();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER parent_trades_analytics_refresh_delete
  AFTER DELETE ON parent_trades DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW WHEN (OLD.status IN ('closed', 'expired'))
  EXECUTE FUNCTION analytics_request_refresh();
--> statement-breakpoint
-- Copy decisions feed subscription statistics and followers' results.
CREATE CONSTRAINT TRIGGER subscription_trades_analytics_refresh_insert
  AFTER INSERT ON subscription_trades DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION analytics_request_refresh();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER subscription_trades_analytics_refresh_update
  AFTER UPDATE ON subscription_trades DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW WHEN ((NEW.outcome, NEW.reason, NEW.copy_trade_id) IS DISTINCT FROM (OLD.outcome, OLD.reason, OLD.copy_trade_id))
  EXECUTE FUNCTION analytics_request_refresh();
