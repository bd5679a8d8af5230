CREATE TYPE "public"."component_status" AS ENUM('operational', 'under_maintenance', 'degraded_performance', 'partial_outage', 'major_outage');--> statement-breakpoint
CREATE TYPE "public"."incident_status" AS ENUM('investigating', 'identified', 'monitoring', 'resolved');--> statement-breakpoint
CREATE TYPE "public"."incident_update_kind" AS ENUM('update', 'reopen');--> statement-breakpoint
CREATE TYPE "public"."maintenance_status" AS ENUM('scheduled', 'in_progress', 'verifying', 'completed');--> statement-breakpoint
CREATE TABLE "cell_status_intervals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"component_id" uuid NOT NULL,
	"region_id" uuid NOT NULL,
	"status" "component_status" NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "incident_cells" (
	"incident_id" uuid NOT NULL,
	"component_id" uuid NOT NULL,
	"region_id" uuid NOT NULL,
	"status" "component_status" NOT NULL,
	CONSTRAINT "incident_cells_incident_id_component_id_region_id_pk" PRIMARY KEY("incident_id","component_id","region_id")
);
--> statement-breakpoint
CREATE TABLE "incident_update_cells" (
	"update_id" uuid NOT NULL,
	"component_id" uuid NOT NULL,
	"region_id" uuid NOT NULL,
	"before" "component_status",
	"after" "component_status" NOT NULL,
	CONSTRAINT "incident_update_cells_update_id_component_id_region_id_pk" PRIMARY KEY("update_id","component_id","region_id")
);
--> statement-breakpoint
CREATE TABLE "incident_updates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"incident_id" uuid NOT NULL,
	"kind" "incident_update_kind" DEFAULT 'update' NOT NULL,
	"status" "incident_status" NOT NULL,
	"message" text NOT NULL,
	"message_html" text NOT NULL,
	"notify" boolean DEFAULT false NOT NULL,
	"author_type" "actor_type" NOT NULL,
	"author_id" uuid,
	"author_name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "incidents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"title" text NOT NULL,
	"category" text NOT NULL,
	"impact" text NOT NULL,
	"audience_org_id" uuid,
	"status" "incident_status" DEFAULT 'investigating' NOT NULL,
	"postmortem" text,
	"postmortem_html" text,
	"postmortem_published_at" timestamp with time zone,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"monitoring_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "incidents_category_check" CHECK ("incidents"."category" in ('infrastructure', 'billing', 'configurable')),
	CONSTRAINT "incidents_impact_check" CHECK ("incidents"."impact" in ('none', 'minor', 'major', 'critical')),
	CONSTRAINT "incidents_configurable_tenant_check" CHECK ("incidents"."category" <> 'configurable' or "incidents"."audience_org_id" is not null)
);
--> statement-breakpoint
CREATE TABLE "maintenance_cells" (
	"maintenance_id" uuid NOT NULL,
	"component_id" uuid NOT NULL,
	"region_id" uuid NOT NULL,
	CONSTRAINT "maintenance_cells_maintenance_id_component_id_region_id_pk" PRIMARY KEY("maintenance_id","component_id","region_id")
);
--> statement-breakpoint
CREATE TABLE "maintenance_updates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"maintenance_id" uuid NOT NULL,
	"status" "maintenance_status" NOT NULL,
	"message" text NOT NULL,
	"message_html" text NOT NULL,
	"notify" boolean DEFAULT false NOT NULL,
	"author_type" "actor_type" NOT NULL,
	"author_id" uuid,
	"author_name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "maintenances" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"title" text NOT NULL,
	"audience_org_id" uuid,
	"status" "maintenance_status" DEFAULT 'scheduled' NOT NULL,
	"scheduled_for" timestamp with time zone NOT NULL,
	"scheduled_until" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "maintenances_window_check" CHECK ("maintenances"."scheduled_until" > "maintenances"."scheduled_for")
);
--> statement-breakpoint
ALTER TABLE "cell_status_intervals" ADD CONSTRAINT "cell_status_intervals_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cell_status_intervals" ADD CONSTRAINT "cell_status_intervals_component_id_components_id_fk" FOREIGN KEY ("component_id") REFERENCES "public"."components"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cell_status_intervals" ADD CONSTRAINT "cell_status_intervals_region_id_regions_id_fk" FOREIGN KEY ("region_id") REFERENCES "public"."regions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_cells" ADD CONSTRAINT "incident_cells_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_cells" ADD CONSTRAINT "incident_cells_component_id_components_id_fk" FOREIGN KEY ("component_id") REFERENCES "public"."components"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_cells" ADD CONSTRAINT "incident_cells_region_id_regions_id_fk" FOREIGN KEY ("region_id") REFERENCES "public"."regions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_update_cells" ADD CONSTRAINT "incident_update_cells_update_id_incident_updates_id_fk" FOREIGN KEY ("update_id") REFERENCES "public"."incident_updates"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_update_cells" ADD CONSTRAINT "incident_update_cells_component_id_components_id_fk" FOREIGN KEY ("component_id") REFERENCES "public"."components"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_update_cells" ADD CONSTRAINT "incident_update_cells_region_id_regions_id_fk" FOREIGN KEY ("region_id") REFERENCES "public"."regions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_updates" ADD CONSTRAINT "incident_updates_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_audience_org_id_organizations_id_fk" FOREIGN KEY ("audience_org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "maintenance_cells" ADD CONSTRAINT "maintenance_cells_maintenance_id_maintenances_id_fk" FOREIGN KEY ("maintenance_id") REFERENCES "public"."maintenances"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "maintenance_cells" ADD CONSTRAINT "maintenance_cells_component_id_components_id_fk" FOREIGN KEY ("component_id") REFERENCES "public"."components"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "maintenance_cells" ADD CONSTRAINT "maintenance_cells_region_id_regions_id_fk" FOREIGN KEY ("region_id") REFERENCES "public"."regions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "maintenance_updates" ADD CONSTRAINT "maintenance_updates_maintenance_id_maintenances_id_fk" FOREIGN KEY ("maintenance_id") REFERENCES "public"."maintenances"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "maintenances" ADD CONSTRAINT "maintenances_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "maintenances" ADD CONSTRAINT "maintenances_audience_org_id_organizations_id_fk" FOREIGN KEY ("audience_org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cell_status_intervals_range_idx" ON "cell_status_intervals" USING btree ("org_id","started_at");--> statement-breakpoint
CREATE INDEX "cell_status_intervals_open_idx" ON "cell_status_intervals" USING btree ("component_id","region_id") WHERE "cell_status_intervals"."ended_at" is null;--> statement-breakpoint
CREATE INDEX "incident_cells_cell_idx" ON "incident_cells" USING btree ("component_id","region_id");--> statement-breakpoint
CREATE INDEX "incident_updates_incident_idx" ON "incident_updates" USING btree ("incident_id","created_at");--> statement-breakpoint
CREATE INDEX "incidents_org_created_idx" ON "incidents" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE INDEX "incidents_open_idx" ON "incidents" USING btree ("org_id") WHERE "incidents"."status" <> 'resolved';--> statement-breakpoint
CREATE INDEX "maintenance_cells_cell_idx" ON "maintenance_cells" USING btree ("component_id","region_id");--> statement-breakpoint
CREATE INDEX "maintenance_updates_maintenance_idx" ON "maintenance_updates" USING btree ("maintenance_id","created_at");--> statement-breakpoint
CREATE INDEX "maintenances_org_window_idx" ON "maintenances" USING btree ("org_id","scheduled_for");