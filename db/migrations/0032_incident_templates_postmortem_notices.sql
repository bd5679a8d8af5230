ALTER TYPE "public"."notification_kind" ADD VALUE 'incident.postmortem' BEFORE 'maintenance.scheduled';--> statement-breakpoint
CREATE TABLE "incident_templates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"category" text NOT NULL,
	"impact" text NOT NULL,
	"cells" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "incident_templates_category_check" CHECK ("incident_templates"."category" in ('infrastructure', 'billing', 'configurable')),
	CONSTRAINT "incident_templates_impact_check" CHECK ("incident_templates"."impact" in ('none', 'minor', 'major', 'critical'))
);
--> statement-breakpoint
ALTER TABLE "incident_updates" ADD COLUMN "edited_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "public_subscribers" ADD COLUMN "postmortem_notices" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "incident_templates" ADD CONSTRAINT "incident_templates_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "incident_templates_org_name_key" ON "incident_templates" USING btree ("org_id",lower("name"));