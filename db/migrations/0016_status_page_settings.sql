CREATE TABLE "status_page_settings" (
	"org_id" uuid PRIMARY KEY NOT NULL,
	"name" text,
	"brand_color" text,
	"public_url" text,
	"support_url" text,
	"contact_url" text,
	"time_zone" text DEFAULT 'UTC' NOT NULL,
	"notice" text,
	"logo" "bytea",
	"logo_content_type" text,
	"logo_hash" text,
	"logo_bytes" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "status_page_settings" ADD CONSTRAINT "status_page_settings_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;