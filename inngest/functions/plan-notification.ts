import type { Inngest } from "inngest";
import { planJob } from "@/lib/alerts/plan";
import { jobEnqueued } from "../events";
import { dueEvent, type AlertFunctionDeps } from "./shared";

/** Plans an outbox job in one step, then fans out one event per delivery due now. */
export function createPlanNotification(inngest: Inngest, deps: AlertFunctionDeps) {
  return inngest.createFunction(
    {
      id: "alerts-plan-notification",
      name: "Plan a notification",
      triggers: [jobEnqueued],
      retries: 5,
    },
    async ({ event, step }) => {
      const plan = await step.run("plan", async () => {
        const result = await planJob(await deps.getDb(), event.data.jobId);
        return {
          counts: result.counts,
          planned: result.planned,
          due: result.due.map((d) => ({ id: d.id, destination: d.destination })),
        };
      });
      // Fan-out in chunks keeps each sendEvent payload small.
      for (let i = 0; i < plan.due.length; i += 500) {
        await step.sendEvent(`fan-out-${i / 500}`, plan.due.slice(i, i + 500).map(dueEvent));
      }
      return { counts: plan.counts, planned: plan.planned, dispatched: plan.due.length };
    },
  );
}
