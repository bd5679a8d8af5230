import { sql } from "drizzle-orm";
import type { Db } from "@/db";
import { LOCK_MS, type ClaimedDelivery, type PrepCache } from "@/lib/alerts/claim";
import { recordStarts } from "@/lib/alerts/leases";
import { createOutcomeWriter, type DeliverOutcome } from "@/lib/alerts/outcomes";
import { claimDeliveries, loadPrepCache } from "@/lib/alerts/queue";
import { deliverClaimed, deliverClaimedBatch, type DeliverOptions } from "@/lib/alerts/send";

export interface DrainOptions extends DeliverOptions {
  /** Deliveries claimed per query (default 200). */
  limit?: number;
  /** Slots: requests sent at once (default 16); see slowAfterMs. */
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
  /**
   * The embedded driver instance claiming (lib/alerts/leases.ts): its claims are leases its
   * heartbeat renews (no per-delivery renewal), and the start of every request is recorded
   * before it goes out, so a takeover after a crash knows what was in flight.
   */
  instanceId?: string;
  /** Requests in flight to one host (or one provider) at most (default: no limit). */
  perHost?: number;
  /**
   * A request unanswered this long gives its slot back (it still counts for its host, and
   * against maxInFlight), so slow or hanging receivers cannot hold every slot (default: never).
   */
  slowAfterMs?: number;
  /** Requests in flight at most, slow ones included (default 4 × concurrency). */
  maxInFlight?: number;
  /** Claimed deliveries held (waiting or in flight) before the queue is claimed no further. */
  maxHeld?: number;
  /**
   * Claim from the queue only while fewer than this many deliveries wait that could start now
   * (default: no limit). A long-lived sender claims what it can send soon and leaves the rest
   * due, for any instance to claim; waiting on a host at its limit does not count.
   */
  ahead?: number;
  /**
   * With an instance: how many rounds of slots may have their start recorded ahead of sending
   * (default 2). More means fewer, larger writes (PGlite, where every statement runs on this
   * thread), and more requests logged "outcome unknown" after a crash that had not gone out.
   */
  startsAhead?: number;
  /** Where failures go when no drain() is waiting for them (a long-lived sender). */
  onError?: (e: unknown) => void;
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
  /** Deliveries handed over by submit() and not yet sent. */
  handedOver(): number;
  /**
   * Claims due deliveries from the queue, as many as it has room for (at most `limit`), and
   * queues them; resolves when they are claimed, not sent. Returns how many.
   */
  pull(): Promise<number>;
  /**
   * Sends what was submitted, claiming due deliveries from the queue as it goes, until neither is
   * left; returns this drain's outcomes (none when created with `collect: false`).
   */
  drain(): Promise<DeliverOutcome[]>;
  /**
   * Claims nothing more, hands back (unclaims) what was claimed and not started, waits for the
   * requests in flight and for every outcome to be written.
   */
  close(): Promise<void>;
}

/** 0: an organization's own alerts (members, recipients, endpoints); 1: public subscribers. */
type Lane = 0 | 1;

interface Task {
  ds: ClaimedDelivery[];
  lane: Lane;
  /** Whose concurrency it counts against ("" for none: in-app). */
  host: string;
  send: () => Promise<DeliverOutcome[]>;
  started: number;
  slow: boolean;
}

/**
 * The host a delivery's request goes to, as far as limiting concurrency goes: an endpoint's or a
 * webhook subscriber's URL host (its destination ends with it in parentheses, see
 * plan/endpoints.ts and plan/subscribers.ts), the provider for email and SMS, none for in-app.
 */
function hostKey(d: ClaimedDelivery): string {
  switch (d.channel) {
    case "in_app":
      return "";
    case "email":
    case "sms":
      return d.channel;
    default: {
      const m = /\(([^()]*)\)$/.exec(d.destination);
      return `host:${m ? m[1] : d.destination}`;
    }
  }
}

/**
 * Claims and sends due deliveries (the embedded driver keeps one for its lifetime). Each request
 * takes one of `concurrency` slots and frees it when it ends, independently of the others: there
 * are no rounds, so a slow request holds only its own slot. Waiting work is queued per host and
 * the hosts take turns, at most `perHost` requests in flight to one; an organization's own alerts
 * and public subscribers' deliveries alternate, and neither may take the last quarter of the
 * slots while the other has work waiting, so neither starves the other. A request unanswered
 * after `slowAfterMs` gives its slot back (bounded by `maxInFlight`), so even receivers on many
 * hosts that never answer cannot hold every slot until their timeout. With an instance, the start
 * of each picked request is recorded (group commit) before it goes out, up to two rounds of slots
 * ahead, so recording never holds a slot. Outcomes are written in batches (group commit); email
 * is grouped so a large fan-out goes through the provider's batch endpoint.
 */
