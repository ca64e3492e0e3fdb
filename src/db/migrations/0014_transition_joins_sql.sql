-- The rest of 0013's finding: PL/pgSQL keeps a trigger statement's plan from its first call, and
-- a plan made for one row joins old_rows to new_rows by nested loop, 10,000 × 10,000 rows in a
-- fan-out (auto_explain in the fan-out benchmark: 1.8 s of every 2,000-copy fill update in
-- trades_outbox, 1.5 s in trades_refresh_positions). These triggers also read real tables,
-- where a nested loop over an index is what a small statement wants, so instead of turning
-- nested loops off for everything they take shapes no plan can make quadratic:
-- * the outboxes look their real-table values up per row (a scalar subquery runs as an index
--   lookup whatever the join settings) and turn nested loops off for the transition join;
-- * the position refresh and the analytics buckets need only which rows changed, so they
--   compare old_rows with new_rows by EXCEPT (hashed or sorted, never a nested loop).
-- And the position refresh folds the commonest sale (one sell after all the buys) for all its
-- positions at once, as it already did for positions with buys only.

CREATE OR REPLACE FUNCTION trades_outbox() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO event_outbox (user_id, type, payload, created_at)
    SELECT (n.r).user_id, 'order',
           order_live_event(n.r, (SELECT p.symbol FROM parent_trades p WHERE p.id = (n.r).parent_trade_id)),
           now() AT TIME ZONE 'UTC'
      FROM (SELECT ROW(r.*)::trades AS r, row_number() OVER () AS ord FROM new_rows r) n
     ORDER BY n.ord;
  ELSE
    INSERT INTO event_outbox (user_id, type, payload, created_at)
    SELECT (n.r).user_id, 'order',
           order_live_event(n.r, (SELECT p.symbol FROM parent_trades p WHERE p.id = (n.r).parent_trade_id)),
           now() AT TIME ZONE 'UTC'
      FROM (SELECT ROW(r.*)::trades AS r, row_number() OVER () AS ord FROM new_rows r) n
      JOIN old_rows o ON o.id = (n.r).id
     WHERE ((n.r).status, (n.r).filled_quantity, (n.r).quantity)
           IS DISTINCT FROM (o.status, o.filled_quantity, o.quantity)
     ORDER BY n.ord;
  END IF;
  IF FOUND THEN
    PERFORM pg_notify('alertsify_events', 'w');
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
ALTER FUNCTION trades_outbox() SET enable_nestloop = off;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION notifications_outbox() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO event_outbox (user_id, type, payload, created_at)
    SELECT (n.r).user_id, 'notification',
           notification_live_event(n.r, (SELECT u.unread_notifications FROM users u WHERE u.id = (n.r).user_id)),
           now() AT TIME ZONE 'UTC'
      FROM (SELECT ROW(r.*)::notifications AS r, row_number() OVER () AS ord FROM new_rows r) n
     ORDER BY n.ord;
  ELSE
    INSERT INTO event_outbox (user_id, type, payload, created_at)
    SELECT (n.r).user_id, 'notification',
           notification_live_event(n.r, (SELECT u.unread_notifications FROM users u WHERE u.id = (n.r).user_id)),
           now() AT TIME ZONE 'UTC'
      FROM (SELECT ROW(r.*)::notifications AS r, row_number() OVER () AS ord FROM new_rows r) n
      JOIN old_rows o ON o.id = (n.r).id
     WHERE (n.r).read IS DISTINCT FROM o.read
     ORDER BY n.ord;
  END IF;
  IF FOUND THEN
    PERFORM pg_notify('alertsify_events', 'w');
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
ALTER FUNCTION notifications_outbox() SET enable_nestloop = off;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION trades_refresh_positions() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  parent_ids text[];
  folded_ids text[];
  parent_id text;
