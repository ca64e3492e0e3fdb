CREATE TABLE "copy_fan_outs" (
	"trade_id" text PRIMARY KEY NOT NULL,
	"copied_seq" bigint NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "subscription_trades" ADD COLUMN "mirrored_quantity" integer;--> statement-breakpoint
ALTER TABLE "trades" ADD COLUMN "fill_seq" bigint;--> statement-breakpoint
ALTER TABLE "trades" ADD COLUMN "holding_after" integer;--> statement-breakpoint
ALTER TABLE "copy_fan_outs" ADD CONSTRAINT "copy_fan_outs_trade_id_fkey" FOREIGN KEY ("trade_id") REFERENCES "public"."trades"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idx_trades_fill_seq" ON "trades" USING btree ("parent_trade_id","fill_seq") WHERE fill_seq IS NOT NULL;