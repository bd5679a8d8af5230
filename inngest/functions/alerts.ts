import type { Inngest } from "inngest";
import type { Db } from "@/db";
import {
  flushDigests,
  processDelivery,
  sweepStuck,
  type DeliverOptions,
} from "@/lib/alerts/deliver";
import { planJob } from "@/lib/alerts/plan";
import { dueDeliveries, pendingJobIds } from "@/lib/alerts/steps";
import { deleteExpiredUnconfirmed } from "@/lib/subscribers/cleanup";
import { deliveryDue, jobEnqueued } from "../events";

export interface AlertFunctionDeps {
  getDb: () => Promise<Db>;
  deliver?: DeliverOptions;
}

/** A delivery is retried at most this many times within one function run (attempts are capped in the row too). */
const MAX_ROUNDS = 12;

const dueEvent = (d: { id: string; destination: string; attempts?: number }) =>
  deliveryDue.create(
    { deliveryId: d.id, destination: d.destination },
    { id: `${d.id}:${d.attempts ?? 0}` },
  );

/**
 * The alert pipeline as Inngest functions. Each wraps one lib/ step in step.run, so routing and
 * sending are the very code the embedded driver runs; Inngest adds fan-out, per-destination
 * throttling, durable sleeps (quiet hours, retry backoff) and crons.
 */
export function createAlertFunctions(inngest: Inngest, deps: AlertFunctionDeps) {
  const planNotification = inngest.createFunction(
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

  const sendDelivery = inngest.createFunction(
    {
      id: "alerts-send-delivery",
      name: "Send a delivery",
      triggers: [deliveryDue],
      // One destination (an address, a Slack channel, a customer's webhook) is not flooded.
      throttle: { limit: 20, period: "1s", key: "event.data.destination" },
      concurrency: { limit: 100 },
      retries: 3,
    },
    async ({ event, step }) => {
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const out = await step.run(`send-${round}`, async () =>
          processDelivery(await deps.getDb(), event.data.deliveryId, deps.deliver),
        );
        if (out.status !== "pending" || !out.retryAt) return out;
        // Not yet due (quiet hours) or failed with a retry scheduled: sleep durably until then.
        await step.sleepUntil(`wait-${round}`, new Date(out.retryAt));
      }
      return { id: event.data.deliveryId, status: "pending" };
    },
  );

  const flushDigestsFn = inngest.createFunction(
    { id: "alerts-flush-digests", name: "Send due digests", triggers: [{ cron: "*/5 * * * *" }] },
    async ({ step }) => {
      const due = await step.run("flush", async () => {
        const db = await deps.getDb();
        const ids = await flushDigests(db);
        return (await dueDeliveries(db)).filter((d) => ids.includes(d.id));
      });
      if (due.length) await step.sendEvent("send-digests", due.map(dueEvent));
      return { digests: due.length };
    },
  );

  /**
   * Recovers anything an interrupted run or a lost event left behind, and deletes subscribers
   * whose confirmation link expired unused (as the embedded driver's sweep does).
   */
  const sweep = inngest.createFunction(
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
      };
    },
  );

  return { planNotification, sendDelivery, flushDigestsFn, sweep };
}
