ALTER TYPE "public"."notification_kind" ADD VALUE 'user.warning';--> statement-breakpoint
ALTER TABLE "memberships" ADD COLUMN "warning_email" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "memberships" ADD COLUMN "warning_sms" boolean DEFAULT false NOT NULL;