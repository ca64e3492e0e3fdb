CREATE TABLE "accounts" (
	"id" text PRIMARY KEY DEFAULT nanoid() NOT NULL,
	"user_id" text NOT NULL,
	"broker_name" text NOT NULL,
	"broker_slug" text NOT NULL,
	"account_number" text NOT NULL,
	"account_type" text,
	"account_name" text,
	"snaptrade_account_id" text NOT NULL,
	"snaptrade_authorization_id" text NOT NULL,
	"is_selected" boolean DEFAULT false,
	"is_active" boolean DEFAULT true,
	"last_sync_at" timestamp,
	"balance" numeric(15, 2),
	"buying_power" numeric(15, 2),
	"created_at" timestamp DEFAULT now(),
	"updated_at" timestamp DEFAULT now(),
	"provider" text DEFAULT 'snaptrade' NOT NULL,
	CONSTRAINT "accounts_user_id_snaptrade_account_id_key" UNIQUE("user_id","snaptrade_account_id"),
	CONSTRAINT "accounts_provider_check" CHECK (provider IN ('snaptrade', 'paper'))
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"table_name" text NOT NULL,
	"row_id" text NOT NULL,
	"operation" text NOT NULL,
	"actor_id" text,
	"old_row" jsonb,
	"new_row" jsonb,
	"created_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "audit_log_operation_check" CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE'))
);
--> statement-breakpoint
CREATE TABLE "auth_accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"account_id" text NOT NULL,
	"provider_id" text NOT NULL,
	"access_token" text,
	"refresh_token" text,
	"id_token" text,
	"access_token_expires_at" timestamp,
	"refresh_token_expires_at" timestamp,
	"scope" text,
	"password" text,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "auth_verifications" (
	"id" text PRIMARY KEY NOT NULL,
	"identifier" text NOT NULL,
	"value" text NOT NULL,
	"expires_at" timestamp NOT NULL,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"session_token" text NOT NULL,
	"user_id" text NOT NULL,
	"expires" timestamp NOT NULL,
	"ip_address" text,
	"user_agent" text,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "sessions_session_token_key" UNIQUE("session_token")
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" text PRIMARY KEY DEFAULT nanoid() NOT NULL,
	"user_id" text NOT NULL,
	"type" text NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"data" jsonb,
	"read" boolean DEFAULT false,
	"read_at" timestamp,
	"created_at" timestamp DEFAULT now()
);
--> statement-breakpoint
CREATE TABLE "push_subscriptions" (
	"id" text PRIMARY KEY DEFAULT nanoid() NOT NULL,
	"user_id" text NOT NULL,
	"subscription" jsonb NOT NULL,
	"user_agent" text,
	"created_at" timestamp DEFAULT now(),
	CONSTRAINT "push_subscriptions_user_id_subscription_key" UNIQUE("user_id","subscription")
);
--> statement-breakpoint
CREATE TABLE "rate_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"count" integer DEFAULT 1,
	"reset_at" timestamp NOT NULL,
	"created_at" timestamp DEFAULT now()
);
--> statement-breakpoint
CREATE TABLE "subscription_trades" (
	"id" text PRIMARY KEY DEFAULT nanoid() NOT NULL,
	"subscription_id" text NOT NULL,
	"source_trade_id" text NOT NULL,
	"subscriber_id" text NOT NULL,
	"trader_id" text NOT NULL,
	"action" text NOT NULL,
	"outcome" text NOT NULL,
	"reason" text,
	"detail" text,
	"source_quantity" integer NOT NULL,
	"computed_quantity" integer,
	"copy_quantity" integer,
	"copy_trade_id" text,
	"expires_at" timestamp,
	"decided_at" timestamp,
	"created_at" timestamp DEFAULT now(),
	"updated_at" timestamp DEFAULT now(),
	CONSTRAINT "subscription_trades_subscription_id_source_trade_id_key" UNIQUE("subscription_id","source_trade_id"),
	CONSTRAINT "subscription_trades_action_check" CHECK (action IN ('buy', 'sell')),
	CONSTRAINT "subscription_trades_outcome_check" CHECK (outcome IN ('executed', 'skipped', 'pending_approval', 'approved', 'dismissed', 'lapsed', 'failed')),
	CONSTRAINT "subscription_trades_quantities_check" CHECK (source_quantity > 0 AND (copy_quantity IS NULL OR copy_quantity >= 0))
);
--> statement-breakpoint
CREATE TABLE "subscriptions" (
	"id" text PRIMARY KEY DEFAULT nanoid() NOT NULL,
	"subscriber_id" text NOT NULL,
	"trader_id" text NOT NULL,
	"settings" jsonb DEFAULT '{"autoExecute": false, "maxPositionSize": 10, "maxDailyTrades": 5, "scalingFactor": 1.0}'::jsonb NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp DEFAULT now(),
	"paused_at" timestamp,
	"cancelled_at" timestamp,
	"updated_at" timestamp DEFAULT now(),
	CONSTRAINT "subscriptions_subscriber_id_trader_id_key" UNIQUE("subscriber_id","trader_id"),
	CONSTRAINT "subscriptions_check" CHECK (subscriber_id != trader_id),
	CONSTRAINT "subscriptions_status_check" CHECK (status IN ('active', 'paused', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE "order_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "order_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"trade_id" text NOT NULL,
	"type" text NOT NULL,
	"from_status" text,
	"to_status" text,
	"filled_quantity" integer,
	"filled_price" numeric(10, 4),
	"idempotency_key" text,
	"detail" jsonb,
	"created_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "order_events_type_check" CHECK (type IN ('created', 'submitted', 'partially_filled', 'filled', 'cancel_requested', 'cancelled', 'rejected', 'synced'))
);
--> statement-breakpoint
CREATE TABLE "parent_trades" (
	"id" text PRIMARY KEY DEFAULT nanoid() NOT NULL,
	"user_id" text NOT NULL,
	"underlying" text NOT NULL,
	"option_type" text NOT NULL,
	"strike" numeric(10, 2) NOT NULL,
	"expiration" date NOT NULL,
	"symbol" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"total_cost_basis" numeric(15, 2) DEFAULT 0,
	"total_proceeds" numeric(15, 2) DEFAULT 0,
	"total_pnl" numeric(15, 2) DEFAULT 0,
	"opened_at" timestamp DEFAULT now(),
	"closed_at" timestamp,
	"created_at" timestamp DEFAULT now(),
	"updated_at" timestamp DEFAULT now(),
	"source_parent_trade_id" text,
	"bought_quantity" integer DEFAULT 0 NOT NULL,
	"sold_quantity" integer DEFAULT 0 NOT NULL,
	"avg_entry_price" numeric(16, 6),
	CONSTRAINT "parent_trades_option_type_check" CHECK (option_type IN ('call', 'put')),
	CONSTRAINT "parent_trades_status_check" CHECK (status IN ('open', 'closed', 'expired', 'cancelled')),
	CONSTRAINT "parent_trades_strike_check" CHECK (strike > 0)
);
--> statement-breakpoint
CREATE TABLE "trades" (
	"id" text PRIMARY KEY DEFAULT nanoid() NOT NULL,
	"parent_trade_id" text NOT NULL,
	"user_id" text NOT NULL,
	"account_id" text NOT NULL,
	"action" text NOT NULL,
	"quantity" integer NOT NULL,
	"filled_quantity" integer DEFAULT 0,
	"order_type" text NOT NULL,
	"limit_price" numeric(10, 4),
	"stop_price" numeric(10, 4),
	"filled_price" numeric(10, 4),
	"status" text DEFAULT 'pending' NOT NULL,
	"broker_order_id" text,
	"source" text DEFAULT 'manual' NOT NULL,
	"source_trader_id" text,
	"source_trade_id" text,
	"pnl" numeric(15, 2),
	"pnl_percent" numeric(8, 4),
	"created_at" timestamp DEFAULT now(),
	"filled_at" timestamp,
	"updated_at" timestamp DEFAULT now(),
	"status_reason" text,
	CONSTRAINT "trades_action_check" CHECK (action IN ('buy', 'sell')),
	CONSTRAINT "trades_order_type_check" CHECK (order_type IN ('Market', 'Limit', 'Stop', 'StopLimit')),
	CONSTRAINT "trades_status_check" CHECK (status IN ('pending', 'filled', 'partial', 'cancelled', 'rejected')),
	CONSTRAINT "trades_source_check" CHECK (source IN ('manual', 'copy', 'auto')),
	CONSTRAINT "trades_quantity_check" CHECK (quantity > 0 AND filled_quantity >= 0 AND filled_quantity <= quantity),
	CONSTRAINT "trades_filled_price_check" CHECK (COALESCE(filled_quantity, 0) = 0 OR filled_price IS NOT NULL),
	CONSTRAINT "trades_prices_check" CHECK ((limit_price IS NULL OR limit_price > 0) AND (stop_price IS NULL OR stop_price > 0) AND (filled_price IS NULL OR filled_price >= 0))
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY DEFAULT nanoid() NOT NULL,
	"email" text NOT NULL,
	"name" text,
	"username" text,
	"avatar_url" text,
	"bio" text,
	"is_trader" boolean DEFAULT false,
	"trader_verified_at" timestamp,
	"snaptrade_user_id" text,
	"snaptrade_user_secret" text,
	"settings" jsonb DEFAULT '{}'::jsonb,
	"notification_preferences" jsonb DEFAULT '{}'::jsonb,
	"created_at" timestamp DEFAULT now(),
	"updated_at" timestamp DEFAULT now(),
	"deleted_at" timestamp,
	"email_verified" boolean DEFAULT false NOT NULL,
	"unread_notifications" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "users_email_key" UNIQUE("email"),
	CONSTRAINT "users_username_key" UNIQUE("username")
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auth_accounts" ADD CONSTRAINT "auth_accounts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "push_subscriptions" ADD CONSTRAINT "push_subscriptions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscription_trades" ADD CONSTRAINT "subscription_trades_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscription_trades" ADD CONSTRAINT "subscription_trades_source_trade_id_fkey" FOREIGN KEY ("source_trade_id") REFERENCES "public"."trades"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscription_trades" ADD CONSTRAINT "subscription_trades_subscriber_id_fkey" FOREIGN KEY ("subscriber_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscription_trades" ADD CONSTRAINT "subscription_trades_trader_id_fkey" FOREIGN KEY ("trader_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscription_trades" ADD CONSTRAINT "subscription_trades_copy_trade_id_fkey" FOREIGN KEY ("copy_trade_id") REFERENCES "public"."trades"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_subscriber_id_fkey" FOREIGN KEY ("subscriber_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_trader_id_fkey" FOREIGN KEY ("trader_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_events" ADD CONSTRAINT "order_events_trade_id_fkey" FOREIGN KEY ("trade_id") REFERENCES "public"."trades"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "parent_trades" ADD CONSTRAINT "parent_trades_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "parent_trades" ADD CONSTRAINT "parent_trades_source_parent_trade_id_fkey" FOREIGN KEY ("source_parent_trade_id") REFERENCES "public"."parent_trades"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trades" ADD CONSTRAINT "trades_parent_trade_id_fkey" FOREIGN KEY ("parent_trade_id") REFERENCES "public"."parent_trades"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trades" ADD CONSTRAINT "trades_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trades" ADD CONSTRAINT "trades_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trades" ADD CONSTRAINT "trades_source_trader_id_fkey" FOREIGN KEY ("source_trader_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trades" ADD CONSTRAINT "trades_source_trade_id_fkey" FOREIGN KEY ("source_trade_id") REFERENCES "public"."trades"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idx_accounts_user" ON "accounts" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "idx_accounts_selected" ON "accounts" USING btree ("user_id","is_selected") WHERE is_selected = TRUE;--> statement-breakpoint
CREATE UNIQUE INDEX "uq_accounts_one_selected" ON "accounts" USING btree ("user_id") WHERE is_selected = TRUE;--> statement-breakpoint
CREATE INDEX "idx_audit_log_row" ON "audit_log" USING btree ("table_name","row_id","id");--> statement-breakpoint
CREATE INDEX "idx_auth_accounts_user" ON "auth_accounts" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "idx_auth_verifications_identifier" ON "auth_verifications" USING btree ("identifier");--> statement-breakpoint
CREATE INDEX "idx_sessions_token" ON "sessions" USING btree ("session_token");--> statement-breakpoint
CREATE INDEX "idx_sessions_user" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "idx_notifications_user" ON "notifications" USING btree ("user_id","created_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "idx_notifications_unread" ON "notifications" USING btree ("user_id","read","created_at" DESC NULLS FIRST) WHERE read = FALSE;--> statement-breakpoint
CREATE INDEX "idx_subscription_trades_subscription" ON "subscription_trades" USING btree ("subscription_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "idx_subscription_trades_pending" ON "subscription_trades" USING btree ("subscriber_id","expires_at") WHERE outcome = 'pending_approval';--> statement-breakpoint
CREATE INDEX "idx_subscription_trades_copy_trade" ON "subscription_trades" USING btree ("copy_trade_id") WHERE copy_trade_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX "idx_subscriptions_subscriber" ON "subscriptions" USING btree ("subscriber_id","status");--> statement-breakpoint
CREATE INDEX "idx_subscriptions_trader" ON "subscriptions" USING btree ("trader_id","status");--> statement-breakpoint
CREATE INDEX "idx_order_events_trade" ON "order_events" USING btree ("trade_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "uq_order_events_idempotency" ON "order_events" USING btree ("trade_id","idempotency_key") WHERE idempotency_key IS NOT NULL;--> statement-breakpoint
CREATE INDEX "idx_parent_trades_user" ON "parent_trades" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "idx_parent_trades_status" ON "parent_trades" USING btree ("user_id","status");--> statement-breakpoint
CREATE INDEX "idx_parent_trades_symbol" ON "parent_trades" USING btree ("symbol");--> statement-breakpoint
CREATE INDEX "idx_parent_trades_underlying" ON "parent_trades" USING btree ("underlying");--> statement-breakpoint
CREATE UNIQUE INDEX "uq_parent_trades_open_contract" ON "parent_trades" USING btree ("user_id","symbol",COALESCE(source_parent_trade_id, '')) WHERE status = 'open';--> statement-breakpoint
CREATE INDEX "idx_parent_trades_source" ON "parent_trades" USING btree ("source_parent_trade_id") WHERE source_parent_trade_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX "idx_trades_parent" ON "trades" USING btree ("parent_trade_id");--> statement-breakpoint
CREATE INDEX "idx_trades_user" ON "trades" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "idx_trades_status" ON "trades" USING btree ("status") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "idx_trades_broker_order" ON "trades" USING btree ("broker_order_id");--> statement-breakpoint
CREATE INDEX "idx_trades_source" ON "trades" USING btree ("source","source_trader_id") WHERE source = 'copy';--> statement-breakpoint
CREATE INDEX "idx_users_email" ON "users" USING btree ("email");--> statement-breakpoint
CREATE INDEX "idx_users_username" ON "users" USING btree ("username");--> statement-breakpoint
CREATE INDEX "idx_users_is_trader" ON "users" USING btree ("is_trader") WHERE is_trader = TRUE;