import type { Db } from "@/db";
import type { DeliverOptions } from "@/lib/alerts/send";
import type { DeliverOutcome } from "@/lib/alerts/outcomes";
import { createSender, type DrainOptions } from "@/lib/jobs/sender";

/**
 * Sending helpers for tests and benchmarks: drain the queue in one call instead of running a
 * driver. The embedded driver uses createSender directly.
 */

/** Claims and sends due deliveries until none is left (see createSender). */
export async function drainDueDeliveries(
  db: Db,
  opts: DrainOptions = {},
): Promise<DeliverOutcome[]> {
  const sender = createSender(db, opts);
  try {
    return await sender.drain();
  } finally {
    await sender.close();
  }
}

/** Claims one batch of due deliveries and sends it. */
export function processDueDeliveries(
  db: Db,
  opts: DeliverOptions & { limit?: number; concurrency?: number } = {},
): Promise<DeliverOutcome[]> {
  return drainDueDeliveries(db, { ...opts, limit: opts.limit ?? 100, maxClaims: 1 });
}
