ALTER TABLE "public_subscribers" ADD COLUMN "previous_secret_encrypted" text;--> statement-breakpoint
ALTER TABLE "public_subscribers" ADD COLUMN "previous_secret_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "public_subscribers" ADD COLUMN "manage_token_hash" text;--> statement-breakpoint
CREATE INDEX "public_subscribers_unconfirmed_idx" ON "public_subscribers" USING btree ("created_at") WHERE confirmed_at is null;--> statement-breakpoint
CREATE UNIQUE INDEX "public_subscribers_manage_token_idx" ON "public_subscribers" USING btree ("manage_token_hash");