export function createSender(db: Db, opts: DrainOptions = {}): Sender {
  const limit = opts.limit ?? 200;
  const maxClaims = opts.maxClaims ?? Infinity;
  const concurrency = Math.max(1, opts.concurrency ?? 16);
  const perHost = Math.max(1, opts.perHost ?? Infinity);
  const slowAfterMs = opts.slowAfterMs ?? Infinity;
  const maxInFlight = Math.max(concurrency, opts.maxInFlight ?? concurrency * 4);
  const maxHeld = opts.maxHeld ?? limit * 2;
  const ahead = opts.ahead ?? Infinity;
  const startsAhead = Math.max(1, opts.startsAhead ?? 2);
  const lowWater = ahead === Infinity ? limit / 2 : ahead / 2;
  const reserve = Math.floor(concurrency / 4);
  const collect = opts.collect ?? true;
  const instanceId = opts.instanceId;
  const writer = createOutcomeWriter(db, { onError: instanceId ? opts.onError : undefined });
  const sendOpts: DeliverOptions = { ...opts, writer };

  /** Claimed here and not yet sent. */
  const held = new Set<string>();
  /** Handed over by planning and not yet sent: what room() counts (queue claims do not). */
  const handed = new Set<string>();
  /** Waiting tasks per lane, by host; a Map keeps insertion order, so hosts take turns. */
  const lanes: [Map<string, Task[]>, Map<string, Task[]>] = [new Map(), new Map()];
  const waiting: [number, number] = [0, 0];
  const laneActive: [number, number] = [0, 0];
  const hostActive = new Map<string, number>();
  const inFlight = new Set<Task>();
  /** Requests holding a slot (inFlight minus the slow ones). */
  let active = 0;
  let nextLane: Lane = 0;
  let claims = 0;
  let pulling: Promise<number> | null = null;
  /** The last claim from the queue took all it asked for: more may be due. */
  let moreDue = false;
  let closing = false;
  /** Tasks whose failed start record is tried again in a moment. */
  let starting = 0;
  /** Picked tasks whose start is being recorded, and those recorded and waiting for a slot. */
  let marking = 0;
  const ready: Task[] = [];
  /** Picking until startsAhead rounds are recorded or ready (see pump). */
  let filling = true;

  /** The drain in progress, if any: its outcomes and first failure. */
  let current: { out: DeliverOutcome[]; failure: unknown } | null = null;
  let waiters: { n: number; resolve: () => void }[] = [];
  let changeWaiters: (() => void)[] = [];

  const fail = (e: unknown) => {
    if (current) current.failure ??= e;
    else (opts.onError ?? ((x) => console.error("[beacon] sending:", x)))(e);
  };
  const changed = () => {
    const ws = changeWaiters;
    changeWaiters = [];
    for (const w of ws) w();
  };
  const nextChange = () => new Promise<void>((resolve) => changeWaiters.push(resolve));
  const isIdle = () =>
    waiting[0] + waiting[1] === 0 &&
    inFlight.size === 0 &&
    marking === 0 &&
    ready.length === 0 &&
    !pulling &&
    starting === 0;

  // Without an instance, each claim carries its own lock (LOCK_MS), renewed while it is held.
  const renewal = instanceId
    ? null
    : setInterval(
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
  renewal?.unref?.();

  // Requests unanswered after slowAfterMs give their slot back.
  let slowTimer: ReturnType<typeof setInterval> | null = null;
  function watchSlow() {
    if (slowTimer || slowAfterMs === Infinity) return;
    slowTimer = setInterval(
      () => {
        if (inFlight.size === 0) {
          clearInterval(slowTimer!);
          slowTimer = null;
          return;
        }
        const before = Date.now() - slowAfterMs;
        let freed = false;
        for (const t of inFlight) {
          if (t.slow || t.started > before) continue;
          t.slow = true;
          active--;
          laneActive[t.lane]--;
          freed = true;
        }
        if (freed) pump();
      },
      Math.max(20, slowAfterMs / 4),
    );
    slowTimer.unref?.();
  }

  /**
   * Records the start of the requests about to go out, committed before they do (group commit:
   * starts that come while one write is in flight go together in the next).
   */
  const starts = (() => {
    let buffer: { ids: string[]; resolve: () => void; reject: (e: unknown) => void }[] = [];
    let writing = false;
    const flush = () => {
      if (writing || buffer.length === 0) return;
      const batch = buffer;
      buffer = [];
      writing = true;
      recordStarts(
        db,
        instanceId!,
        batch.flatMap((b) => b.ids),
      ).then(
        () => {
          writing = false;
          for (const b of batch) b.resolve();
          flush();
        },
        (e: unknown) => {
          writing = false;
          for (const b of batch) b.reject(e);
          flush();
        },
      );
    };
    return (ids: string[]) =>
      new Promise<void>((resolve, reject) => {
        buffer.push({ ids, resolve, reject });
        if (!writing) queueMicrotask(flush);
      });
  })();

  function queue(task: Task) {
    const lane = lanes[task.lane];
    const list = lane.get(task.host);
    if (list) list.push(task);
    else lane.set(task.host, [task]);
    waiting[task.lane]++;
  }

  function pick(): Task | null {
    if (closing) return null;
    if (marking + ready.length >= startsAhead * concurrency) {
      filling = false;
      return null;
    }
    for (const lane of [nextLane, (1 - nextLane) as Lane]) {
      if (waiting[lane] === 0) continue;
      if (waiting[1 - lane]! > 0 && laneActive[lane] >= concurrency - reserve) continue;
      for (const [host, list] of lanes[lane]) {
        if (host && (hostActive.get(host) ?? 0) >= perHost) continue;
        const task = list.shift()!;
        // To the back of the line: hosts take turns.
        lanes[lane].delete(host);
        if (list.length) lanes[lane].set(host, list);
        waiting[lane]--;
        nextLane = (1 - lane) as Lane;
        return task;
      }
    }
    return null;
  }

  /**
   * Sends what is ready while slots are free, and picks what comes next while fewer than a round
   * of slots is being recorded or ready: recording starts never holds a slot.
   */
  function pump() {
    for (;;) {
      while (ready.length && active < concurrency && inFlight.size < maxInFlight)
        send(ready.shift()!);
      // Refilled once less than a round of slots is recorded or ready, up to startsAhead rounds:
      // starts are recorded in writes of a round or more, not one per request.
      const queued = marking + ready.length;
      if (queued < concurrency) filling = true;
      if (!filling) return;
      const task = pick();
      if (!task) {
        filling = false;
        return;
      }
      take(task);
    }
  }

  /** A picked task counts for its lane and host from now until it ends (or turns slow). */
  function take(task: Task) {
    laneActive[task.lane]++;
    if (task.host) hostActive.set(task.host, (hostActive.get(task.host) ?? 0) + 1);
    if (!instanceId) {
      ready.push(task);
      return;
    }
    marking++;
    starts(task.ds.map((d) => d.id)).then(
      () => {
        marking--;
        ready.push(task);
        pump();
      },
      (e: unknown) => {
        // Not recorded, so not sent: the task waits and tries again (its claims stay ours).
        marking--;
        fail(e);
        laneActive[task.lane]--;
        dropHost(task);
        starting++;
        setTimeout(() => {
          starting--;
          if (closing) void unclaim([task]).then(changed);
          else {
            queue(task);
            pump();
          }
        }, 1000).unref?.();
      },
    );
  }

  function dropHost(task: Task) {
    if (!task.host) return;
    const n = hostActive.get(task.host)! - 1;
    if (n) hostActive.set(task.host, n);
    else hostActive.delete(task.host);
  }

  function release(task: Task) {
    inFlight.delete(task);
    if (!task.slow) {
      active--;
      laneActive[task.lane]--;
    }
    dropHost(task);
  }

  function done(ds: ClaimedDelivery[]) {
    for (const d of ds) {
      held.delete(d.id);
      handed.delete(d.id);
    }
    if (waiters.length)
      waiters = waiters.filter((w) => (handed.size < w.n ? (w.resolve(), false) : true));
  }

  function send(task: Task) {
    active++;
    task.started = Date.now();
    task.slow = false;
    inFlight.add(task);
    watchSlow();
    void (async () => {
      try {
        const outcomes = await task.send();
        if (collect && current) current.out.push(...outcomes);
      } catch (e) {
        fail(e);
      } finally {
        release(task);
        done(task.ds);
        pump();
        if (moreDue && runnable() < lowWater) void pull();
        changed();
      }
    })();
  }

  function enqueue(claimed: ClaimedDelivery[], cache: PrepCache, fromPlanning: boolean) {
    const emails: [ClaimedDelivery[], ClaimedDelivery[]] = [[], []];
    for (const d of claimed) {
      held.add(d.id);
      if (fromPlanning) handed.add(d.id);
      const lane: Lane = d.recipientType === "subscriber" ? 1 : 0;
      if (d.channel === "email") emails[lane].push(d);
      else
        queue({
          ds: [d],
          lane,
          host: hostKey(d),
          send: () => deliverClaimed(db, d, sendOpts, cache).then((o) => [o]),
          started: 0,
          slow: false,
        });
    }
    for (const lane of [0, 1] as const) {
      const es = emails[lane];
      if (es.length)
        queue({
          ds: es,
          lane,
          host: "email",
          send: () => deliverClaimedBatch(db, es, sendOpts, cache),
          started: 0,
          slow: false,
        });
    }
    pump();
  }

  /** Waiting tasks that could start now: those whose host is not at its limit. */
  function runnable(): number {
    let n = waiting[0] + waiting[1];
    if (perHost === Infinity) return n;
    for (const [host, active] of hostActive) {
      if (!host || active < perHost) continue;
      n -= (lanes[0].get(host)?.length ?? 0) + (lanes[1].get(host)?.length ?? 0);
    }
    return n;
  }

  function pull(): Promise<number> {
    if (pulling) return pulling;
    if (closing || claims >= maxClaims || opts.shouldStop?.()) return Promise.resolve(0);
    const ready = runnable();
    if (ready >= ahead) return Promise.resolve(0);
    // Up to twice `ahead` ready to go: what is left stays due for any instance to claim.
    const want = Math.min(limit, maxHeld - held.size, 2 * ahead - ready);
    if (want <= 0) return Promise.resolve(0);
    claims++;
    pulling = (async () => {
      try {
        const claimed = await claimDeliveries(db, { now: opts.now, limit: want, instanceId });
        moreDue = claimed.length === want;
        if (claimed.length) enqueue(claimed, await loadPrepCache(db, claimed), false);
        return claimed.length;
      } catch (e) {
        moreDue = false;
        fail(e);
        return 0;
      } finally {
        pulling = null;
        changed();
      }
    })();
    return pulling;
  }

  /** Hands claimed deliveries that were never started back to the queue, as if never claimed. */
  async function unclaim(tasks: Task[]) {
    const ids = tasks.flatMap((t) => t.ds.map((d) => d.id));
    if (ids.length === 0) return;
    await db
      .execute(
        sql`
      update deliveries set status = 'pending', attempts = greatest(attempts - 1, 0),
        locked_by = null, locked_until = null
      where id = any(${`{${ids.join(",")}}`}::uuid[]) and status = 'sending'`,
      )
      .catch((e: unknown) => fail(e));
    for (const t of tasks) done(t.ds);
  }

  async function idle() {
    while (!isIdle()) await nextChange();
  }

  return {
    submit(claimed, cache) {
      enqueue(claimed, cache, true);
    },
    room: (n) =>
      handed.size < n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve })),
    handedOver: () => handed.size,
    pull,
    async drain() {
      if (current) throw new Error("a sender drains one batch of work at a time");
      const st: { out: DeliverOutcome[]; failure: unknown } = { out: [], failure: null };
      current = st;
      try {
        for (;;) {
          if (closing || claims >= maxClaims || opts.shouldStop?.()) break;
          const want = Math.min(limit, maxHeld - held.size);
          if (want <= 0) {
            await nextChange();
            continue;
          }
          if (pulling) await pulling;
          const n = await pull();
          if (n < want) break;
        }
        await idle();
      } finally {
        current = null;
      }
      if (st.failure) throw st.failure;
      return st.out;
    },
    async close() {
      closing = true;
      // What waits unsent is handed back at once rather than held until it is sent.
      const unsent: Task[] = [];
      for (const lane of lanes) {
        for (const list of lane.values()) unsent.push(...list);
        lane.clear();
      }
      waiting[0] = waiting[1] = 0;
      await unclaim(unsent);
      await idle();
      if (renewal) clearInterval(renewal);
      if (slowTimer) clearInterval(slowTimer);
      await writer.close();
    },
  };
}
