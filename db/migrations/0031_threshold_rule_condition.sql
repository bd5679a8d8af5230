ALTER TABLE "threshold_rules" ADD COLUMN "condition" text;--> statement-breakpoint
ALTER TABLE "threshold_rules" ADD COLUMN "condition_error" text;