-- Rules made before aggregations existed: a period of 0 compared the latest sample (now "last"
-- over an hour), any other period averaged.
UPDATE "threshold_rules" SET "aggregation" = 'avg' WHERE "sample_period_minutes" > 0;--> statement-breakpoint
UPDATE "threshold_rules" SET "sample_period_minutes" = 60 WHERE "sample_period_minutes" = 0;
