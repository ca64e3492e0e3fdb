-- Triggers and functions that keep derived data right whoever writes the rows: the services,
-- a job, or someone with psql. PRODUCT.md §2 (fills and P&L) and §4 (unread counter).
-- Times written here are UTC wall-clock time, like every TIMESTAMP column of the schema.

-- ---------------------------------------------------------------------------------------
-- updated_at
-- ---------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW IS DISTINCT FROM OLD THEN
    NEW.updated_at := now() AT TIME ZONE 'UTC';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint

-- The unread counter changes with every notification; that is not an edit of the profile.
CREATE OR REPLACE FUNCTION users_set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF (to_jsonb(NEW) - 'unread_notifications' - 'updated_at')
     IS DISTINCT FROM (to_jsonb(OLD) - 'unread_notifications' - 'updated_at') THEN
    NEW.updated_at := now() AT TIME ZONE 'UTC';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint

CREATE TRIGGER users_updated_at BEFORE UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION users_set_updated_at();
CREATE TRIGGER accounts_updated_at BEFORE UPDATE ON accounts
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER parent_trades_updated_at BEFORE UPDATE ON parent_trades
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER trades_updated_at BEFORE UPDATE ON trades
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER subscriptions_updated_at BEFORE UPDATE ON subscriptions
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER subscription_trades_updated_at BEFORE UPDATE ON subscription_trades
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER sessions_updated_at BEFORE UPDATE ON sessions
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER auth_accounts_updated_at BEFORE UPDATE ON auth_accounts
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER auth_verifications_updated_at BEFORE UPDATE ON auth_verifications
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();
--> statement-breakpoint

-- ---------------------------------------------------------------------------------------
-- Positions folded from fills
-- ---------------------------------------------------------------------------------------
-- refresh_parent_trade recomputes one position from its trades. Every execution counts by
-- filled_quantity × filled_price whatever the order's status (a cancelled order that
-- half-filled counts its half). Executions are folded in fill order with a moving weighted
-- average entry, so adding to a position later never rewrites the P&L of an earlier sale:
--   buy:  held_qty += q; held_cost += q × p
--   sell: removed = round(held_cost × q / held_qty, 20) (all of held_cost on the last one);
--         realised += (q × p − removed) × 100
-- A sell's pnl is round(realised after) − round(realised before): each is within a cent of
-- its exact value, and their sum is the rounded total, so once every contract is closed
-- total_pnl = total_proceeds − total_cost_basis to the cent. The one rounding inside the
-- fold (20 decimals, dividing last) is fixed so that this and src/domain/position.ts, which
-- holds the same fold in TypeScript, agree to the last digit; a test checks they do.
-- A trade is placed in the fold by its filled_at (then created_at, then id, all at the
-- millisecond precision and code-unit order TypeScript has); at the same instant buys come
-- first, since a sell never precedes the buy it closes. A single order that fills in several
-- pieces counts as one execution at its average price.
-- pnl_percent is clamped to what the seed's numeric(8,4) holds (±9999.9999 %): a contract
-- bought at 0.01 and sold at 1.50 must still record its fill.
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
--> statement-breakpoint

-- Statement-level, so a batch of ten thousand copy orders refreshes each position once and
-- pending orders (nothing filled) cost nothing. Positions with filled buys only (every copy a
-- fan-out fills) fold to plain sums, so they are refreshed by one set-based UPDATE; positions
-- with a filled sell go through the full fold. Both give identical figures. The pnl written back by the refresh is a
-- change to trades too; the setting below keeps that from starting another refresh.
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
--> statement-breakpoint

-- Transition tables need one trigger per event. The names sort after trades_audit_*, so the
-- audit rows of a statement are written before the refresh runs.
CREATE TRIGGER trades_refresh_positions_insert AFTER INSERT ON trades
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION trades_refresh_positions();
CREATE TRIGGER trades_refresh_positions_update AFTER UPDATE ON trades
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION trades_refresh_positions();
CREATE TRIGGER trades_refresh_positions_delete AFTER DELETE ON trades
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION trades_refresh_positions();
--> statement-breakpoint

