CREATE TABLE "rate_budgets" (
	"key" text PRIMARY KEY NOT NULL,
	"tokens" numeric(16, 6) NOT NULL,
	"refilled_at" timestamp NOT NULL
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "needs_reconnect" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "reconnect_reason" text;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "broken_at" timestamp;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "read_only" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "trades" ADD COLUMN "queued_at" timestamp;--> statement-breakpoint
CREATE UNIQUE INDEX "uq_trades_account_broker_order" ON "trades" USING btree ("account_id","broker_order_id") WHERE broker_order_id IS NOT NULL;