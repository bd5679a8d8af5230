import { eq } from "drizzle-orm";
import type { Db } from "@/db";
import { thresholdRules } from "@/db/schema";
import { withTransaction } from "@/lib/context";
import { evaluateRules, type Transition } from "./evaluate";

type Waiter = (t: Transition[]) => void;

/**
 * Evaluation after ingest, coalesced per rule: each batch of samples asks for its rules to be
 * evaluated; requests that arrive while a pass runs are gathered, and the next pass evaluates each
 * rule they name once, however many batches named it. Every caller waits for the pass that covers
 * its rules and gets that pass's transitions. A failure is logged and leaves the rule to the
 * scheduled evaluation (evaluateAllRules), which runs every minute.
 */
class RuleEvaluator {
  private queued = new Map<string, string>();
  private waiters: Waiter[] = [];
  private running: Promise<void> | null = null;
  /** The latest time a request asked for (tests inject their clock). */
  private now: Date | null = null;

  constructor(private readonly db: Db) {}

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
      out.push(
        ...(await withTransaction({ db }, (tx) =>
          evaluateRules(tx, { org: { id: orgId } }, ids, now),
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

/** Evaluates these rules soon (coalesced with other requests) and resolves with the transitions. */
export function requestEvaluation(
  db: Db,
  rules: { id: string; orgId: string }[],
  now: Date = new Date(),
): Promise<Transition[]> {
  let e = evaluators.get(db);
  if (!e) evaluators.set(db, (e = new RuleEvaluator(db)));
  return e.request(rules, now);
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
