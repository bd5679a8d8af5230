import type { Tx } from "@/db";
import { notificationJobs, type NotificationKind, type NotificationPayload } from "@/db/schema";
import { afterCommit } from "@/lib/context";

type Listener = () => void;
const g = globalThis as unknown as { __beaconJobListeners?: Set<Listener> };
const listeners = (g.__beaconJobListeners ??= new Set());

/**
 * Writes an outbox row inside the caller's transaction (one opened by `withTransaction`) and wakes
 * the job driver once that transaction commits, so it picks the row up at once rather than on its
 * next poll. Nothing to call afterwards.
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
  wakeJobDriverOnCommit(tx);
  return row!;
}

/**
 * For code that writes due deliveries itself rather than through `enqueueNotification` (a resend, a
 * test alert): wakes the job driver once `tx` (opened by withTransaction) commits.
 */
export function wakeJobDriverOnCommit(tx: Tx): void {
  afterCommit(tx, wakeJobDriver);
}

/** The job driver subscribes here; woken after each commit that enqueued a notification. */
export function onJobsEnqueued(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Wakes the job driver now. lib/ code does not call it: `enqueueNotification` registers it. */
export function wakeJobDriver(): void {
  for (const l of listeners) l();
}
