import type { Inngest } from "inngest";
import { dueDeliveries, pendingJobIds } from "@/lib/alerts/steps";
import { sweepStuck } from "@/lib/alerts/sweep";
import { pruneExpired } from "@/lib/auth/prune";
import { deleteExpiredUnconfirmed } from "@/lib/subscribers/cleanup";
import { jobEnqueued } from "../events";
import { dueEvent, type AlertFunctionDeps } from "./shared";

/**
 * Recovers anything an interrupted run or a lost event left behind, and deletes subscribers
 * whose confirmation link expired unused, expired magic-link tokens and ended rate-limit windows
 * (as the embedded driver's sweep does).
 */
export function createSweep(inngest: Inngest, deps: AlertFunctionDeps) {
  return inngest.createFunction(
    { id: "alerts-sweep", name: "Sweep stuck alert work", triggers: [{ cron: "* * * * *" }] },
    async ({ step }) => {
      const found = await step.run("sweep", async () => {
        const db = await deps.getDb();
        const recovered = await sweepStuck(db);
        const jobs = await pendingJobIds(db, { olderThanMs: 60_000 });
        const deliveries = await dueDeliveries(db, { olderThanMs: 60_000 });
        return { recovered, jobs, deliveries };
      });
      const expired = await step.run("expire-unconfirmed-subscribers", async () =>
        deleteExpiredUnconfirmed(await deps.getDb()),
      );
      const pruned = await step.run("prune-expired-tokens-and-limits", async () =>
        pruneExpired(await deps.getDb()),
      );
      if (found.jobs.length) {
        await step.sendEvent(
          "replan",
          found.jobs.map((jobId) => jobEnqueued.create({ jobId }, { id: `${jobId}:sweep` })),
        );
      }
      if (found.deliveries.length)
        await step.sendEvent("resend-due", found.deliveries.map(dueEvent));
      return {
        recovered: found.recovered,
        jobs: found.jobs.length,
        deliveries: found.deliveries.length,
        expiredSubscribers: expired.deleted,
        pruned,
      };
    },
  );
}
