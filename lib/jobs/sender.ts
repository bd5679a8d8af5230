import { sql } from "drizzle-orm";
import type { Db } from "@/db";
import { LOCK_MS, type ClaimedDelivery, type PrepCache } from "@/lib/alerts/claim";
import { createOutcomeWriter, type DeliverOutcome } from "@/lib/alerts/outcomes";
import { claimDeliveries, loadPrepCache } from "@/lib/alerts/queue";
import { deliverClaimed, deliverClaimedBatch, type DeliverOptions } from "@/lib/alerts/send";

export interface DrainOptions extends DeliverOptions {
  /** Deliveries claimed per query (default 200). */
  limit?: number;
  /** Deliveries sent at once (default 16). */
  concurrency?: number;
  /** Stop claiming after this many claims (default: until nothing is due). */
  maxClaims?: number;
  /** Checked before each claim; a stopping driver finishes what it holds and claims no more. */
  shouldStop?: () => boolean;
  /** How often the locks of held deliveries are renewed (default a third of the lock). */
  renewEveryMs?: number;
  /**
   * Keep each drain's outcomes to return them (default true). The embedded driver does not read
   * them; holding ten thousand of them until a fan-out ends only gives the garbage collector work.
   */
  collect?: boolean;
}

/** The embedded driver's sending side; see createSender. */
export interface Sender {
  /** Queues deliveries that are already claimed (planning claims what is due as it writes it). */
  submit(ds: ClaimedDelivery[], cache: PrepCache): void;
  /**
   * Resolves once fewer than `n` deliveries handed over by submit() wait to be sent (queue claims
   * are not counted): a planner waits on it between parts, so a fan-out of any size holds a
   * bounded number of deliveries in memory, not all of it.
   */
  room(n: number): Promise<void>;
  /**
   * Sends what was submitted, claiming due deliveries from the queue as it goes, until neither is
   * left; returns this drain's outcomes (none when created with `collect: false`). Called again
   * for what is submitted afterwards.
   */
  drain(): Promise<DeliverOutcome[]>;
  /** Waits for every outcome to be written and stops renewing leases. */
  close(): Promise<void>;
}

/**
 * Claims and sends due deliveries with bounded concurrency (the embedded driver). The next batch
 * is claimed while the current one is still sending, so senders never wait for the slowest of a
 * batch; outcomes are written in batches (group commit); email is grouped so a large fan-out goes
 * through the provider's batch endpoint. Claims held longer than a third of their lock (slow
 * receivers, a long queue of submitted work) have their lock renewed, so the sweeper never hands
 * a delivery that is still queued here to another sender.
 */
export function createSender(db: Db, opts: DrainOptions = {}): Sender {
  const limit = opts.limit ?? 200;
  const maxClaims = opts.maxClaims ?? Infinity;
  const writer = createOutcomeWriter(db);
  const sendOpts: DeliverOptions = { ...opts, writer };
  const tasks: (() => Promise<DeliverOutcome[]>)[] = [];
  /** Claimed here and not yet sent: the leases to renew. */
  const held = new Set<string>();
  let claims = 0;
  let refilling: Promise<void> | null = null;

  const renewal = setInterval(
    () => {
      if (held.size === 0) return;
      const until = new Date(Date.now() + LOCK_MS).toISOString();
      db.execute(
        sql`
      update deliveries set locked_until = ${until}::timestamptz
      where id = any(${`{${[...held].join(",")}}`}::uuid[]) and status = 'sending'`,
      ).catch(
        // A missed renewal costs at most a duplicate attempt after the sweeper's timeout; the
        // outcome write's attempt check keeps the log right.
        (e: unknown) => console.error("[beacon] renewing delivery locks:", e),
      );
    },
    opts.renewEveryMs ?? LOCK_MS / 3,
  );
  renewal.unref?.();

  const concurrency = Math.max(1, opts.concurrency ?? 16);
  const collect = opts.collect ?? true;
  /** Handed over by planning and not yet sent: what room() counts (queue claims do not). */
  const handed = new Set<string>();
  /** Planners waiting for handed-over work to shrink (see room). */
  let waiters: { n: number; resolve: () => void }[] = [];
  const sent = (ds: ClaimedDelivery[]) => {
    for (const d of ds) {
      held.delete(d.id);
      handed.delete(d.id);
    }
    if (waiters.length)
      waiters = waiters.filter((w) => (handed.size < w.n ? (w.resolve(), false) : true));
  };

  /** The drain in progress: its outcomes, and the workers still running. */
  interface DrainState {
    out: DeliverOutcome[];
    exhausted: boolean;
    failure: unknown;
    active: number;
    done: () => void;
  }
  let current: DrainState | null = null;

  function enqueue(claimed: ClaimedDelivery[], cache: PrepCache, fromPlanning: boolean) {
    const run = (ds: ClaimedDelivery[], send: () => Promise<DeliverOutcome[]>) => {
      for (const d of ds) {
        held.add(d.id);
        if (fromPlanning) handed.add(d.id);
      }
      // Whatever happens to the send, its deliveries are no longer waiting here.
      tasks.push(() => send().finally(() => sent(ds)));
    };
    const emails: ClaimedDelivery[] = [];
    for (const d of claimed) {
      if (d.channel === "email") emails.push(d);
      else run([d], () => deliverClaimed(db, d, sendOpts, cache).then((o) => [o]));
    }
    if (emails.length) run(emails, () => deliverClaimedBatch(db, emails, sendOpts, cache));
  }

  function refill(st: DrainState): Promise<void> | null {
    if (refilling || st.exhausted) return refilling;
    if (claims >= maxClaims || opts.shouldStop?.()) {
      st.exhausted = true;
      return null;
    }
    claims++;
    refilling = (async () => {
      try {
        const claimed = await claimDeliveries(db, { now: opts.now, limit });
        if (claimed.length < limit) st.exhausted = true;
        enqueue(claimed, await loadPrepCache(db, claimed), false);
      } catch (e) {
        st.failure ??= e;
        st.exhausted = true;
      } finally {
        refilling = null;
      }
    })();
    return refilling;
  }

  async function worker(st: DrainState) {
    for (;;) {
      if (tasks.length < limit) void refill(st);
      const task = tasks.shift();
      if (task) {
        try {
          const outcomes = await task();
          if (collect) st.out.push(...outcomes);
        } catch (e) {
          st.failure ??= e;
        }
        continue;
      }
      const pending = refilling ?? refill(st);
      if (!pending) return;
      await pending;
    }
  }

  function spawn(st: DrainState) {
    st.active++;
    void worker(st).finally(() => {
      if (--st.active > 0) return;
      // The last worker out ends the drain; work submitted after this waits for the next one.
      if (current === st) current = null;
      st.done();
    });
  }

  return {
    submit(claimed, cache) {
      enqueue(claimed, cache, true);
      // Workers that found nothing to do have left; bring them back for the new work.
      const st = current;
      const more = st ? Math.min(concurrency - st.active, tasks.length) : 0;
      for (let i = 0; i < more; i++) spawn(st!);
    },
    room: (n) =>
      handed.size < n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve })),
    async drain() {
      if (current) throw new Error("a sender drains one batch of work at a time");
      let done: () => void = () => {};
      const finished = new Promise<void>((resolve) => (done = resolve));
      const st: DrainState = { out: [], exhausted: false, failure: null, active: 0, done };
      current = st;
      for (let i = 0; i < concurrency; i++) spawn(st);
      await finished;
      if (st.failure) throw st.failure;
      return st.out;
    },
    async close() {
      clearInterval(renewal);
      await writer.close();
    },
  };
}
