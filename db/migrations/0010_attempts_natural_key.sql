DROP INDEX "delivery_attempts_delivery_attempt_key";--> statement-breakpoint
ALTER TABLE "delivery_attempts" DROP COLUMN "id";--> statement-breakpoint
ALTER TABLE "delivery_attempts" ADD CONSTRAINT "delivery_attempts_delivery_id_attempt_pk" PRIMARY KEY("delivery_id","attempt");
