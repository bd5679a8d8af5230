ALTER TABLE "threshold_rules" ADD COLUMN "condition" text;--> statement-breakpoint
ALTER TABLE "threshold_rules" ADD COLUMN "condition_error" text;--> statement-breakpoint
CREATE INDEX "metric_samples_org_at_idx" ON "metric_samples" USING btree ("org_id","at");