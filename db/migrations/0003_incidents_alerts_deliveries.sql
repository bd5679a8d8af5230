CREATE TYPE "public"."component_status" AS ENUM('operational', 'under_maintenance', 'degraded_performance', 'partial_outage', 'major_outage');--> statement-breakpoint
CREATE TYPE "public"."incident_status" AS ENUM('investigating', 'identified', 'monitoring', 'resolved');--> statement-breakpoint
CREATE TYPE "public"."incident_update_kind" AS ENUM('update', 'reopen');--> statement-breakpoint
CREATE TYPE "public"."maintenance_status" AS ENUM('scheduled', 'in_progress', 'verifying', 'completed');--> statement-breakpoint
CREATE TYPE "public"."channel" AS ENUM('email', 'sms', 'slack', 'teams', 'webhook', 'in_app');--> statement-breakpoint
CREATE TYPE "public"."digest_mode" AS ENUM('immediate', 'hourly', 'daily');--> statement-breakpoint
CREATE TYPE "public"."endpoint_type" AS ENUM('webhook', 'slack', 'teams');--> statement-breakpoint
CREATE TYPE "public"."impact" AS ENUM('none', 'minor', 'major', 'critical');--> statement-breakpoint
CREATE TYPE "public"."incident_category" AS ENUM('infrastructure', 'billing', 'configurable');--> statement-breakpoint
CREATE TYPE "public"."tenant_role" AS ENUM('org_admin', 'billing_admin', 'tech_devops', 'support_manager');--> statement-breakpoint
CREATE TYPE "public"."delivery_status" AS ENUM('pending', 'sending', 'held', 'digested', 'delivered', 'failed', 'suppressed');--> statement-breakpoint
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
CREATE TABLE "alert_endpoints" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"type" "endpoint_type" NOT NULL,
	"name" text NOT NULL,
	"url_encrypted" text NOT NULL,
	"url_hint" text NOT NULL,
	"secret_encrypted" text,
	"previous_secret_encrypted" text,
	"previous_secret_expires_at" timestamp with time zone,
	"role_group" "tenant_role",
	"component_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"region_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"min_impact" "impact" DEFAULT 'none' NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"disabled_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alert_recipients" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"channel" "channel" NOT NULL,
	"address" text NOT NULL,
	"role_group" "tenant_role" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alert_rules" (
	"org_id" uuid NOT NULL,
	"category" "incident_category" NOT NULL,
	"role_group" "tenant_role" NOT NULL,
	"channel" "channel" NOT NULL,
	"enabled" boolean NOT NULL,
	"topic" text,
	CONSTRAINT "alert_rules_org_id_category_role_group_channel_pk" PRIMARY KEY("org_id","category","role_group","channel")
);
--> statement-breakpoint
CREATE TABLE "alert_settings" (
	"org_id" uuid PRIMARY KEY NOT NULL,
	"categories" jsonb NOT NULL,
	"component_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"region_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"min_impact" "impact" DEFAULT 'none' NOT NULL,
	"digest_mode" "digest_mode" DEFAULT 'immediate' NOT NULL,
	"quiet_enabled" boolean DEFAULT false NOT NULL,
	"quiet_start" integer DEFAULT 1320 NOT NULL,
	"quiet_end" integer DEFAULT 420 NOT NULL,
	"time_zone" text DEFAULT 'Asia/Kolkata' NOT NULL,
	"quiet_allow_critical" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"job_id" uuid,
	"org_id" uuid NOT NULL,
	"channel" "channel" NOT NULL,
	"recipient_type" text NOT NULL,
	"recipient_id" uuid,
	"destination" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"status" "delivery_status" NOT NULL,
	"run_at" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_until" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer DEFAULT 6 NOT NULL,
	"provider_id" text,
	"response_code" integer,
	"error" text,
	"trace" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"incident_id" uuid,
	"digest_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "delivery_attempts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"delivery_id" uuid NOT NULL,
	"attempt" integer NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"duration_ms" integer NOT NULL,
	"response_code" integer,
	"provider_id" text,
	"error" text,
	"retry_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "dev_mailbox" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid,
	"channel" text NOT NULL,
	"to" text NOT NULL,
	"from" text NOT NULL,
	"subject" text NOT NULL,
	"text" text NOT NULL,
	"html" text,
	"headers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"idempotency_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inbox_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"delivery_id" uuid,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"url" text,
	"read_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
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
ALTER TABLE "alert_endpoints" ADD CONSTRAINT "alert_endpoints_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_recipients" ADD CONSTRAINT "alert_recipients_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_rules" ADD CONSTRAINT "alert_rules_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_settings" ADD CONSTRAINT "alert_settings_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_job_id_notification_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."notification_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "delivery_attempts" ADD CONSTRAINT "delivery_attempts_delivery_id_deliveries_id_fk" FOREIGN KEY ("delivery_id") REFERENCES "public"."deliveries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dev_mailbox" ADD CONSTRAINT "dev_mailbox_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbox_items" ADD CONSTRAINT "inbox_items_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbox_items" ADD CONSTRAINT "inbox_items_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbox_items" ADD CONSTRAINT "inbox_items_delivery_id_deliveries_id_fk" FOREIGN KEY ("delivery_id") REFERENCES "public"."deliveries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cell_status_intervals_range_idx" ON "cell_status_intervals" USING btree ("org_id","started_at");--> statement-breakpoint
CREATE INDEX "cell_status_intervals_open_idx" ON "cell_status_intervals" USING btree ("component_id","region_id") WHERE "cell_status_intervals"."ended_at" is null;--> statement-breakpoint
CREATE INDEX "incident_cells_cell_idx" ON "incident_cells" USING btree ("component_id","region_id");--> statement-breakpoint
CREATE INDEX "incident_updates_incident_idx" ON "incident_updates" USING btree ("incident_id","created_at");--> statement-breakpoint
CREATE INDEX "incidents_org_created_idx" ON "incidents" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE INDEX "incidents_open_idx" ON "incidents" USING btree ("org_id") WHERE "incidents"."status" <> 'resolved';--> statement-breakpoint
CREATE INDEX "maintenance_cells_cell_idx" ON "maintenance_cells" USING btree ("component_id","region_id");--> statement-breakpoint
CREATE INDEX "maintenance_updates_maintenance_idx" ON "maintenance_updates" USING btree ("maintenance_id","created_at");--> statement-breakpoint
CREATE INDEX "maintenances_org_window_idx" ON "maintenances" USING btree ("org_id","scheduled_for");--> statement-breakpoint
CREATE INDEX "alert_endpoints_org_idx" ON "alert_endpoints" USING btree ("org_id");--> statement-breakpoint
CREATE UNIQUE INDEX "alert_recipients_org_addr_key" ON "alert_recipients" USING btree ("org_id","channel","address","role_group");--> statement-breakpoint
CREATE UNIQUE INDEX "deliveries_idempotency_key" ON "deliveries" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "deliveries_due_idx" ON "deliveries" USING btree ("run_at") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "deliveries_held_idx" ON "deliveries" USING btree ("org_id","run_at") WHERE status = 'held';--> statement-breakpoint
CREATE INDEX "deliveries_org_created_idx" ON "deliveries" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE INDEX "deliveries_job_idx" ON "deliveries" USING btree ("job_id");--> statement-breakpoint
CREATE INDEX "deliveries_incident_idx" ON "deliveries" USING btree ("incident_id");--> statement-breakpoint
CREATE UNIQUE INDEX "delivery_attempts_delivery_attempt_key" ON "delivery_attempts" USING btree ("delivery_id","attempt");--> statement-breakpoint
CREATE UNIQUE INDEX "dev_mailbox_idempotency_key" ON "dev_mailbox" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "dev_mailbox_org_idx" ON "dev_mailbox" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "inbox_items_delivery_key" ON "inbox_items" USING btree ("delivery_id");--> statement-breakpoint
CREATE INDEX "inbox_items_user_idx" ON "inbox_items" USING btree ("user_id","org_id");