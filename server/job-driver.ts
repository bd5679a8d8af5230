import type { Db } from "@/db";
import { env } from "@/lib/env";
import { startEmbeddedDriver } from "@/lib/jobs/embedded-driver";

const g = globalThis as unknown as { __beaconJobDriver?: { stop(): Promise<void> | void } };

/**
 * Starts the alert job driver once per process: Inngest when configured (events are dispatched
 * after each commit, functions served at /api/inngest), otherwise the embedded runner.
 */
export async function startJobDriver(db: Db): Promise<void> {
  if (g.__beaconJobDriver || env.isBuildPhase) return;
  if (env.inngestConfigured) {
    const { startInngestDispatcher } = await import("@/inngest/dispatcher");
    g.__beaconJobDriver = startInngestDispatcher(db);
  } else {
    g.__beaconJobDriver = startEmbeddedDriver(db, {
      pollIntervalMs: env.JOB_POLL_INTERVAL_MS,
      // PostgreSQL plans a large fan-out in parts and sends each as it lands; PGlite in one go.
      planPartRows: env.DATABASE_URL ? undefined : Infinity,
    });
  }
}
