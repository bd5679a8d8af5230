import type { Tx } from "@/db";
import { notificationJobs, type NotificationKind, type NotificationPayload } from "@/db/schema";

type Listener = () => void;
const g = globalThis as unknown as { __beaconJobListeners?: Set<Listener> };
const listeners = (g.__beaconJobListeners ??= new Set());

/**
 * Writes an outbox row inside the caller's transaction. Call `wakeJobDriver()` after the
 * transaction commits so the driver picks it up at once rather than on its next poll.
 */
export async function enqueueNotification(
  tx: Tx,
  job: { orgId: string; kind: NotificationKind; payload: NotificationPayload; runAt?: Date },
) {
  const [row] = await tx
    .insert(notificationJobs)
    .values({
      orgId: job.orgId,
      kind: job.kind,
      payload: job.payload,
      runAt: job.runAt ?? new Date(),
    })
    .returning();
  return row!;
}

/** The job driver subscribes here; verbs call wakeJobDriver() after their commit. */
export function onJobsEnqueued(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function wakeJobDriver(): void {
  for (const l of listeners) l();
}
