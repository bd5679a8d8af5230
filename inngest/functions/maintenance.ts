import type { Inngest } from "inngest";
import {
  nextMaintenanceStepAt,
  runDueMaintenanceSteps,
} from "@/lib/incidents/run-maintenance-steps";
import type { AlertFunctionDeps } from "./shared";

/** A step due within this long of a run is waited for in that run (a durable sleep). */
export const MAINTENANCE_LOOKAHEAD_MS = 60_000;

/**
 * Maintenance that runs itself: every minute, runs the windows' due steps (reminders, automatic
 * start and end: lib/incidents/run-maintenance-steps.ts, the code the embedded driver runs), then
 * sleeps until a step due before the next run and runs it on time. Steps are rows marked done in
 * the transaction that applies them, so a retried or overlapping run repeats nothing.
 */
export function createMaintenanceSteps(
  inngest: Inngest,
  deps: AlertFunctionDeps & { now?: () => Date },
) {
  const now = () => deps.now?.() ?? new Date();
  return inngest.createFunction(
    {
      id: "maintenance-steps",
      name: "Run due maintenance steps (reminders, start, end)",
      triggers: [{ cron: "* * * * *" }],
      concurrency: { limit: 1 },
    },
    async ({ step }) => {
      const first = await step.run("run-due", async () =>
        runDueMaintenanceSteps(await deps.getDb(), { now: now() }),
      );
      const next = await step.run("next-due", async () => {
        const at = await nextMaintenanceStepAt(await deps.getDb());
        return at ? at.toISOString() : null;
      });
      let later: typeof first = [];
      if (next && new Date(next).getTime() - now().getTime() < MAINTENANCE_LOOKAHEAD_MS) {
        await step.sleepUntil("until-next-due", new Date(next));
        later = await step.run("run-next-due", async () =>
          runDueMaintenanceSteps(await deps.getDb(), { now: now() }),
        );
      }
      return { ran: [...first, ...later].map((r) => ({ kind: r.kind, outcome: r.outcome })) };
    },
  );
}
