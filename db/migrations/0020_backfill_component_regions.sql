-- Until now every component ran in every region of its status page: keep that for existing
-- installs, each cell observed from when the later of its component and region was created.
INSERT INTO "component_regions" ("component_id", "region_id", "created_at")
SELECT c."id", r."id", greatest(c."created_at", r."created_at")
FROM "components" c
JOIN "regions" r ON r."org_id" = c."org_id"
ON CONFLICT DO NOTHING;