BEGIN
  IF current_setting('alertsify.refreshing_positions', true) = 'on' THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT n.parent_trade_id) INTO parent_ids
      FROM new_rows n WHERE n.filled_quantity > 0;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT o.parent_trade_id) INTO parent_ids
      FROM old_rows o WHERE o.filled_quantity > 0;
  ELSE
    -- A row changed in what the fold reads when its values differ before and after: its new
    -- values are missing from old_rows and its old ones from new_rows (ids are unique).
    SELECT array_agg(DISTINCT c.parent_trade_id) INTO parent_ids
      FROM ((SELECT id, action, filled_quantity, filled_price, filled_at, created_at, parent_trade_id FROM new_rows
             EXCEPT
             SELECT id, action, filled_quantity, filled_price, filled_at, created_at, parent_trade_id FROM old_rows)
            UNION ALL
            (SELECT id, action, filled_quantity, filled_price, filled_at, created_at, parent_trade_id FROM old_rows
             EXCEPT
             SELECT id, action, filled_quantity, filled_price, filled_at, created_at, parent_trade_id FROM new_rows)) c;
  END IF;
  IF parent_ids IS NULL THEN
    RETURN NULL;
  END IF;
  PERFORM set_config('alertsify.refreshing_positions', 'on', true);
  -- Lock in id order, so two statements touching the same positions cannot deadlock.
  PERFORM 1 FROM parent_trades WHERE id = ANY(parent_ids) ORDER BY id FOR NO KEY UPDATE;

  WITH buy_only AS (
    SELECT parent_trade_id AS id,
           sum(filled_quantity)::integer AS qty,
           sum(filled_quantity * filled_price) AS cost
      FROM trades
     WHERE parent_trade_id = ANY(parent_ids) AND filled_quantity > 0
     GROUP BY parent_trade_id
    HAVING bool_and(action = 'buy')
  ), refreshed AS (
    UPDATE parent_trades p SET
      bought_quantity = b.qty,
      sold_quantity = 0,
      avg_entry_price = round(b.cost / b.qty, 6),
      total_cost_basis = round(b.cost * 100, 2),
      total_proceeds = 0,
      total_pnl = 0
    FROM buy_only b
    WHERE p.id = b.id
    RETURNING p.id
  )
  SELECT array_agg(id) INTO folded_ids FROM refreshed;

  -- Positions whose one sell is filled and comes after every filled buy in the fold's order (a
  -- closing copy's sale, most sales): the fold is the buys' sums and one sell step, the same
  -- arithmetic as refresh_parent_trade's loop, done for all of them in two statements instead
  -- of a loop of its own statements per position (1.4-3.7 s per 2,000 closing copies).
  WITH candidates AS (
    SELECT t.parent_trade_id AS id,
           sum(t.filled_quantity) FILTER (WHERE t.action = 'buy' AND t.filled_quantity > 0)::integer AS bq,
           sum(t.filled_quantity * t.filled_price) FILTER (WHERE t.action = 'buy' AND t.filled_quantity > 0) AS bcost,
           count(*) FILTER (WHERE t.action = 'sell') AS sells,
           max(t.id) FILTER (WHERE t.action = 'sell') AS sell_id,
           max(t.filled_at) FILTER (WHERE t.filled_quantity > 0) AS last_fill_at
      FROM trades t
     WHERE t.parent_trade_id = ANY(parent_ids)
       AND (folded_ids IS NULL OR NOT (t.parent_trade_id = ANY(folded_ids)))
     GROUP BY t.parent_trade_id
  ), one_sell AS (
    SELECT c.id, c.bq, c.bcost, c.last_fill_at, s.id AS sell_id, s.filled_quantity AS q, s.filled_price AS p,
           CASE WHEN s.filled_quantity >= c.bq THEN c.bcost
                ELSE round(c.bcost * s.filled_quantity / c.bq, 20) END AS removed
      FROM candidates c
      JOIN trades s ON s.id = c.sell_id
     WHERE c.sells = 1 AND c.bq > 0 AND s.filled_quantity > 0 AND s.filled_quantity <= c.bq
       AND NOT EXISTS (
         SELECT 1 FROM trades b
          WHERE b.parent_trade_id = c.id AND b.action = 'buy' AND b.filled_quantity > 0
            AND ((date_trunc('milliseconds', b.filled_at), date_trunc('milliseconds', b.created_at), false, b.id COLLATE "C")
                 < (date_trunc('milliseconds', s.filled_at), date_trunc('milliseconds', s.created_at), true, s.id COLLATE "C"))
                IS NOT TRUE)
  ), stepped AS (
    -- The loop's sell step with nothing realised before it.
    SELECT o.*,
           (o.q * o.p - o.removed) * 100 AS realised,
           round((o.q * o.p - o.removed) * 100, 2)::numeric(15, 2) AS sell_pnl,
           (CASE WHEN o.bcost = 0 THEN NULL
                 ELSE LEAST(GREATEST(round((o.p * o.bq - o.bcost) * 100 / o.bcost, 4), -9999.9999), 9999.9999)
            END)::numeric(8, 4) AS sell_pnl_percent,
           CASE WHEN o.bq - o.q > 0 THEN (o.bcost - o.removed) / (o.bq - o.q) ELSE o.bcost / o.bq END AS entry_price
      FROM one_sell o
  ), sells AS (
    UPDATE trades t SET pnl = x.sell_pnl, pnl_percent = x.sell_pnl_percent
      FROM stepped x
     WHERE t.id = x.sell_id
       AND (t.pnl IS DISTINCT FROM x.sell_pnl OR t.pnl_percent IS DISTINCT FROM x.sell_pnl_percent)
  ), positions AS (
    UPDATE parent_trades p SET
      bought_quantity = x.bq,
      sold_quantity = x.q,
      avg_entry_price = round(x.entry_price, 6),
      total_cost_basis = round(x.bcost * 100, 2),
      total_proceeds = round(x.q * x.p * 100, 2),
      total_pnl = round(x.realised, 2),
      status = CASE WHEN p.status = 'open' AND x.q = x.bq THEN 'closed' ELSE p.status END,
      closed_at = CASE WHEN x.q = x.bq THEN COALESCE(p.closed_at, x.last_fill_at, now() AT TIME ZONE 'UTC')
                       ELSE p.closed_at END
      FROM stepped x
     WHERE p.id = x.id
       AND (p.bought_quantity, p.sold_quantity, p.avg_entry_price, p.total_cost_basis, p.total_proceeds,
            p.total_pnl, p.status, p.closed_at)
           IS DISTINCT FROM
           (x.bq, x.q, round(x.entry_price, 6), round(x.bcost * 100, 2), round(x.q * x.p * 100, 2),
            round(x.realised, 2),
            CASE WHEN p.status = 'open' AND x.q = x.bq THEN 'closed' ELSE p.status END,
            CASE WHEN x.q = x.bq THEN COALESCE(p.closed_at, x.last_fill_at, now() AT TIME ZONE 'UTC')
                 ELSE p.closed_at END)
  )
  SELECT COALESCE(folded_ids, '{}') || COALESCE(array_agg(id), '{}') INTO folded_ids FROM stepped;

  FOREACH parent_id IN ARRAY COALESCE((
    SELECT array_agg(id ORDER BY id) FROM unnest(parent_ids) AS id
     WHERE folded_ids IS NULL OR NOT (id = ANY(folded_ids))
  ), '{}') LOOP
    PERFORM refresh_parent_trade(parent_id);
  END LOOP;
  PERFORM set_config('alertsify.refreshing_positions', 'off', true);
  RETURN NULL;
