import type { Db } from "@/db";
import { flushDigests } from "@/lib/alerts/digests";
import type { DeliverOptions } from "@/lib/alerts/send";
import { sweepStuck } from "@/lib/alerts/sweep";
import { claimDueJobs, markJobError, planJob, releaseJob } from "@/lib/alerts/plan";
import { deleteExpiredUnconfirmed } from "@/lib/subscribers/cleanup";
import { pruneExpired } from "@/lib/auth/prune";
import { runRetentionIfDue } from "@/lib/retention/schedule";
import { onJobsEnqueued } from "@/lib/alerts/outbox";
import { createSender } from "./sender";

export interface EmbeddedDriverOptions {
  pollIntervalMs?: number;
  /** Deliveries sent at once by this process. */
  concurrency?: number;
  deliver?: Omit<DeliverOptions, "now">;
  /**
   * Rows per planned part of a fan-out; each part is sent as soon as it is planned (default
   * PlanOptions' default). Infinity plans in one statement: on PGlite planning and sending share
   * one thread, so overlapping them gains nothing.
   */
  planPartRows?: number;
  onError?: (e: unknown) => void;
}

export interface EmbeddedDriver {
  /** Runs one pass now (also what a wake-up does). Resolves when the pass is done. */
  kick(): Promise<void>;
  stop(): Promise<void>;
}

const SWEEP_EVERY_MS = 30_000;

/**
 * Deliveries planning may have handed to the sender and not yet sent before it plans more: about
 * three parts. Planning a part under load takes longer than sending one, so with room for a single
 * waiting part the senders ran dry between parts; the memory held stays small and bounded.
 */
const HANDED_OVER_MAX = 3000;

/** Counts notifications and lets a waiter sleep until the next one. */
function createSignal() {
  let n = 0;
  let wake: (() => void) | null = null;
  return {
    notify: () => {
      n++;
      wake?.();
      wake = null;
    },
    count: () => n,
    next: () => new Promise<void>((resolve) => (wake = resolve)),
  };
}

/**
 * The in-process job driver, for installs without Inngest: plans due outbox jobs, sends due
 * deliveries, flushes digests, recovers stuck work and deletes expired unconfirmed subscribers —
 * the same lib/ steps the Inngest functions call. Sending starts as soon as the first part of a
 * large fan-out is planned. It is woken right after a commit
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
      await pruneExpired(db, { now });
      await runRetentionIfDue(db, { now, onError }); // hourly, one instance, in the background
    }
    // Planning and sending overlap: planning claims what is due as it writes each part of a fan-out
    // and hands it straight to the sender, which meanwhile also drains the queue (retries, resends).
    const landed = createSignal();
    const sender = createSender(db, {
      ...opts.deliver,
      limit: 200,
      concurrency: opts.concurrency ?? 32,
      collect: false,
      shouldStop: () => stopped,
    });
    let planning = true;
    const plan = (async () => {
      try {
        for (const jobId of await claimDueJobs(db, { now })) {
          try {
            // A stopping driver plans nothing more; the job goes back to the queue for the next
            // process (what was already written and handed over is still sent).
            const result = stopped
              ? null
              : await planJob(db, jobId, {
                  onPart: landed.notify,
                  onClaimed: (claimed, cache) => {
                    sender.submit(claimed, cache);
                    landed.notify();
                    // At most about three parts wait in memory, however large the fan-out; a small
                    // job never waits.
                    return sender.room(HANDED_OVER_MAX);
                  },
                  shouldStop: () => stopped,
                  listDue: false,
                  partRows: opts.planPartRows,
                });
            if (!result || result.stopped) await releaseJob(db, jobId);
          } catch (e) {
            await markJobError(db, jobId, e);
            onError(e);
          }
        }
        await flushDigests(db);
      } finally {
        planning = false;
        landed.notify();
      }
    })();
    const send = (async () => {
      // Sends until planning is over and nothing is due; a fan-out of thousands drains in one
      // pass. Planning waits for room as it goes, so this keeps draining until it ends, even
      // after a failed claim (reported once planning is done).
      let failure: unknown = null;
      try {
        for (;;) {
          const seen = landed.count();
          try {
            await sender.drain();
          } catch (e) {
            failure ??= e;
          }
          if (landed.count() !== seen) continue;
          if (!planning) break;
          await landed.next();
        }
      } finally {
        await sender.close();
      }
      if (failure) throw failure;
    })();
    const [planned, sent] = await Promise.allSettled([plan, send]);
    if (planned.status === "rejected" && sent.status === "rejected") onError(sent.reason);
    if (planned.status === "rejected") throw planned.reason;
    if (sent.status === "rejected") throw sent.reason;
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
