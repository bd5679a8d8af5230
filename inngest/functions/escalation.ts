import type { Inngest } from "inngest";
import { eq } from "drizzle-orm";
import { escalations } from "@/db/schema";
import { advanceEscalation, type EscalationState } from "@/lib/oncall/engine";
import { escalationStarted, escalationStopped } from "../events";
import type { AlertFunctionDeps } from "./shared";

/** Tiers × rounds is at most 10 × 11; the loop ends long before this. */
const MAX_STEPS = 200;

/**
 * One on-call escalation, with Inngest as the driver: pages the first tier, then waits for the
 * acknowledgement (the "stopped" event) with the tier's timeout; a timeout pages the next tier.
 * Each page is the same lib/ step the embedded driver runs, told where the escalation was last
 * seen, so a replayed step pages no one twice. Before each wait the database is read: an
 * acknowledgement whose event was sent before the wait began would otherwise be missed.
 */
export function createEscalation(inngest: Inngest, deps: AlertFunctionDeps) {
  return inngest.createFunction(
    {
      id: "oncall-escalation",
      name: "Escalate an on-call page",
      triggers: [escalationStarted],
      // One run per escalation: a re-sent start event waits for the first run rather than racing it.
      concurrency: { limit: 1, key: "event.data.escalationId" },
      retries: 5,
    },
    async ({ event, step }) => {
      const id = event.data.escalationId;
      let state: EscalationState | null = await step.run("page-0", async () =>
        advanceEscalation(await deps.getDb(), id, { expect: { tier: 0, round: 1 } }),
      );
      for (let n = 1; n < MAX_STEPS && state?.status === "active"; n++) {
        const status = await step.run(`check-${n}`, async () => {
          const db = await deps.getDb();
          const [row] = await db
            .select({ status: escalations.status })
            .from(escalations)
            .where(eq(escalations.id, id));
          return row?.status ?? "stopped";
        });
        if (status !== "active") return { id, status };
        const stopped = await step.waitForEvent(`wait-${n}`, {
          // By name: only the match matters, the event carries nothing else to validate.
          event: escalationStopped.name,
          match: "data.escalationId",
          timeout: `${state.timeoutMinutes ?? 1}m`,
        });
        if (stopped) return { id, status: "stopped" };
        const seen: { tier: number; round: number } = { tier: state.tier, round: state.round };
        state = await step.run(`page-${n}`, async () =>
          advanceEscalation(await deps.getDb(), id, { expect: seen }),
        );
      }
      return { id, status: state?.status ?? "missing" };
    },
  );
}
