import { eq } from "drizzle-orm";
import type { Db } from "@/db";
import { thresholdRules } from "@/db/schema";
import { withTransaction } from "@/lib/context";
import { evaluateRules, observeAhead, type Transition } from "./evaluate";

type Waiter = (t: Transition[]) => void;

/** How long a pass may wait for batches still being stored to join it. */
const SETTLE_MAX_MS = 250;

/**
 * Evaluation after ingest, coalesced per rule: each batch of samples asks for its rules to be
 * evaluated; requests that arrive while a pass runs are gathered, and the next pass evaluates each
 * rule they name once, however many batches named it. Every caller waits for the pass that covers
 * its rules and gets that pass's transitions. A failure is logged and leaves the rule to the
 * scheduled evaluation (evaluateAllRules), which runs every minute.
 *
 * A pass reads every rule's whole window, whatever the batches added, so it costs about the same
 * for one batch as for eight: before starting, it waits (at most SETTLE_MAX_MS) for the batches
 * this process is storing at that moment (storing()) to ask too, rather than run for the first and
 * again at once for the rest.
 */
class RuleEvaluator {
  private queued = new Map<string, string>();
  private waiters: Waiter[] = [];
  private running: Promise<void> | null = null;
  /** The latest time a request asked for (tests inject their clock). */
  private now: Date | null = null;
  /** Batches being stored that will ask for an evaluation (or give up) soon. */
  private inFlight = 0;
  private settled: (() => void) | null = null;

  constructor(private readonly db: Db) {}

  storing(): () => void {
    this.inFlight++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.inFlight--;
      if (this.inFlight === 0) this.settled?.();
    };
  }

  /** Waits until no batch is being stored, or SETTLE_MAX_MS. */
  private settle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        if (this.settled === finish) this.settled = null;
        resolve();
      };
      const timer = setTimeout(finish, SETTLE_MAX_MS);
      this.settled = finish;
    });
  }

  request(rules: { id: string; orgId: string }[], now: Date): Promise<Transition[]> {
    if (rules.length === 0) return Promise.resolve([]);
    for (const r of rules) this.queued.set(r.id, r.orgId);
    if (!this.now || now > this.now) this.now = now;
    return new Promise<Transition[]>((resolve) => {
      this.waiters.push(resolve);
      this.kick();
    });
  }

  private kick() {
    if (this.running) return;
    this.running = this.loop().finally(() => {
      this.running = null;
      if (this.queued.size) this.kick();
    });
  }

  private async loop() {
    while (this.queued.size) {
      await this.settle();
      const batch = this.queued;
      const waiters = this.waiters;
      this.queued = new Map();
      this.waiters = [];
      const now = this.now ?? new Date();
      this.now = null;
      const transitions = await evaluateByOrg(this.db, batch, now);
      for (const w of waiters) w(transitions);
    }
  }
}

/** Evaluates rules (id → org), one transaction per organization. */
export async function evaluateByOrg(
  db: Db,
  rules: Map<string, string>,
  now: Date,
): Promise<Transition[]> {
  const byOrg = new Map<string, string[]>();
  for (const [id, orgId] of rules) byOrg.set(orgId, [...(byOrg.get(orgId) ?? []), id]);
  const out: Transition[] = [];
  for (const [orgId, ids] of byOrg) {
    try {
      // The windows are read first, both kinds at once; the transaction then locks the rules and
      // steps them (re-reading a window only for a rule edited in between).
      const ahead = await observeAhead(db, orgId, ids, now);
      out.push(
        ...(await withTransaction({ db }, (tx) =>
          evaluateRules(tx, { org: { id: orgId } }, ids, now, ahead),
        )),
      );
    } catch (e) {
      console.error(`threshold rules of organization ${orgId}: evaluation failed`, e);
    }
  }
  return out;
}

const g = globalThis as unknown as { __beaconRuleEvaluators?: WeakMap<Db, RuleEvaluator> };
const evaluators = (g.__beaconRuleEvaluators ??= new WeakMap());

/**
 * Tells the evaluator a batch is being stored and will request an evaluation; call the function
 * returned once it has (or has failed), so a pass starting meanwhile can wait for it.
 */
export function storingBatch(db: Db): () => void {
  return evaluatorOf(db).storing();
}

function evaluatorOf(db: Db): RuleEvaluator {
  let e = evaluators.get(db);
  if (!e) evaluators.set(db, (e = new RuleEvaluator(db)));
  return e;
}

/** Evaluates these rules soon (coalesced with other requests) and resolves with the transitions. */
export function requestEvaluation(
  db: Db,
  rules: { id: string; orgId: string }[],
  now: Date = new Date(),
): Promise<Transition[]> {
  return evaluatorOf(db).request(rules, now);
}

/**
 * The scheduled evaluation (every minute: the Inngest cron function and the embedded driver), so
 * time-based states happen without new samples: no data after a silence, the end of a pending
 * period, a value leaving the sample period, a repeat while firing.
 */
export async function evaluateAllRules(db: Db, now = new Date()) {
  const rules = await db
    .select({ id: thresholdRules.id, orgId: thresholdRules.orgId })
    .from(thresholdRules)
    .where(eq(thresholdRules.enabled, true));
  const transitions = await evaluateByOrg(db, new Map(rules.map((r) => [r.id, r.orgId])), now);
  return { evaluated: rules.length, transitions };
}
