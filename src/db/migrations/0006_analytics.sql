CREATE TABLE "analytics_refresh_state" (
	"id" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"refreshed_at" timestamp NOT NULL,
	CONSTRAINT "analytics_refresh_state_single_row" CHECK (id)
);
