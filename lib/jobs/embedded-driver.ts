import type { Db } from "@/db";
import {
  flushDigests,
  drainDueDeliveries,
  sweepStuck,
  type DeliverOptions,
} from "@/lib/alerts/deliver";
import { claimDueJobs, markJobError, planJob } from "@/lib/alerts/plan";
import { deleteExpiredUnconfirmed } from "@/lib/subscribers/cleanup";
import { onJobsEnqueued } from "./outbox";

export interface EmbeddedDriverOptions {
  pollIntervalMs?: number;
  /** Deliveries sent at once by this process. */
  concurrency?: number;
  deliver?: Omit<DeliverOptions, "now">;
  onError?: (e: unknown) => void;
}

export interface EmbeddedDriver {
  /** Runs one pass now (also what a wake-up does). Resolves when the pass is done. */
  kick(): Promise<void>;
  stop(): Promise<void>;
}

const SWEEP_EVERY_MS = 30_000;

/**
 * The in-process job driver, for installs without Inngest: plans due outbox jobs, sends due
 * deliveries, flushes digests, recovers stuck work and deletes expired unconfirmed subscribers —
 * the same lib/ steps the Inngest functions call. It is woken right after a commit
 * (onJobsEnqueued) and otherwise polls. Several processes on one PostgreSQL share the work
 * safely: every claim uses FOR UPDATE SKIP LOCKED.
 */
export function startEmbeddedDriver(db: Db, opts: EmbeddedDriverOptions = {}): EmbeddedDriver {
  const onError = opts.onError ?? ((e) => console.error("[beacon] job driver:", e));
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let lastSweep = 0;

  async function pass() {
    const now = new Date();
    if (now.getTime() - lastSweep > SWEEP_EVERY_MS) {
      lastSweep = now.getTime();
      await sweepStuck(db, { now });
      await deleteExpiredUnconfirmed(db, { now });
    }
    for (const jobId of await claimDueJobs(db, { now })) {
      try {
        await planJob(db, jobId);
      } catch (e) {
        await markJobError(db, jobId, e);
        onError(e);
      }
    }
    await flushDigests(db);
    // Sends until nothing is due; a fan-out of thousands drains in one wake-up.
    await drainDueDeliveries(db, {
      ...opts.deliver,
      limit: 200,
      concurrency: opts.concurrency ?? 32,
      shouldStop: () => stopped,
    });
  }

  function kick(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await pass();
        } catch (e) {
          onError(e);
        }
      } while (again && !stopped);
      running = null;
    })();
    return running;
  }

  const unsubscribe = onJobsEnqueued(() => void kick());
  const timer = setInterval(() => void kick(), opts.pollIntervalMs ?? 2000);
  timer.unref?.();
  void kick();

  return {
    kick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      unsubscribe();
      await running;
    },
  };
}
