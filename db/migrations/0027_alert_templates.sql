CREATE TABLE "alert_templates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"channel" "channel" NOT NULL,
	"threshold_rule_id" uuid,
	"subject" text,
	"body" text NOT NULL,
	"updated_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "alert_templates" ADD CONSTRAINT "alert_templates_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_templates" ADD CONSTRAINT "alert_templates_threshold_rule_id_threshold_rules_id_fk" FOREIGN KEY ("threshold_rule_id") REFERENCES "public"."threshold_rules"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_templates" ADD CONSTRAINT "alert_templates_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alert_templates_tenant_channel" ON "alert_templates" USING btree ("org_id","channel") WHERE threshold_rule_id is null;--> statement-breakpoint
CREATE UNIQUE INDEX "alert_templates_rule_channel" ON "alert_templates" USING btree ("org_id","channel","threshold_rule_id") WHERE threshold_rule_id is not null;--> statement-breakpoint
CREATE INDEX "alert_templates_rule_idx" ON "alert_templates" USING btree ("threshold_rule_id");