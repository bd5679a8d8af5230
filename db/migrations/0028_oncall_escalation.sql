ALTER TYPE "public"."notification_kind" ADD VALUE 'oncall.page';--> statement-breakpoint
CREATE TABLE "escalation_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"escalation_id" uuid NOT NULL,
	"incident_id" uuid,
	"org_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"tier" integer,
	"round" integer,
	"detail" text NOT NULL,
	"job_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "escalation_pages" (
	"escalation_id" uuid NOT NULL,
	"tier" integer NOT NULL,
	"round" integer NOT NULL,
	"job_id" uuid,
	"nonce" uuid DEFAULT gen_random_uuid() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"paged_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "escalation_pages_escalation_id_tier_round_pk" PRIMARY KEY("escalation_id","tier","round")
);
--> statement-breakpoint
CREATE TABLE "escalation_policies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"tiers" jsonb NOT NULL,
	"repeat_count" integer DEFAULT 0 NOT NULL,
	"incident_min_impact" "impact",
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "escalations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"policy_id" uuid,
	"policy_name" text NOT NULL,
	"incident_id" uuid,
	"rule_id" uuid,
	"title" text NOT NULL,
	"tiers" jsonb NOT NULL,
	"repeat_count" integer NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"tier" integer DEFAULT 0 NOT NULL,
	"round" integer DEFAULT 1 NOT NULL,
	"next_at" timestamp with time zone,
	"acknowledged_at" timestamp with time zone,
	"acknowledged_by" text,
	"ended_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "threshold_rules" ADD COLUMN "escalation_policy_id" uuid;--> statement-breakpoint
ALTER TABLE "escalation_events" ADD CONSTRAINT "escalation_events_escalation_id_escalations_id_fk" FOREIGN KEY ("escalation_id") REFERENCES "public"."escalations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalation_events" ADD CONSTRAINT "escalation_events_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalation_events" ADD CONSTRAINT "escalation_events_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalation_pages" ADD CONSTRAINT "escalation_pages_escalation_id_escalations_id_fk" FOREIGN KEY ("escalation_id") REFERENCES "public"."escalations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalation_pages" ADD CONSTRAINT "escalation_pages_job_id_notification_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."notification_jobs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalation_policies" ADD CONSTRAINT "escalation_policies_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalations" ADD CONSTRAINT "escalations_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalations" ADD CONSTRAINT "escalations_policy_id_escalation_policies_id_fk" FOREIGN KEY ("policy_id") REFERENCES "public"."escalation_policies"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalations" ADD CONSTRAINT "escalations_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalations" ADD CONSTRAINT "escalations_rule_id_threshold_rules_id_fk" FOREIGN KEY ("rule_id") REFERENCES "public"."threshold_rules"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "escalation_events_escalation_idx" ON "escalation_events" USING btree ("escalation_id","created_at");--> statement-breakpoint
CREATE INDEX "escalation_events_incident_idx" ON "escalation_events" USING btree ("incident_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "escalation_pages_nonce_key" ON "escalation_pages" USING btree ("nonce");--> statement-breakpoint
CREATE INDEX "escalation_policies_org_idx" ON "escalation_policies" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "escalations_due_idx" ON "escalations" USING btree ("next_at") WHERE status = 'active';--> statement-breakpoint
CREATE INDEX "escalations_incident_idx" ON "escalations" USING btree ("incident_id");--> statement-breakpoint
CREATE INDEX "escalations_org_idx" ON "escalations" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "escalations_incident_active_key" ON "escalations" USING btree ("incident_id","policy_id") WHERE status = 'active' and incident_id is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "escalations_rule_active_key" ON "escalations" USING btree ("rule_id","policy_id") WHERE status = 'active' and rule_id is not null;--> statement-breakpoint
ALTER TABLE "threshold_rules" ADD CONSTRAINT "threshold_rules_escalation_policy_id_escalation_policies_id_fk" FOREIGN KEY ("escalation_policy_id") REFERENCES "public"."escalation_policies"("id") ON DELETE set null ON UPDATE no action;