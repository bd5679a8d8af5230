-- Windows scheduled before maintenance ran itself: plan their automatic start and end, as
-- scheduling one now does. Windows whose end has already passed are left to their operators
-- (completing them at once on upgrade would surprise them); reminders are not planned late.
INSERT INTO "maintenance_steps" ("maintenance_id", "kind", "key", "due_at")
SELECT "id", 'start', "id"::text || ':start', "scheduled_for"
FROM "maintenances"
WHERE "status" = 'scheduled' AND "cancelled_at" IS NULL AND "scheduled_until" > now()
ON CONFLICT ("key") DO NOTHING;
--> statement-breakpoint
INSERT INTO "maintenance_steps" ("maintenance_id", "kind", "key", "due_at")
SELECT "id", 'complete', "id"::text || ':complete', "scheduled_until"
FROM "maintenances"
WHERE "status" <> 'completed' AND "cancelled_at" IS NULL AND "scheduled_until" > now()
ON CONFLICT ("key") DO NOTHING;
