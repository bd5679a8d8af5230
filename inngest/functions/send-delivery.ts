import type { Inngest } from "inngest";
import { processDelivery } from "@/lib/alerts/send";
import { deliveryDue } from "../events";
import type { AlertFunctionDeps } from "./shared";

/** A delivery is retried at most this many times within one function run (attempts are capped in the row too). */
const MAX_ROUNDS = 12;

/**
 * Sends one delivery (claiming it, so a duplicate event sends nothing), sleeping durably until a
 * retry or the end of quiet hours; one destination is throttled.
 */
export function createSendDelivery(inngest: Inngest, deps: AlertFunctionDeps) {
  return inngest.createFunction(
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
}
