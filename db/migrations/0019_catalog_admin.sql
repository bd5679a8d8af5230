CREATE TABLE "component_regions" (
	"component_id" uuid NOT NULL,
	"region_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "component_regions_component_id_region_id_pk" PRIMARY KEY("component_id","region_id")
);
--> statement-breakpoint
DROP INDEX "components_org_name_key";--> statement-breakpoint
DROP INDEX "regions_org_code_key";--> statement-breakpoint
ALTER TABLE "components" ADD COLUMN "showcase" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "components" ADD COLUMN "only_show_if_degraded" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "components" ADD COLUMN "archived_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "regions" ADD COLUMN "archived_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "component_regions" ADD CONSTRAINT "component_regions_component_id_components_id_fk" FOREIGN KEY ("component_id") REFERENCES "public"."components"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "component_regions" ADD CONSTRAINT "component_regions_region_id_regions_id_fk" FOREIGN KEY ("region_id") REFERENCES "public"."regions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "component_regions_region_idx" ON "component_regions" USING btree ("region_id");--> statement-breakpoint
CREATE UNIQUE INDEX "components_org_name_key" ON "components" USING btree ("org_id","name") WHERE "components"."archived_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "regions_org_code_key" ON "regions" USING btree ("org_id","code") WHERE "regions"."archived_at" is null;