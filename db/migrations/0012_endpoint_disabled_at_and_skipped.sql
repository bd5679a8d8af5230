ALTER TYPE "public"."delivery_status" ADD VALUE 'skipped';--> statement-breakpoint
ALTER TABLE "alert_endpoints" ADD COLUMN "disabled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "alert_endpoints" ADD COLUMN "disabled_cause" text;