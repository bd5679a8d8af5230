import { eventType } from "inngest";
import { z } from "zod";

/** Every event Beacon sends to Inngest, named domain/noun.verb. */

/** An outbox job is ready to be planned. The event id is the job id, so re-sends are de-duplicated. */
export const jobEnqueued = eventType("alerts/job.enqueued", {
  schema: z.object({ jobId: z.uuid() }),
});

/** A delivery is (or will be at runAt) due; `destination` keys the per-destination throttle. */
export const deliveryDue = eventType("alerts/delivery.due", {
  schema: z.object({ deliveryId: z.uuid(), destination: z.string() }),
});

/** An on-call escalation started (lib/oncall): its function pages tier after tier. */
export const escalationStarted = eventType("oncall/escalation.started", {
  schema: z.object({ escalationId: z.uuid() }),
});

/** An escalation was acknowledged, resolved or ran out: its waiting function stops. */
export const escalationStopped = eventType("oncall/escalation.stopped", {
  schema: z.object({ escalationId: z.uuid() }),
});
