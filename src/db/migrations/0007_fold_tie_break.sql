-- Executions at the same instant (same filled_at and created_at, as a batch or a coarse clock
-- can produce) are folded buys first: a sell never precedes the buy it closes. Before this, such
-- a tie fell to the order of the random ids. src/domain/position.ts orders the same way.
CREATE OR REPLACE FUNCTION refresh_parent_trade(p_parent_trade_id text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  t record;
  held_qty integer := 0;
  held_cost numeric := 0;
  bought_qty integer := 0;
  sold_qty integer := 0;
  buy_cost numeric := 0;
  sell_value numeric := 0;
  realised numeric := 0;
  basis_cost numeric;
  basis_qty integer;
  entry_price numeric;
  removed numeric;
  sell_pnl numeric(15, 2);
  sell_pnl_percent numeric(8, 4);
  last_fill_at timestamp;
BEGIN
  -- Serialises every writer of this position, including concurrent fills of two orders.
  PERFORM 1 FROM parent_trades WHERE id = p_parent_trade_id FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RETURN;
  END IF;

  FOR t IN
    SELECT id, action, filled_quantity AS qty, filled_price AS price, filled_at, pnl, pnl_percent
      FROM trades
     WHERE parent_trade_id = p_parent_trade_id AND filled_quantity > 0
     ORDER BY date_trunc('milliseconds', filled_at) NULLS LAST,
              date_trunc('milliseconds', created_at) NULLS LAST,
              (action = 'sell'),
              id COLLATE "C"
  LOOP
    last_fill_at := GREATEST(t.filled_at, last_fill_at);
    IF t.action = 'buy' THEN
      held_qty := held_qty + t.qty;
      held_cost := held_cost + t.qty * t.price;
      bought_qty := bought_qty + t.qty;
      buy_cost := buy_cost + t.qty * t.price;
      entry_price := held_cost / held_qty;
    ELSE
      IF held_qty > 0 THEN
        basis_cost := held_cost;
        basis_qty := held_qty;
      ELSIF bought_qty > 0 THEN
        -- Only reachable when fill times are out of order; fall back to the whole position.
        basis_cost := buy_cost;
        basis_qty := bought_qty;
      ELSE
        basis_cost := t.qty * t.price;
        basis_qty := t.qty;
      END IF;
      IF held_qty > 0 AND t.qty >= held_qty THEN
        removed := held_cost;
      ELSE
        removed := round(basis_cost * t.qty / basis_qty, 20);
      END IF;
      sell_pnl := round(realised + (t.qty * t.price - removed) * 100, 2) - round(realised, 2);
      realised := realised + (t.qty * t.price - removed) * 100;
      sell_pnl_percent := CASE WHEN basis_cost = 0 THEN NULL
                               ELSE LEAST(GREATEST(
                                      round((t.price * basis_qty - basis_cost) * 100 / basis_cost, 4),
                                      -9999.9999), 9999.9999) END;
      entry_price := basis_cost / basis_qty;
      held_cost := held_cost - removed;
      held_qty := held_qty - t.qty;
      IF held_qty <= 0 THEN
        held_qty := 0;
        held_cost := 0;
      END IF;
      sold_qty := sold_qty + t.qty;
      sell_value := sell_value + t.qty * t.price;
      IF t.pnl IS DISTINCT FROM sell_pnl OR t.pnl_percent IS DISTINCT FROM sell_pnl_percent THEN
        UPDATE trades SET pnl = sell_pnl, pnl_percent = sell_pnl_percent WHERE id = t.id;
      END IF;
    END IF;
  END LOOP;
  IF held_qty > 0 THEN
    entry_price := held_cost / held_qty;
  END IF;

  -- A sell with nothing filled has no P&L.
  UPDATE trades SET pnl = NULL, pnl_percent = NULL
   WHERE parent_trade_id = p_parent_trade_id AND action = 'sell'
     AND COALESCE(filled_quantity, 0) = 0 AND (pnl IS NOT NULL OR pnl_percent IS NOT NULL);

  UPDATE parent_trades p SET
    bought_quantity = bought_qty,
    sold_quantity = sold_qty,
    avg_entry_price = round(entry_price, 6),
    total_cost_basis = round(buy_cost * 100, 2),
    total_proceeds = round(sell_value * 100, 2),
    total_pnl = round(realised, 2),
    status = CASE WHEN p.status = 'open' AND bought_qty > 0 AND sold_qty = bought_qty THEN 'closed'
                  ELSE p.status END,
    closed_at = CASE WHEN bought_qty > 0 AND sold_qty = bought_qty
                     THEN COALESCE(p.closed_at, last_fill_at, now() AT TIME ZONE 'UTC')
                     ELSE p.closed_at END
  WHERE p.id = p_parent_trade_id
    AND (p.bought_quantity, p.sold_quantity, p.avg_entry_price, p.total_cost_basis, p.total_proceeds,
         p.total_pnl, p.status, p.closed_at)
        IS DISTINCT FROM
        (bought_qty, sold_qty, round(entry_price, 6), round(buy_cost * 100, 2), round(sell_value * 100, 2),
         round(realised, 2),
         CASE WHEN p.status = 'open' AND bought_qty > 0 AND sold_qty = bought_qty THEN 'closed' ELSE p.status END,
         CASE WHEN bought_qty > 0 AND sold_qty = bought_qty
              THEN COALESCE(p.closed_at, last_fill_at, now() AT TIME ZONE 'UTC') ELSE p.closed_at END);
END
$$;
