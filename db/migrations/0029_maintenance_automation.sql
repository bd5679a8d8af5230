ALTER TYPE "public"."notification_kind" ADD VALUE 'maintenance.reminder' BEFORE 'alert.test';--> statement-breakpoint
ALTER TYPE "public"."notification_kind" ADD VALUE 'maintenance.rescheduled' BEFORE 'alert.test';--> statement-breakpoint
ALTER TYPE "public"."notification_kind" ADD VALUE 'maintenance.cancelled' BEFORE 'alert.test';--> statement-breakpoint
ALTER TYPE "public"."incident_category" ADD VALUE 'maintenance';--> statement-breakpoint
CREATE TABLE "maintenance_steps" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"maintenance_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"minutes_before" integer,
	"due_at" timestamp with time zone NOT NULL,
	"done_at" timestamp with time zone,
	"outcome" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "maintenance_steps_key_unique" UNIQUE("key"),
	CONSTRAINT "maintenance_steps_kind_check" CHECK ("maintenance_steps"."kind" in ('reminder', 'start', 'complete'))
);
--> statement-breakpoint
ALTER TABLE "maintenances" ADD COLUMN "automatic" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "maintenances" ADD COLUMN "notify_automatic" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "maintenances" ADD COLUMN "reminder_minutes" integer[] DEFAULT '{1440,60}'::integer[] NOT NULL;--> statement-breakpoint
ALTER TABLE "maintenances" ADD COLUMN "cancelled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "maintenance_steps" ADD CONSTRAINT "maintenance_steps_maintenance_id_maintenances_id_fk" FOREIGN KEY ("maintenance_id") REFERENCES "public"."maintenances"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "maintenance_steps_due_idx" ON "maintenance_steps" USING btree ("due_at") WHERE "maintenance_steps"."done_at" is null;--> statement-breakpoint
CREATE INDEX "maintenance_steps_maintenance_idx" ON "maintenance_steps" USING btree ("maintenance_id");