-- ---------------------------------------------------------------------------------------
-- Oversell guard: the last line of defence behind the STC service's own check.
-- ---------------------------------------------------------------------------------------
-- A sell commits its whole quantity while pending or partial, and its filled quantity once
-- final. The committed total of a position's sells may never exceed its filled buys. The
-- position row is locked first, so concurrent sells on one position are checked one after
-- another, each seeing the ones committed before it. It runs AFTER the row is written (at the
-- end of the statement), so a multi-row INSERT is judged as a whole, not row by row.
CREATE OR REPLACE FUNCTION trades_guard_oversell() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  new_commitment integer;
  old_commitment integer := 0;
  filled_bought integer;
  other_sells integer;
BEGIN
  new_commitment := CASE WHEN NEW.status IN ('pending', 'partial') THEN NEW.quantity
                         ELSE COALESCE(NEW.filled_quantity, 0) END;
  IF TG_OP = 'UPDATE' AND OLD.action = 'sell' AND OLD.parent_trade_id = NEW.parent_trade_id THEN
    old_commitment := CASE WHEN OLD.status IN ('pending', 'partial') THEN OLD.quantity
                           ELSE COALESCE(OLD.filled_quantity, 0) END;
  END IF;
  -- Releasing or keeping a commitment can never oversell.
  IF new_commitment <= old_commitment THEN
    RETURN NULL;
  END IF;

  -- NO KEY UPDATE: conflicts with itself but not with the KEY SHARE lock that every trade
  -- INSERT takes on its position for the foreign key (FOR UPDATE would deadlock with it).
  PERFORM 1 FROM parent_trades WHERE id = NEW.parent_trade_id FOR NO KEY UPDATE;

  SELECT COALESCE(sum(filled_quantity) FILTER (WHERE action = 'buy'), 0),
         COALESCE(sum(CASE WHEN status IN ('pending', 'partial') THEN quantity
                           ELSE COALESCE(filled_quantity, 0) END)
                  FILTER (WHERE action = 'sell' AND id <> NEW.id), 0)
    INTO filled_bought, other_sells
    FROM trades
   WHERE parent_trade_id = NEW.parent_trade_id;

  IF other_sells + new_commitment > filled_bought THEN
    RAISE EXCEPTION 'oversell refused: position % holds % filled contracts, % already committed to sells, % more requested',
        NEW.parent_trade_id, filled_bought, other_sells, new_commitment
      USING ERRCODE = 'check_violation', CONSTRAINT = 'trades_oversell_guard', TABLE = 'trades';
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint

CREATE TRIGGER trades_guard_oversell AFTER INSERT OR UPDATE ON trades
  FOR EACH ROW WHEN (NEW.action = 'sell') EXECUTE FUNCTION trades_guard_oversell();
--> statement-breakpoint

-- ---------------------------------------------------------------------------------------
-- One selected account per user (uq_accounts_one_selected enforces it; this makes
-- selecting one deselect the others instead of failing).
-- ---------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION accounts_single_selection() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.is_selected IS TRUE AND (TG_OP = 'INSERT' OR OLD.is_selected IS NOT TRUE) THEN
    -- Two selections for one user at once take turns here rather than collide on the index.
    PERFORM 1 FROM users WHERE id = NEW.user_id FOR NO KEY UPDATE;
    UPDATE accounts SET is_selected = FALSE
     WHERE user_id = NEW.user_id AND id <> NEW.id AND is_selected IS TRUE;
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint

CREATE TRIGGER accounts_single_selection BEFORE INSERT OR UPDATE OF is_selected ON accounts
  FOR EACH ROW EXECUTE FUNCTION accounts_single_selection();
--> statement-breakpoint

-- ---------------------------------------------------------------------------------------
-- Notifications: read/read_at agree, and users.unread_notifications counts unread rows.
-- ---------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION notifications_sync_read() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.read_at IS NOT NULL THEN
    NEW.read := TRUE;
  ELSIF NEW.read IS TRUE THEN
    NEW.read_at := now() AT TIME ZONE 'UTC';
  ELSE
    NEW.read := FALSE;
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint

CREATE TRIGGER notifications_sync_read BEFORE INSERT OR UPDATE OF read, read_at ON notifications
  FOR EACH ROW EXECUTE FUNCTION notifications_sync_read();
