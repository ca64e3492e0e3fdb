-- Copy fidelity (PRODUCT.md §3): every fill of a trader's own order records, under the
-- position's lock, its place in the order of all fills (fill_seq) and what the trader still
-- holds right after it (holding_after, R_T). Closing copies size on that recorded holding, never
-- on the position as it is when their job runs, and run in fill_seq order.
CREATE SEQUENCE IF NOT EXISTS trade_fill_seq;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION trades_record_fill() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  bought integer;
  sold integer;
  filled_before integer := 0;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    filled_before := COALESCE(OLD.filled_quantity, 0);
  END IF;
  IF COALESCE(NEW.filled_quantity, 0) <= filled_before THEN
    RETURN NEW;
  END IF;
  -- The same lock every writer of the position takes: concurrent fills are numbered and
  -- measured one after another, each seeing the fills committed before it.
  PERFORM 1 FROM parent_trades WHERE id = NEW.parent_trade_id FOR NO KEY UPDATE;
  SELECT COALESCE(sum(filled_quantity) FILTER (WHERE action = 'buy'), 0),
         COALESCE(sum(filled_quantity) FILTER (WHERE action = 'sell'), 0)
    INTO bought, sold
    FROM trades
   WHERE parent_trade_id = NEW.parent_trade_id AND id <> NEW.id AND filled_quantity > 0;
  IF NEW.action = 'buy' THEN
    bought := bought + NEW.filled_quantity;
  ELSE
    sold := sold + NEW.filled_quantity;
  END IF;
  NEW.holding_after := GREATEST(bought - sold, 0);
  NEW.fill_seq := nextval('trade_fill_seq');
  RETURN NEW;
END
$$;
--> statement-breakpoint

CREATE TRIGGER trades_record_fill BEFORE INSERT OR UPDATE OF filled_quantity ON trades
  FOR EACH ROW WHEN (NEW.source = 'manual') EXECUTE FUNCTION trades_record_fill();
--> statement-breakpoint

-- Fills recorded before this migration: numbered in fill order, measured, and taken as fanned out.
WITH ordered AS (
  SELECT id,
         sum(CASE WHEN action = 'buy' THEN filled_quantity ELSE -filled_quantity END)
           OVER (PARTITION BY parent_trade_id ORDER BY filled_at NULLS LAST, created_at, id) AS holding,
         row_number() OVER (ORDER BY filled_at NULLS LAST, created_at, id) AS n
    FROM trades WHERE source = 'manual' AND filled_quantity > 0
), numbered AS (
  UPDATE trades t SET fill_seq = o.n, holding_after = GREATEST(o.holding, 0)
    FROM ordered o WHERE o.id = t.id
  RETURNING t.id, t.fill_seq
)
INSERT INTO copy_fan_outs (trade_id, copied_seq) SELECT id, fill_seq FROM numbered;
--> statement-breakpoint
SELECT setval('trade_fill_seq', GREATEST((SELECT max(fill_seq) FROM trades), 1));
--> statement-breakpoint
CREATE TRIGGER copy_fan_outs_updated_at BEFORE UPDATE ON copy_fan_outs
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();
