CREATE TABLE "job_instances" (
	"id" uuid PRIMARY KEY NOT NULL,
	"host" text NOT NULL,
	"pid" integer NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL,
	"stopped_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "delivery_starts" (
	"instance_id" uuid NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivery_ids" uuid[] NOT NULL
);
--> statement-breakpoint
ALTER TABLE "notification_jobs" ADD COLUMN "locked_by" uuid;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "locked_by" uuid;--> statement-breakpoint
CREATE INDEX "delivery_starts_instance_idx" ON "delivery_starts" USING btree ("instance_id","started_at");--> statement-breakpoint
CREATE INDEX "deliveries_sending_idx" ON "deliveries" USING btree ("locked_by","locked_until") WHERE status = 'sending';