-- Endpoints Beacon disabled before it recorded when and why: the date from the audit row it wrote
-- then (endpoint.disabled), the cause from the reason it stored.
UPDATE "alert_endpoints" e SET
  "disabled_at" = a."created_at",
  "disabled_cause" = CASE
    WHEN e."disabled_reason" LIKE 'Answered HTTP 410 Gone%' THEN 'gone'
    WHEN e."disabled_reason" LIKE 'Every delivery has failed since%' THEN 'failing'
  END
FROM (
  SELECT DISTINCT ON ("target_id") "target_id", "created_at" FROM "audit_log"
  WHERE "action" = 'endpoint.disabled' AND "target_type" = 'alert_endpoint'
  ORDER BY "target_id", "created_at" DESC
) a
WHERE NOT e."enabled" AND e."disabled_at" IS NULL AND a."target_id" = e."id"::text;
