DROP INDEX "alert_endpoints_org_idx";--> statement-breakpoint
CREATE INDEX "alert_endpoints_org_id_idx" ON "alert_endpoints" USING btree ("org_id","id");