CREATE TABLE "analytics_hourly" (
	"user_id" text NOT NULL,
	"source" text NOT NULL,
	"day" date NOT NULL,
	"hour" smallint NOT NULL,
	"closed_positions" integer NOT NULL,
	"wins" integer NOT NULL,
	"losses" integer NOT NULL,
	"pnl" numeric(18, 2) NOT NULL,
	"cost_basis" numeric(18, 2) NOT NULL,
	"gross_wins" numeric(18, 2) NOT NULL,
	"hold_seconds" bigint NOT NULL,
	CONSTRAINT "analytics_hourly_pkey" PRIMARY KEY("user_id","source","day","hour"),
	CONSTRAINT "analytics_hourly_source_check" CHECK (source IN ('manual', 'copied'))
);
--> statement-breakpoint
CREATE TABLE "analytics_refresh_state" (
	"id" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"refreshed_at" timestamp NOT NULL,
	CONSTRAINT "analytics_refresh_state_single_row" CHECK (id)
);