END
$$;
--> statement-breakpoint

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
    -- A changed row adds its new close (if closed now) and takes back its old one (if it was).
    SELECT array_agg(c.close)
      INTO closes
      FROM (SELECT ROW(n.user_id, analytics_position_source(n.source_parent_trade_id), n.opened_at, n.closed_at,
                       n.total_pnl, n.total_cost_basis, 1)::analytics_close AS close
              FROM (SELECT id, status, total_pnl, total_cost_basis, opened_at, closed_at, user_id, source_parent_trade_id
                      FROM new_rows
                    EXCEPT
                    SELECT id, status, total_pnl, total_cost_basis, opened_at, closed_at, user_id, source_parent_trade_id
                      FROM old_rows) n
             WHERE n.status IN ('closed', 'expired') AND n.closed_at IS NOT NULL
            UNION ALL
            SELECT ROW(o.user_id, analytics_position_source(o.source_parent_trade_id), o.opened_at, o.closed_at,
                       o.total_pnl, o.total_cost_basis, -1)::analytics_close
              FROM (SELECT id, status, total_pnl, total_cost_basis, opened_at, closed_at, user_id, source_parent_trade_id
                      FROM old_rows
                    EXCEPT
                    SELECT id, status, total_pnl, total_cost_basis, opened_at, closed_at, user_id, source_parent_trade_id
                      FROM new_rows) o
             WHERE o.status IN ('closed', 'expired') AND o.closed_at IS NOT NULL) c;
  END IF;
  IF closes IS NOT NULL THEN
    PERFORM analytics_hourly_add(closes);
  END IF;
  RETURN NULL;
END
$$;
