import type { Db } from "@/db";
import { flushDigests } from "@/lib/alerts/digests";
import type { DeliverOptions } from "@/lib/alerts/send";
import { pruneInstances, sweepStuck } from "@/lib/alerts/sweep";
import {
  goneOnThisHost,
  heartbeat,
  HEARTBEAT_MS,
  newInstance,
  pruneStarts,
  registerInstance,
  stopInstance,
  type Instance,
} from "@/lib/alerts/leases";
import { claimDueJobs, markJobError, planJob, releaseJob } from "@/lib/alerts/plan";
import { deleteExpiredUnconfirmed } from "@/lib/subscribers/cleanup";
import { pruneExpired } from "@/lib/auth/prune";
import { runRetentionIfDue } from "@/lib/retention/schedule";
import { evaluateAllRules } from "@/lib/metrics/evaluator";
import { runDueEscalations } from "@/lib/oncall/engine";
import { onJobsEnqueued } from "@/lib/alerts/outbox";
import { runDueMaintenanceSteps } from "@/lib/incidents/run-maintenance-steps";
import { createSender } from "./sender";

export interface EmbeddedDriverOptions {
  pollIntervalMs?: number;
  /** Slots: requests this process sends at once (default 32). */
  concurrency?: number;
  /** Requests in flight to one host (or email/SMS provider) at most (default 8). */
  perHost?: number;
  /**
   * A request unanswered this long gives its slot back (default 250 ms), so receivers that hang
   * until the timeout cannot hold every slot; at most 8 × concurrency requests are in flight.
   */
  slowAfterMs?: number;
  deliver?: Omit<DeliverOptions, "now">;
  /**
   * Rows per planned part of a fan-out; each part is sent as soon as it is planned (default
   * PlanOptions' default). Infinity plans in one statement: on PGlite planning and sending share
   * one thread, so overlapping them gains nothing.
   */
  planPartRows?: number;
  onError?: (e: unknown) => void;
  /** Rounds of slots whose start may be recorded ahead of sending (see DrainOptions). */
  startsAhead?: number;
  /** The machine this instance runs on, as recorded (default the host name; the chaos script). */
  instanceHost?: string;
}

export interface EmbeddedDriver {
  /**
   * Runs one round of the driver's own loop now (also what a wake-up does): sweeps when due,
   * claims due jobs and starts planning them, flushes digests and claims due deliveries for the
   * sender. Resolves when that is done; planning and sending go on without it.
   */
  kick(): Promise<void>;
  /** This driver's instance id (its claims' holder). */
  instanceId(): string;
  /** Other instances alive at the last heartbeat. */
  peers(): number;
  stop(): Promise<void>;
}

/** Threshold rules are evaluated this often without new samples (no data, pending, windows). */
const RULES_EVERY_MS = 30_000;
/** Subscribers, magic-link tokens, rate-limit windows and old instances: pruned this often. */
const PRUNE_EVERY_MS = 30_000;
/**
 * Claims of dead instances are looked for this often (and on the first round, so a restarted
 * process recovers its previous incarnation's at once): with LEASE_MS, a dead instance's work
 * resumes within about 12 s.
 */
const SWEEP_EVERY_MS = 2_000;
/** Jobs one process plans at once: a fan-out waiting for the sender never holds up the next job. */
const PLANNING_MAX = 4;

/**
 * Deliveries planning may have handed to the sender and not yet sent before it plans more: about
 * three parts. Planning a part under load takes longer than sending one, so with room for a single
 * waiting part the senders ran dry between parts; the memory held stays small and bounded.
 */
const HANDED_OVER_MAX = 3000;

/**
 * The in-process job driver, for installs without Inngest: plans due outbox jobs, sends due
 * deliveries, flushes digests, recovers the claims of dead instances and deletes expired
 * unconfirmed subscribers — the same lib/ steps the Inngest functions call.
 *
 * Two loops that never wait for each other. This one (kick: woken right after a commit by
 * onJobsEnqueued, by the heartbeat every few seconds, and otherwise polling) plans and claims;
 * the sender, kept for the driver's lifetime, sends each claimed delivery in a slot of its own
 * (lib/jobs/sender.ts), so a request that hangs until its timeout holds only its slot. Sending
 * starts as soon as the first part of a large fan-out is planned.
 *
 * Several processes on one PostgreSQL share the work: every claim uses FOR UPDATE SKIP LOCKED and
 * is a lease held by this instance's heartbeat (lib/alerts/leases.ts). When other instances are
 * alive, parts of a fan-out this one has no room for are written unclaimed, for any of them to
 * send. When an instance dies, the others take over its claims within seconds (sweep.ts).
 */
