CREATE TYPE "public"."rule_category" AS ENUM('infrastructure', 'billing', 'configurable');--> statement-breakpoint
CREATE TYPE "public"."rule_impact" AS ENUM('none', 'minor', 'major', 'critical');--> statement-breakpoint
CREATE TYPE "public"."rule_state" AS ENUM('ok', 'firing');--> statement-breakpoint
CREATE TYPE "public"."threshold_operator" AS ENUM('lt', 'gt', 'eq');--> statement-breakpoint
CREATE TABLE "metric_samples" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"metric" text NOT NULL,
	"value" double precision NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "threshold_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"metric" text NOT NULL,
	"operator" "threshold_operator" NOT NULL,
	"threshold" double precision NOT NULL,
	"sample_period_minutes" integer DEFAULT 0 NOT NULL,
	"category" "rule_category" DEFAULT 'configurable' NOT NULL,
	"impact" "rule_impact" DEFAULT 'minor' NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"state" "rule_state" DEFAULT 'ok' NOT NULL,
	"last_value" double precision,
	"last_evaluated_at" timestamp with time zone,
	"state_changed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "metric_samples" ADD CONSTRAINT "metric_samples_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "threshold_rules" ADD CONSTRAINT "threshold_rules_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "metric_samples_org_metric_at_idx" ON "metric_samples" USING btree ("org_id","metric","at");--> statement-breakpoint
CREATE INDEX "threshold_rules_org_metric_idx" ON "threshold_rules" USING btree ("org_id","metric");