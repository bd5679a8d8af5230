import type { Inngest } from "inngest";
import {
  pruneRetention,
  RETENTION_TABLES,
  type PruneRetentionOptions,
  type RetentionTable,
} from "@/lib/retention/prune";
import type { AlertFunctionDeps } from "./shared";

/** Steps per hourly run; each prunes for at most a few seconds (RETENTION_BUDGET_MS). */
export const RETENTION_STEPS_MAX = 30;

/**
 * Every hour: deletes what is past its retention period (lib/retention/prune.ts), as the embedded
 * driver's hourly run does. Each step is one bounded pass of short batches; the function takes
 * further steps while rows are left, up to RETENTION_STEPS_MAX, and the next hour finishes a
 * larger backlog. One run at a time.
 */
export function createPruneRetention(
  inngest: Inngest,
  deps: AlertFunctionDeps,
  opts: { prune?: Omit<PruneRetentionOptions, "now"> } = {},
) {
  return inngest.createFunction(
    {
      id: "retention-prune",
      name: "Delete records past their retention period",
      triggers: [{ cron: "17 * * * *" }],
      concurrency: { limit: 1 },
    },
    async ({ step }) => {
      const deleted = Object.fromEntries(RETENTION_TABLES.map((t) => [t, 0])) as Record<
        RetentionTable,
        number
      >;
      let more = true;
      let steps = 0;
      while (more && steps < RETENTION_STEPS_MAX) {
        const res = await step.run(`prune-${steps}`, async () =>
          pruneRetention(await deps.getDb(), opts.prune),
        );
        for (const table of RETENTION_TABLES) deleted[table] += res.deleted[table];
        more = res.more;
        steps++;
      }
      return { deleted, more, steps };
    },
  );
}
