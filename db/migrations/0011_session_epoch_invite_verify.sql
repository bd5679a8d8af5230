ALTER TABLE "invitations" ADD COLUMN "verify_token_hash" text;--> statement-breakpoint
ALTER TABLE "invitations" ADD COLUMN "verify_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "session_epoch" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_verifyTokenHash_unique" UNIQUE("verify_token_hash");