-- The live page's outbox (PRODUCT.md §4): changes to a user's orders, positions, copy decisions,
-- accounts and notifications are written to event_outbox by the triggers below, in the
-- transaction that made the change, and announced on the channel `alertsify_events`.
--
-- Triggers are statement-level with transition tables: a fan-out changing ten thousand rows
-- writes its events in one INSERT ... SELECT, and notifies once. Payloads are the LiveEvent
-- shapes of src/domain/live-events.ts (keys in camelCase), built once here for every reader.
--
-- Two notifications on `alertsify_events`:
--   'w'       rows were written (and committed: NOTIFY is delivered at commit); they need numbering
--   's:<N>'   rows up to seq N are numbered and committed; readers fetch what they have not seen
-- PostgreSQL folds identical notifications of one transaction into one, so a transaction of many
-- statements sends a single 'w'.

-- ---------------------------------------------------------------------------------------
-- Delivery order
-- ---------------------------------------------------------------------------------------
-- Row ids are handed out at INSERT time, but transactions commit in another order: a reader
-- that resumed "after id 8" could miss id 7 committing later. So committed rows are numbered
-- (seq) by one serialised step: the advisory lock is held to the end of the numbering
-- transaction, so numbers are committed in the order they are handed out, and a reader that
-- sees seq N committed sees every seq below N. Any server process runs it when it hears 'w'
-- (several at once simply take turns; the second finds nothing left to number).
CREATE SEQUENCE IF NOT EXISTS event_outbox_seq AS bigint;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION sequence_event_outbox(batch_size integer DEFAULT 10000)
RETURNS TABLE (sequenced integer, last_seq bigint)
LANGUAGE plpgsql AS $$
DECLARE
  ids bigint[];
  n integer;
  first_seq bigint;
BEGIN
  -- 'event_outbox' as a number: one lock for the whole table, never held by anything else.
  PERFORM pg_advisory_xact_lock(7255610021);
  SELECT array_agg(id ORDER BY id) INTO ids
    FROM (SELECT id FROM event_outbox WHERE seq IS NULL ORDER BY id LIMIT batch_size) pending;
  n := COALESCE(cardinality(ids), 0);
  IF n = 0 THEN
    RETURN QUERY SELECT 0, NULL::bigint;
    RETURN;
  END IF;
  -- Reserve a block of n numbers: only this function draws on the sequence, under the lock.
  first_seq := nextval('event_outbox_seq');
  IF n > 1 THEN
    PERFORM setval('event_outbox_seq', first_seq + n - 1);
  END IF;
  UPDATE event_outbox o SET seq = first_seq + u.ord - 1
    FROM unnest(ids) WITH ORDINALITY AS u(id, ord)
   WHERE o.id = u.id;
  PERFORM pg_notify('alertsify_events', 's:' || (first_seq + n - 1));
  RETURN QUERY SELECT n, first_seq + n - 1;
END
$$;
--> statement-breakpoint

-- Each event's payload is built by one function of the row, used by the INSERT and UPDATE
-- branches alike (plain SQL functions: the planner inlines them). Events are written in the
-- order the statement wrote its rows (the transition table's order, numbered before any join).
-- ---------------------------------------------------------------------------------------
-- Orders (trades): placed, or a change of status or fill
-- ---------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION order_live_event(t trades, symbol text) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'type', 'order', 'orderId', t.id, 'positionId', t.parent_trade_id, 'accountId', t.account_id,
    'symbol', symbol, 'side', CASE t.action WHEN 'buy' THEN 'BTO' ELSE 'STC' END,
    'source', t.source, 'status', t.status, 'quantity', t.quantity,
    'filledQuantity', COALESCE(t.filled_quantity, 0))
$$;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION trades_outbox() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO event_outbox (user_id, type, payload, created_at)
    SELECT (n.r).user_id, 'order', order_live_event(n.r, p.symbol), now() AT TIME ZONE 'UTC'
      FROM (SELECT ROW(r.*)::trades AS r, row_number() OVER () AS ord FROM new_rows r) n
      JOIN parent_trades p ON p.id = (n.r).parent_trade_id
     ORDER BY n.ord;
  ELSE
    INSERT INTO event_outbox (user_id, type, payload, created_at)
    SELECT (n.r).user_id, 'order', order_live_event(n.r, p.symbol), now() AT TIME ZONE 'UTC'
      FROM (SELECT ROW(r.*)::trades AS r, row_number() OVER () AS ord FROM new_rows r) n
      JOIN old_rows o ON o.id = (n.r).id
      JOIN parent_trades p ON p.id = (n.r).parent_trade_id
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

-- ---------------------------------------------------------------------------------------
-- Positions (parent_trades): opened, fills folded, closed, expired or cancelled
-- ---------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION position_live_event(p parent_trades) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('type', 'position', 'positionId', p.id, 'status', p.status)
$$;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION parent_trades_outbox() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO event_outbox (user_id, type, payload, created_at)
    SELECT (n.r).user_id, 'position', position_live_event(n.r), now() AT TIME ZONE 'UTC'
      FROM (SELECT ROW(r.*)::parent_trades AS r, row_number() OVER () AS ord FROM new_rows r) n
     ORDER BY n.ord;
  ELSE
    INSERT INTO event_outbox (user_id, type, payload, created_at)
    SELECT (n.r).user_id, 'position', position_live_event(n.r), now() AT TIME ZONE 'UTC'
      FROM (SELECT ROW(r.*)::parent_trades AS r, row_number() OVER () AS ord FROM new_rows r) n
      JOIN old_rows o ON o.id = (n.r).id
     WHERE ((n.r).status, (n.r).bought_quantity, (n.r).sold_quantity, (n.r).avg_entry_price, (n.r).total_pnl)
           IS DISTINCT FROM (o.status, o.bought_quantity, o.sold_quantity, o.avg_entry_price, o.total_pnl)
     ORDER BY n.ord;
  END IF;
  IF FOUND THEN
    PERFORM pg_notify('alertsify_events', 'w');
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint

