-- Statement-level triggers join their transition tables (old_rows to new_rows by id). PL/pgSQL
-- keeps each statement's plan for the session, made at its first call: when that call touched
-- one row, the join is a nested loop, and reused for a fan-out's 10,000 rows it compares
-- 10,000 × 10,000 rows (11.5 s for one outbox insert, measured with auto_explain in the fan-out
-- benchmark). These functions join nothing but their transition tables, so without nested loops
-- every join is a hash join, right at any size.
ALTER FUNCTION audit_changes() SET enable_nestloop = off;
--> statement-breakpoint
ALTER FUNCTION subscription_trades_outbox() SET enable_nestloop = off;
--> statement-breakpoint
ALTER FUNCTION parent_trades_outbox() SET enable_nestloop = off;
--> statement-breakpoint
ALTER FUNCTION accounts_outbox() SET enable_nestloop = off;
