CREATE TYPE "public"."subscriber_kind" AS ENUM('email', 'webhook');--> statement-breakpoint
CREATE TABLE "public_subscribers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" "subscriber_kind" NOT NULL,
	"email" text,
	"url_encrypted" text,
	"url_hint" text,
	"secret_encrypted" text,
	"component_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"region_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"confirm_token_hash" text,
	"confirmed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "public_subscribers_confirm_idx" ON "public_subscribers" USING btree ("confirm_token_hash");--> statement-breakpoint
CREATE INDEX "public_subscribers_email_idx" ON "public_subscribers" USING btree ("email");--> statement-breakpoint
CREATE INDEX "public_subscribers_confirmed_idx" ON "public_subscribers" USING btree ("kind") WHERE confirmed_at is not null;