-- ---------------------------------------------------------------------------------------
-- Copy decisions (subscription_trades), told to the subscriber: decided, approved, failed, ...
-- ---------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION copy_live_event(d subscription_trades) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'type', 'copy', 'decisionId', d.id, 'subscriptionId', d.subscription_id,
    'outcome', d.outcome, 'reason', d.reason, 'copyOrderId', d.copy_trade_id)
$$;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION subscription_trades_outbox() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO event_outbox (user_id, type, payload, created_at)
    SELECT (n.r).subscriber_id, 'copy', copy_live_event(n.r), now() AT TIME ZONE 'UTC'
      FROM (SELECT ROW(r.*)::subscription_trades AS r, row_number() OVER () AS ord FROM new_rows r) n
     ORDER BY n.ord;
  ELSE
    INSERT INTO event_outbox (user_id, type, payload, created_at)
    SELECT (n.r).subscriber_id, 'copy', copy_live_event(n.r), now() AT TIME ZONE 'UTC'
      FROM (SELECT ROW(r.*)::subscription_trades AS r, row_number() OVER () AS ord FROM new_rows r) n
      JOIN old_rows o ON o.id = (n.r).id
     WHERE ((n.r).outcome, (n.r).reason, (n.r).copy_trade_id) IS DISTINCT FROM (o.outcome, o.reason, o.copy_trade_id)
     ORDER BY n.ord;
  END IF;
  IF FOUND THEN
    PERFORM pg_notify('alertsify_events', 'w');
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint

-- ---------------------------------------------------------------------------------------
-- Accounts: anything the account page shows, except the time of the last balance sync (a
-- sync that found the same figures is not news)
-- ---------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION accounts_outbox() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO event_outbox (user_id, type, payload, created_at)
    SELECT (n.r).user_id, 'account', jsonb_build_object('type', 'account', 'accountId', (n.r).id), now() AT TIME ZONE 'UTC'
      FROM (SELECT ROW(r.*)::accounts AS r, row_number() OVER () AS ord FROM new_rows r) n
     ORDER BY n.ord;
  ELSE
    INSERT INTO event_outbox (user_id, type, payload, created_at)
    SELECT (n.r).user_id, 'account', jsonb_build_object('type', 'account', 'accountId', (n.r).id), now() AT TIME ZONE 'UTC'
      FROM (SELECT ROW(r.*)::accounts AS r, row_number() OVER () AS ord FROM new_rows r) n
      JOIN old_rows o ON o.id = (n.r).id
     WHERE (to_jsonb(n.r) - 'last_sync_at' - 'updated_at') IS DISTINCT FROM (to_jsonb(o) - 'last_sync_at' - 'updated_at')
     ORDER BY n.ord;
  END IF;
  IF FOUND THEN
    PERFORM pg_notify('alertsify_events', 'w');
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint

-- ---------------------------------------------------------------------------------------
-- Notifications: written, or read. Runs after notifications_count_unread_* (trigger names
-- sort), so `unread` is the counter after this statement.
-- ---------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION notification_live_event(n notifications, unread integer) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'type', 'notification', 'notificationId', n.id, 'notificationType', n.type,
    'title', n.title, 'body', n.body, 'data', n.data, 'read', COALESCE(n.read, false),
    'createdAt', to_char(n.created_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'unread', unread)
$$;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION notifications_outbox() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO event_outbox (user_id, type, payload, created_at)
    SELECT (n.r).user_id, 'notification', notification_live_event(n.r, u.unread_notifications), now() AT TIME ZONE 'UTC'
      FROM (SELECT ROW(r.*)::notifications AS r, row_number() OVER () AS ord FROM new_rows r) n
      JOIN users u ON u.id = (n.r).user_id
     ORDER BY n.ord;
  ELSE
    INSERT INTO event_outbox (user_id, type, payload, created_at)
    SELECT (n.r).user_id, 'notification', notification_live_event(n.r, u.unread_notifications), now() AT TIME ZONE 'UTC'
      FROM (SELECT ROW(r.*)::notifications AS r, row_number() OVER () AS ord FROM new_rows r) n
      JOIN old_rows o ON o.id = (n.r).id
      JOIN users u ON u.id = (n.r).user_id
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

CREATE TRIGGER trades_outbox_insert AFTER INSERT ON trades
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION trades_outbox();
CREATE TRIGGER trades_outbox_update AFTER UPDATE ON trades
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION trades_outbox();
CREATE TRIGGER parent_trades_outbox_insert AFTER INSERT ON parent_trades
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION parent_trades_outbox();
CREATE TRIGGER parent_trades_outbox_update AFTER UPDATE ON parent_trades
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION parent_trades_outbox();
CREATE TRIGGER subscription_trades_outbox_insert AFTER INSERT ON subscription_trades
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION subscription_trades_outbox();
CREATE TRIGGER subscription_trades_outbox_update AFTER UPDATE ON subscription_trades
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION subscription_trades_outbox();
CREATE TRIGGER accounts_outbox_insert AFTER INSERT ON accounts
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION accounts_outbox();
CREATE TRIGGER accounts_outbox_update AFTER UPDATE ON accounts
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION accounts_outbox();
CREATE TRIGGER notifications_outbox_insert AFTER INSERT ON notifications
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notifications_outbox();
CREATE TRIGGER notifications_outbox_update AFTER UPDATE ON notifications
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notifications_outbox();