export function startEmbeddedDriver(db: Db, opts: EmbeddedDriverOptions = {}): EmbeddedDriver {
  const onError = opts.onError ?? ((e) => console.error("[beacon] job driver:", e));
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let lastPrune = 0;
  let lastRules = 0;
  let lastSweep = 0;
  const instance: Instance = newInstance(opts.instanceHost);
  let registered = false;
  /** Other instances alive at the last heartbeat. */
  let peers = 0;
  const planning = new Set<Promise<void>>();

  const concurrency = opts.concurrency ?? 32;
  /** Deliveries claimed ahead of sending when the work is shared: eight rounds of slots. */
  const ahead = concurrency * 8;
  const sender = createSender(db, {
    ...opts.deliver,
    limit: 200,
    concurrency,
    perHost: opts.perHost ?? 8,
    slowAfterMs: opts.slowAfterMs ?? 250,
    maxInFlight: concurrency * 8,
    maxHeld: HANDED_OVER_MAX,
    startsAhead: opts.startsAhead,
    ahead,
    collect: false,
    shouldStop: () => stopped,
    onError,
    instanceId: instance.id,
  });

  function plan(jobId: string, inst: Instance) {
    const p = (async () => {
      try {
        // A stopping driver plans nothing more; the job goes back to the queue for the next
        // process (what was already written and handed over is still sent).
        const result = stopped
          ? null
          : await planJob(db, jobId, {
              instanceId: inst.id,
              // Alone, this instance claims every part as it writes it and waits for room; with
              // others alive, it claims a part only when it is about to run out of work, and
              // leaves the others in the queue for any instance to claim.
              claimPart: () => peers === 0 || sender.handedOver() < ahead,
              onClaimed: (claimed, cache) => {
                sender.submit(claimed, cache);
                // At most about three parts wait in memory, however large the fan-out; a small
                // job never waits.
                return peers === 0 ? sender.room(HANDED_OVER_MAX) : undefined;
              },
              onPart: () => void sender.pull(),
              shouldStop: () => stopped,
              listDue: false,
              partRows: opts.planPartRows,
            });
        if (!result || result.stopped) await releaseJob(db, jobId);
      } catch (e) {
        onError(e);
        await markJobError(db, jobId, e).catch(onError);
      }
    })();
    planning.add(p);
    void p.finally(() => {
      planning.delete(p);
      if (!stopped) void kick();
    });
  }

  async function tick() {
    const inst = instance;
    if (!registered) {
      await registerInstance(db, inst);
      peers = (await heartbeat(db, inst.id)).peers;
      registered = true;
    }
    const now = new Date();
    if (now.getTime() - lastSweep >= SWEEP_EVERY_MS) {
      lastSweep = now.getTime();
      // Claims of dead instances, and a restarted process's previous incarnation's at once.
      await sweepStuck(db, { now, self: inst.id, gone: await goneOnThisHost(db, inst.host) });
    }
    if (now.getTime() - lastPrune > PRUNE_EVERY_MS) {
      lastPrune = now.getTime();
      await deleteExpiredUnconfirmed(db, { now });
      await pruneExpired(db, { now });
      await pruneStarts(db, inst.id);
      await pruneInstances(db);
      await runRetentionIfDue(db, { now, onError }); // hourly, one instance, in the background
    }
    if (now.getTime() - lastRules >= RULES_EVERY_MS) {
      lastRules = now.getTime();
      await evaluateAllRules(db, now);
    }
    // Maintenance reminders and automatic starts and ends that are due (each done once, in the
    // transaction that marks it done); what they enqueue is planned just below.
    if (!stopped) await runDueMaintenanceSteps(db, { now });
    if (!stopped && planning.size < PLANNING_MAX) {
      const jobs = await claimDueJobs(db, {
        now,
        limit: PLANNING_MAX - planning.size,
        instanceId: inst.id,
      });
      for (const jobId of jobs) plan(jobId, inst);
    }
    await flushDigests(db);
    // On-call escalation steps that are due (lib/oncall): page the next tier or give up.
    if (!stopped) await runDueEscalations(db, { now });
    if (!stopped) await sender.pull();
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
          await tick();
        } catch (e) {
          onError(e);
        }
      } while (again && !stopped);
      running = null;
    })();
    return running;
  }

  // The heartbeat renews every claim this instance holds; each beat also runs the loop, so the
  // claims of a dead instance are taken over within seconds whatever the poll interval.
  const beat = setInterval(() => {
    if (!registered) return void kick();
    heartbeat(db, instance.id).then(
      (h) => {
        peers = h.peers;
        void kick();
      },
      (e: unknown) => onError(e),
    );
  }, HEARTBEAT_MS);
  beat.unref?.();
  const unsubscribe = onJobsEnqueued(() => void kick());
  const timer = setInterval(() => void kick(), opts.pollIntervalMs ?? 2000);
  timer.unref?.();
  void kick();

  return {
    kick,
    instanceId: () => instance.id,
    peers: () => peers,
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearInterval(beat);
      unsubscribe();
      await running;
      await Promise.all(planning);
      await sender.close();
      await stopInstance(db, instance.id).catch(onError);
    },
  };
}