--> statement-breakpoint

-- Statement-level: a fan-out notifying thousands of users updates each counter once.
CREATE OR REPLACE FUNCTION notifications_count_unread() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE users u SET unread_notifications = u.unread_notifications + d.delta
      FROM (SELECT user_id, count(*)::integer AS delta FROM new_rows
             WHERE read IS NOT TRUE GROUP BY user_id) d
     WHERE u.id = d.user_id;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE users u SET unread_notifications = GREATEST(u.unread_notifications - d.delta, 0)
      FROM (SELECT user_id, count(*)::integer AS delta FROM old_rows
             WHERE read IS NOT TRUE GROUP BY user_id) d
     WHERE u.id = d.user_id;
  ELSE
    UPDATE users u SET unread_notifications = GREATEST(u.unread_notifications + d.delta, 0)
      FROM (SELECT user_id, sum(delta)::integer AS delta FROM (
              SELECT user_id, 1 AS delta FROM new_rows WHERE read IS NOT TRUE
              UNION ALL
              SELECT user_id, -1 AS delta FROM old_rows WHERE read IS NOT TRUE
            ) changes
            GROUP BY user_id HAVING sum(delta) <> 0) d
     WHERE u.id = d.user_id;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint

CREATE TRIGGER notifications_count_unread_insert AFTER INSERT ON notifications
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notifications_count_unread();
CREATE TRIGGER notifications_count_unread_update AFTER UPDATE ON notifications
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notifications_count_unread();
CREATE TRIGGER notifications_count_unread_delete AFTER DELETE ON notifications
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notifications_count_unread();
--> statement-breakpoint

-- ---------------------------------------------------------------------------------------
-- Audit log of trades and subscriptions: who (app.actor_id, set by services per
-- transaction), when, old and new row. The P&L the position refresh writes back is derived
-- data, not a change anyone made, and is not logged.
-- ---------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION audit_changes() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  actor text := NULLIF(current_setting('app.actor_id', true), '');
BEGIN
  IF current_setting('alertsify.refreshing_positions', true) = 'on' THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO audit_log (table_name, row_id, operation, actor_id, new_row)
    SELECT TG_TABLE_NAME, n.id, 'INSERT', actor, to_jsonb(n) FROM new_rows n;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO audit_log (table_name, row_id, operation, actor_id, old_row, new_row)
    SELECT TG_TABLE_NAME, n.id, 'UPDATE', actor, to_jsonb(o), to_jsonb(n)
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE to_jsonb(n) IS DISTINCT FROM to_jsonb(o);
  ELSE
    INSERT INTO audit_log (table_name, row_id, operation, actor_id, old_row)
    SELECT TG_TABLE_NAME, o.id, 'DELETE', actor, to_jsonb(o) FROM old_rows o;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint

CREATE TRIGGER trades_audit_insert AFTER INSERT ON trades
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_changes();
CREATE TRIGGER trades_audit_update AFTER UPDATE ON trades
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_changes();
CREATE TRIGGER trades_audit_delete AFTER DELETE ON trades
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_changes();
CREATE TRIGGER subscriptions_audit_insert AFTER INSERT ON subscriptions
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_changes();
CREATE TRIGGER subscriptions_audit_update AFTER UPDATE ON subscriptions
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_changes();
CREATE TRIGGER subscriptions_audit_delete AFTER DELETE ON subscriptions
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_changes();
--> statement-breakpoint

-- ---------------------------------------------------------------------------------------
-- Soft delete: a user whose deleted_at is set loses its sessions and its subscriptions end,
-- both as subscriber and as trader. Its rows stay for history.
-- ---------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION users_soft_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.deleted_at IS NOT NULL AND OLD.deleted_at IS NULL THEN
    DELETE FROM sessions WHERE user_id = NEW.id;
    UPDATE subscriptions
       SET status = 'cancelled', cancelled_at = COALESCE(cancelled_at, now() AT TIME ZONE 'UTC')
     WHERE (subscriber_id = NEW.id OR trader_id = NEW.id) AND status <> 'cancelled';
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint

CREATE TRIGGER users_soft_delete AFTER UPDATE OF deleted_at ON users
  FOR EACH ROW EXECUTE FUNCTION users_soft_delete();
