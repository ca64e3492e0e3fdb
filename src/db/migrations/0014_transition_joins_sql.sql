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
