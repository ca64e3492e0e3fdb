CREATE TABLE "event_outbox" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "event_outbox_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"seq" bigint,
	"user_id" text NOT NULL,
	"type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "event_outbox_type_check" CHECK (type IN ('order', 'position', 'copy', 'account', 'notification'))
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "discord_webhook_url" text;--> statement-breakpoint
CREATE UNIQUE INDEX "uq_event_outbox_seq" ON "event_outbox" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "idx_event_outbox_user_seq" ON "event_outbox" USING btree ("user_id","seq") WHERE seq IS NOT NULL;--> statement-breakpoint
CREATE INDEX "idx_event_outbox_created" ON "event_outbox" USING brin ("created_at");