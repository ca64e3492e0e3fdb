ALTER TABLE "trades" ADD COLUMN "submitted_at" timestamp;--> statement-breakpoint
CREATE INDEX "idx_subscription_trades_source" ON "subscription_trades" USING btree ("source_trade_id","outcome");--> statement-breakpoint
CREATE INDEX "idx_trades_source_trade" ON "trades" USING btree ("source_trade_id") WHERE source_trade_id IS NOT NULL;