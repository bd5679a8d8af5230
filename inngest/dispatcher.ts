import type { Db } from "@/db";
import { dueDeliveries, pendingJobIds } from "@/lib/alerts/steps";
import { onJobsEnqueued } from "@/lib/alerts/outbox";
import { inngest } from "./client";
import { deliveryDue, escalationStarted, escalationStopped, jobEnqueued } from "./events";
import { unstartedEscalations } from "@/lib/oncall/engine";
import { onEscalationSignal } from "@/lib/oncall/signals";

/**
 * With Inngest as the driver, a commit wakes this instead of the embedded runner: pending jobs
 * (and deliveries made due by "resend" or a test alert) become events. Event ids make a repeated
 * dispatch a no-op; the sweep cron catches anything a lost wake-up missed.
 */
export function startInngestDispatcher(db: Db): { stop(): void } {
  let busy = false;
  let again = false;
  async function dispatch() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        const jobs = await pendingJobIds(db);
        const due = await dueDeliveries(db, { limit: 500 });
        // Escalations that no function has paged yet (their start event's id de-duplicates).
        const escalations = await unstartedEscalations(db);
        const events = [
          ...escalations.map((escalationId) =>
            escalationStarted.create({ escalationId }, { id: `${escalationId}:started` }),
          ),
          ...jobs.map((jobId) => jobEnqueued.create({ jobId }, { id: jobId })),
          ...due.map((d) =>
            deliveryDue.create(
              { deliveryId: d.id, destination: d.destination },
              { id: `${d.id}:${d.attempts}` },
            ),
          ),
        ];
        if (events.length) await inngest.send(events);
      } while (again);
    } catch (e) {
      console.error("[beacon] could not hand work to Inngest (the sweep cron will retry):", e);
    } finally {
      busy = false;
    }
  }
  const unsubscribe = onJobsEnqueued(() => void dispatch());
  // An acknowledgement or resolution ends the escalation's waiting function at once.
  const unsubscribeOnCall = onEscalationSignal((s) => {
    if (s.type !== "stopped") return void dispatch();
    inngest
      .send(
        escalationStopped.create(
          { escalationId: s.escalationId },
          { id: `${s.escalationId}:stopped` },
        ),
      )
      .catch((e: unknown) =>
        console.error("[beacon] could not tell Inngest an escalation stopped:", e),
      );
  });
  void dispatch();
  return {
    stop: () => {
      unsubscribe();
      unsubscribeOnCall();
    },
  };
}
