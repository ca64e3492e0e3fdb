-- A fan-out fills thousands of copy orders in one statement, each on its own position with
-- buys only. For such a position the fold of refresh_parent_trade reduces to sums (held cost =
-- Σ q × p, nothing sold, no P&L), so those positions are refreshed by one set-based UPDATE;
-- positions with a filled sell still go through the full fold. Both give identical figures.
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
    SELECT array_agg(DISTINCT x.parent_trade_id) INTO parent_ids
      FROM new_rows n JOIN old_rows o ON o.id = n.id,
           LATERAL (VALUES (n.parent_trade_id), (o.parent_trade_id)) AS x(parent_trade_id)
     WHERE (n.action, n.filled_quantity, n.filled_price, n.filled_at, n.created_at, n.parent_trade_id)
           IS DISTINCT FROM
           (o.action, o.filled_quantity, o.filled_price, o.filled_at, o.created_at, o.parent_trade_id);
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
