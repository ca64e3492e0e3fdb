CREATE TABLE "paper_accounts" (
	"account_id" text PRIMARY KEY NOT NULL,
	"cash" numeric(15, 2) NOT NULL,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "paper_accounts_cash_check" CHECK (cash >= 0)
);
--> statement-breakpoint
CREATE TABLE "paper_orders" (
	"id" text PRIMARY KEY DEFAULT nanoid() NOT NULL,
	"account_id" text NOT NULL,
	"client_order_id" text,
	"symbol" text NOT NULL,
	"side" text NOT NULL,
	"quantity" integer NOT NULL,
	"order_type" text NOT NULL,
	"limit_price" numeric(10, 4),
	"stop_price" numeric(10, 4),
	"time_in_force" text DEFAULT 'Day' NOT NULL,
	"status" text NOT NULL,
	"filled_quantity" integer DEFAULT 0 NOT NULL,
	"average_fill_price" numeric(10, 4),
	"triggered_at" timestamp,
	"reason" text,
	"created_at" timestamp DEFAULT now() NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "paper_orders_account_id_client_order_id_key" UNIQUE("account_id","client_order_id"),
	CONSTRAINT "paper_orders_quantity_check" CHECK (quantity > 0 AND filled_quantity >= 0 AND filled_quantity <= quantity)
);
--> statement-breakpoint
CREATE TABLE "paper_positions" (
	"account_id" text NOT NULL,
	"symbol" text NOT NULL,
	"quantity" integer NOT NULL,
	"cost" numeric(18, 6) NOT NULL,
	"updated_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "paper_positions_pkey" PRIMARY KEY("account_id","symbol"),
	CONSTRAINT "paper_positions_quantity_check" CHECK (quantity >= 0)
);
--> statement-breakpoint
ALTER TABLE "paper_accounts" ADD CONSTRAINT "paper_accounts_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "paper_orders" ADD CONSTRAINT "paper_orders_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "paper_positions" ADD CONSTRAINT "paper_positions_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idx_paper_orders_working" ON "paper_orders" USING btree ("account_id") WHERE status IN ('pending', 'partial');--> statement-breakpoint
CREATE INDEX "idx_paper_orders_account" ON "paper_orders" USING btree ("account_id","created_at");