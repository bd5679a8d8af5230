ALTER TYPE "public"."rule_state" ADD VALUE 'pending';--> statement-breakpoint
ALTER TYPE "public"."rule_state" ADD VALUE 'nodata';--> statement-breakpoint
ALTER TYPE "public"."threshold_operator" ADD VALUE 'le';--> statement-breakpoint
ALTER TYPE "public"."threshold_operator" ADD VALUE 'ge';--> statement-breakpoint
CREATE TABLE "call_records" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "call_records_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"org_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"answered" boolean NOT NULL,
	"duration_seconds" double precision DEFAULT 0 NOT NULL,
	"pdd_ms" integer,
	"region" text,
	"trunk" text
);
--> statement-breakpoint
ALTER TABLE "threshold_rules" ALTER COLUMN "sample_period_minutes" SET DEFAULT 60;--> statement-breakpoint
ALTER TABLE "metric_samples" ADD COLUMN "labels" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "threshold_rules" ADD COLUMN "reset_threshold" double precision;--> statement-breakpoint
ALTER TABLE "threshold_rules" ADD COLUMN "aggregation" text DEFAULT 'last' NOT NULL;--> statement-breakpoint
ALTER TABLE "threshold_rules" ADD COLUMN "label_filter" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "threshold_rules" ADD COLUMN "min_calls" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "threshold_rules" ADD COLUMN "pending_seconds" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "threshold_rules" ADD COLUMN "repeat_minutes" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "threshold_rules" ADD COLUMN "no_data_minutes" integer;--> statement-breakpoint
ALTER TABLE "threshold_rules" ADD COLUMN "no_data_alert" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "threshold_rules" ADD COLUMN "area" text DEFAULT 'other' NOT NULL;--> statement-breakpoint
ALTER TABLE "threshold_rules" ADD COLUMN "contact_emails" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "threshold_rules" ADD COLUMN "contact_phones" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "threshold_rules" ADD COLUMN "pending_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "threshold_rules" ADD COLUMN "last_notified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "threshold_rules" ADD COLUMN "incident_id" uuid;--> statement-breakpoint
ALTER TABLE "call_records" ADD CONSTRAINT "call_records_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "call_records_org_at_idx" ON "call_records" USING btree ("org_id","at");--> statement-breakpoint
CREATE INDEX "call_records_at_idx" ON "call_records" USING btree ("at");