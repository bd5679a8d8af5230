import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db, Tx } from "@/db";
import { rowsOf } from "@/db/client";
import {
  deliveries,
  incidents,
  incidentUpdates,
  organizations,
  thresholdRules,
  CALL_METRICS,
  type CallMetric,
  type NotificationPayload,
  type ThresholdRule,
  type TraceStep,
} from "@/db/schema";
import { recordAudit, SYSTEM_ACTOR } from "@/lib/audit";
import { withTransaction } from "@/lib/context";
import { enqueueNotification } from "@/lib/alerts/outbox";
import { startRuleEscalation, stopEscalations } from "@/lib/oncall/engine";
import { LOW_BALANCE_TOPIC } from "@/lib/alerts/defaults";
import { renderMarkdown } from "@/lib/markdown";
import { statusChangesOnCommit } from "@/lib/status/changes";
import { OPERATOR_SYMBOLS, OPERATOR_WORDS, type Action, type Observation } from "./state";
import { stepWithCondition } from "./condition";

export { OPERATOR_SYMBOLS, OPERATOR_WORDS, breaches } from "./state";

export const isCallMetric = (metric: string): metric is CallMetric =>
  (CALL_METRICS as readonly string[]).includes(metric);

type RuleWindow = Pick<
  ThresholdRule,
  "orgId" | "metric" | "aggregation" | "labelFilter" | "samplePeriodMinutes" | "minCalls"
>;

/** The value of a call metric from a window's counts (null when there is nothing to judge). */
export function callMetricValue(
  metric: CallMetric,
  w: { attempts: number; answered: number; acd: number | null; pdd: number | null },
  minCalls: number,
): number | null {
  if (metric === "attempts") return w.attempts;
  if (w.attempts === 0 || w.attempts < minCalls) return null;
  if (metric === "asr") return (w.answered / w.attempts) * 100;
  if (metric === "acd") return w.acd;
  return w.pdd;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const msDate = (v: unknown): Date | null =>
  v === null || v === undefined ? null : new Date(Number(v));

/**
 * The windows of all the rules evaluated together are read in one statement per kind, sharing one
 * scan: the rows of the longest window (M minutes) are grouped by what rules filter on and by
 * minute bins starting at now − M min + 1 µs. As timestamps are whole microseconds and windows
 * whole minutes ending at now, a bin lies entirely inside a rule's window (now − p min, now] when
 * it starts after now − p min and entirely outside otherwise; so each rule sums the bins after its
 * start that its filter keeps. A bin also keeps its latest row's time, which is the rule's latest
 * reading when its window has any; otherwise (silence, no data) that comes from the index.
 */
function binning(now: Date, rules: { samplePeriodMinutes: number }[]) {
  const longest = Math.max(...rules.map((r) => r.samplePeriodMinutes));
  // A literal bound (not a subquery) lets the planner see how much of the table the window is.
  const since = new Date(now.getTime() - longest * 60_000).toISOString();
  return {
    bin: (at: SQL) =>
      sql`date_bin('1 minute', ${at}, ${since}::timestamptz + interval '1 microsecond')`,
    since: sql`${since}::timestamptz`,
  };
}
const ms = (at: SQL) => sql`floor(extract(epoch from ${at}) * 1000)::float8`;

type WindowRule = RuleWindow & { id: string };

async function observeSampleRules(
  tx: Tx,
  orgId: string,
  rules: WindowRule[],
  now: Date,
  out: Map<string, Observation>,
) {
  if (rules.length === 0) return;
  const at = now.toISOString();
  const list = JSON.stringify(
    rules.map((r) => ({
      id: r.id,
      metric: r.metric,
      filter: r.labelFilter ?? {},
      p: r.samplePeriodMinutes,
      last: r.aggregation === "last",
    })),
  );
  const w = binning(now, rules);
  // The metrics as a list of values (not a subquery), so no join per row.
  const metrics = sql.join(
    [...new Set(rules.map((r) => r.metric))].map((m) => sql`${m}`),
    sql`, `,
  );
  const scope = sql`s.org_id = ${orgId} and s.metric = r.metric and s.labels @> r.filter
    and s.at <= ${at}::timestamptz`;
  const res = await tx.execute(sql`
    with r as (
      select * from jsonb_to_recordset(${list}::jsonb)
        as r(id text, metric text, filter jsonb, p int, last boolean)
    ),
    b as materialized (
      select s.metric, s.labels, ${w.bin(sql`s.at`)} as bin, count(*)::int as n,
        sum(s.value) as total, min(s.value) as lo, max(s.value) as hi, max(s.at) as latest
      from metric_samples s
      where s.org_id = ${orgId} and s.metric in (${metrics})
        and s.at > ${w.since} and s.at <= ${at}::timestamptz
      group by 1, 2, 3
    )
    select r.id, w.n, w.total, w.lo, w.hi,
      ${ms(sql`coalesce(w.latest, (select s.at from metric_samples s where ${scope} order by s.at desc limit 1))`)} as latest,
      case when r.last and w.n > 0 then
        (select s.value from metric_samples s where ${scope} order by s.at desc limit 1)
      end as last_value
    from r
    left join lateral (
      select sum(b.n)::int as n, sum(b.total) as total, min(b.lo) as lo, max(b.hi) as hi,
        max(b.latest) as latest
      from b
      where b.metric = r.metric and b.labels @> r.filter
        and b.bin > ${at}::timestamptz - r.p * interval '1 minute'
    ) w on true`);
  const byId = new Map(rules.map((r) => [r.id, r]));
  for (const row of rowsOf<{
    id: string;
    n: unknown;
    total: unknown;
    lo: unknown;
    hi: unknown;
    latest: unknown;
    last_value: unknown;
  }>(res)) {
    const rule = byId.get(row.id)!;
    const lastDataAt = msDate(row.latest);
    const n = Number(row.n ?? 0);
    // Nothing in the window (or only rows of its very first millisecond, as the old reading).
    if (
      !lastDataAt ||
      n === 0 ||
      lastDataAt.getTime() <= now.getTime() - rule.samplePeriodMinutes * 60_000
    ) {
      out.set(row.id, { value: null, lastDataAt });
      continue;
    }
    const total = num(row.total);
    const value = {
      last: num(row.last_value),
      avg: total === null ? null : total / n,
      min: num(row.lo),
      max: num(row.hi),
      sum: total,
      count: n,
    }[rule.aggregation];
    out.set(row.id, { value, lastDataAt });
  }
}

async function observeCallRules(
  tx: Tx,
  orgId: string,
  rules: (WindowRule & { metric: CallMetric })[],
  now: Date,
  out: Map<string, Observation>,
) {
  if (rules.length === 0) return;
  const at = now.toISOString();
  // A call rule filters on the region and trunk columns (other labels do not apply to calls).
  const list = JSON.stringify(
    rules.map((r) => ({
      id: r.id,
      region: r.labelFilter?.region ?? null,
      trunk: r.labelFilter?.trunk ?? null,
      p: r.samplePeriodMinutes,
    })),
  );
  const w = binning(now, rules);
  const res = await tx.execute(sql`
    with r as (
      select * from jsonb_to_recordset(${list}::jsonb) as r(id text, region text, trunk text, p int)
    ),
    b as materialized (
      select c.region, c.trunk, ${w.bin(sql`c.at`)} as bin, count(*)::int as n,
        count(*) filter (where c.answered)::int as answered,
        sum(c.duration_seconds) filter (where c.answered) as dur,
        sum(c.pdd_ms) as pdd, count(c.pdd_ms)::int as pdd_n, max(c.at) as latest
      from call_records c
      where c.org_id = ${orgId} and c.at > ${w.since} and c.at <= ${at}::timestamptz
      group by 1, 2, 3
    )
    select r.id, coalesce(w.n, 0) as attempts, coalesce(w.answered, 0) as answered,
      w.dur / nullif(w.answered, 0) as acd,
      w.pdd::numeric / nullif(w.pdd_n, 0) as pdd,
      ${ms(sql`coalesce(w.latest, (
        select c.at from call_records c
        where c.org_id = ${orgId} and (r.region is null or c.region = r.region)
          and (r.trunk is null or c.trunk = r.trunk) and c.at <= ${at}::timestamptz
        order by c.at desc limit 1))`)} as latest
    from r
    left join lateral (
      select sum(b.n)::int as n, sum(b.answered)::int as answered, sum(b.dur) as dur,
        sum(b.pdd) as pdd, sum(b.pdd_n) as pdd_n, max(b.latest) as latest
      from b
      where (r.region is null or b.region = r.region) and (r.trunk is null or b.trunk = r.trunk)
        and b.bin > ${at}::timestamptz - r.p * interval '1 minute'
    ) w on true`);
  const byId = new Map(rules.map((r) => [r.id, r]));
  for (const row of rowsOf<{
    id: string;
    attempts: unknown;
    answered: unknown;
    acd: unknown;
    pdd: unknown;
    latest: unknown;
  }>(res)) {
    const rule = byId.get(row.id)!;
    const value = callMetricValue(
      rule.metric,
      {
        attempts: Number(row.attempts),
        answered: Number(row.answered),
        acd: num(row.acd),
        pdd: num(row.pdd),
      },
      rule.minCalls,
    );
    out.set(row.id, { value, lastDataAt: msDate(row.latest) });
  }
}

/**
 * What each of an organization's rules reads at `now`: the aggregate of its metric's samples (or
 * the call metric of its calls) in the window (now − sample period, now], and when the latest of
 * them arrived (any age) — for all the rules given, in two statements.
 */
export async function observeRules(
  tx: Tx,
  orgId: string,
  rules: WindowRule[],
  now: Date,
): Promise<Map<string, Observation>> {
  const out = new Map<string, Observation>();
  for (const read of windowReads(orgId, rules, now, out)) await read(tx);
  return out;
}

/** The window statements `rules` need (calls, samples), each filling `out` in a transaction given. */
function windowReads(
  orgId: string,
  rules: WindowRule[],
  now: Date,
  out: Map<string, Observation>,
): ((tx: Tx) => Promise<void>)[] {
  const calls = rules.filter((r): r is WindowRule & { metric: CallMetric } =>
    isCallMetric(r.metric),
  );
  const samples = rules.filter((r) => !isCallMetric(r.metric));
  return [
    ...(calls.length
      ? [(tx: Tx) => unsorted(tx, () => observeCallRules(tx, orgId, calls, now, out))]
      : []),
    ...(samples.length
      ? [(tx: Tx) => unsorted(tx, () => observeSampleRules(tx, orgId, samples, now, out))]
      : []),
  ];
}

/** The organization's enabled rules among `ruleIds`. */
const enabledRules = (orgId: string, ruleIds: string[]) =>
  and(
    eq(thresholdRules.orgId, orgId),
    inArray(thresholdRules.id, ruleIds),
    eq(thresholdRules.enabled, true),
  );

/**
 * Runs a window statement grouped with a hash rather than by sorting the window's rows: with a
 * new tenant's burst (or a new database) the statistics say its window holds a few rows, the
 * planner then sorts them, and sorting a hundred thousand rows by labels costs several times the
 * scan. Only for that statement (SET LOCAL, back to the default after it; an error ends the
 * transaction).
 */
async function unsorted(tx: Tx, read: () => Promise<void>) {
  await tx.execute(sql`set local enable_sort = off`);
  await read();
  await tx.execute(sql`set local enable_sort to default`);
}

/** What of a rule its window observation depends on. */
const windowKey = (r: RuleWindow) =>
  JSON.stringify([r.metric, r.aggregation, r.labelFilter ?? {}, r.samplePeriodMinutes, r.minCalls]);

/** Windows read before the evaluating transaction (observeAhead), with the rules as they were read. */
export interface ObservedAhead {
  keys: Map<string, string>;
  observations: Map<string, Observation>;
}

/**
 * observeRules before the evaluating transaction, the call windows and the sample windows on two
 * connections at once (each in a short transaction of its own): a pass costs the longer of the two
 * scans rather than their sum. evaluateRules uses what was read for every rule whose window has
 * not changed since, and reads again, under its lock, the few that have.
 */
export async function observeAhead(
  db: Db,
  orgId: string,
  ruleIds: string[],
  now: Date,
): Promise<ObservedAhead> {
  const rules = await db.select().from(thresholdRules).where(enabledRules(orgId, ruleIds));
  const observations = new Map<string, Observation>();
  await Promise.all(
    windowReads(orgId, rules, now, observations).map((read) => withTransaction({ db }, read)),
  );
  return { keys: new Map(rules.map((r) => [r.id, windowKey(r)])), observations };
}

/** The observations of `rules`: read ahead where the rule's window is unchanged, else now. */
async function observationsOf(
  tx: Tx,
  orgId: string,
  rules: WindowRule[],
  now: Date,
  ahead?: ObservedAhead,
): Promise<Map<string, Observation>> {
  if (!ahead) return observeRules(tx, orgId, rules, now);
  const stale = rules.filter(
    (r) => ahead.keys.get(r.id) !== windowKey(r) || !ahead.observations.has(r.id),
  );
  const fresh = await observeRules(tx, orgId, stale, now);
  return new Map([...ahead.observations, ...fresh]);
}

/** What one rule reads at `now` (observeRules for a single rule). */
export async function observe(tx: Tx, rule: RuleWindow, now: Date): Promise<Observation> {
  const res = await observeRules(tx, rule.orgId, [{ ...rule, id: "rule" }], now);
  return res.get("rule")!;
}

/**
 * A balance-below rule: the seed's "SMS (low balance)" cell applies to it, whatever the metric is
 * called (a Billing rule that fires below its threshold, or any rule on "balance" that does).
 */
export function isLowBalance(rule: Pick<ThresholdRule, "area" | "metric" | "operator">) {
  const below = rule.operator === "lt" || rule.operator === "le";
  return below && (rule.area === "billing" || rule.metric === "balance");
}

export interface Transition {
  ruleId: string;
  state: ThresholdRule["state"];
  value: number | null;
  /** The alert sent, if any: fired, repeated, recovered, or no data. */
  action?: Exclude<Action, null>;
}

const fmt = (v: number | null) => (v === null ? "no value" : String(Math.round(v * 1000) / 1000));

function describe(rule: ThresholdRule, action: Exclude<Action, null>, value: number | null) {
  const condition = `${rule.metric} ${OPERATOR_SYMBOLS[rule.operator]} ${rule.threshold}${rule.condition ? ` and ${rule.condition}` : ""}`;
  if (action === "nodata") {
    return {
      title: `${rule.name}: no data for ${rule.noDataMinutes} minutes`,
      message: `No ${rule.metric} sample or call has arrived for ${rule.noDataMinutes} minutes.`,
    };
  }
  if (action === "recover") {
    const reset =
      rule.resetThreshold !== null ? ` and passed the reset threshold ${rule.resetThreshold}` : "";
    return {
      title: `Recovered: ${rule.name}`,
      message:
        value === null
          ? `${rule.metric} is reporting again; the rule is back to normal.`
          : `Recovered: ${rule.metric} is back to ${fmt(value)}${reset}; the condition ${condition} no longer holds.`,
    };
  }
  const again = action === "repeat" ? " (still firing)" : "";
  return {
    title: `${rule.name}: ${rule.metric} is ${fmt(value)}${again}`,
    message: `${rule.metric} is ${fmt(value)}, ${OPERATOR_WORDS[rule.operator]} the threshold ${rule.threshold} (${condition}${rule.samplePeriodMinutes > 1 || rule.aggregation !== "last" ? `, ${rule.aggregation} over ${rule.samplePeriodMinutes} min` : ""})${again}.`,
  };
}

async function platformOrgId(tx: Tx): Promise<string | null> {
  const [p] = await tx
    .select({ id: organizations.id })
    .from(organizations)
    .where(eq(organizations.kind, "platform"))
    .limit(1);
  return p?.id ?? null;
}

/**
 * The rule's tenant-only incident: opened when it fires (or on no data, if it alerts on that),
 * updated on a repeat, resolved with the recovered notice. Returns its id (null once resolved).
 */
async function syncIncident(
  tx: Tx,
  rule: ThresholdRule,
  action: Exclude<Action, null>,
  text: { title: string; message: string },
  now: Date,
): Promise<string | null> {
  const author = { authorType: "system" as const, authorId: null, authorName: "Threshold rule" };
  if (action === "recover") {
    if (!rule.incidentId) return null;
    await tx
      .update(incidents)
      .set({ status: "resolved", resolvedAt: now, updatedAt: now })
      .where(eq(incidents.id, rule.incidentId));
    await tx.insert(incidentUpdates).values({
      incidentId: rule.incidentId,
      status: "resolved",
      message: text.message,
      messageHtml: renderMarkdown(text.message),
      notify: true,
      ...author,
      createdAt: now,
    });
    statusChangesOnCommit(tx);
    return null;
  }
  if (rule.incidentId) {
    const [open] = await tx
      .update(incidents)
      .set({ status: "investigating", resolvedAt: null, updatedAt: now })
      .where(eq(incidents.id, rule.incidentId))
      .returning({ id: incidents.id });
    if (open) {
      await tx.insert(incidentUpdates).values({
        incidentId: open.id,
        status: "investigating",
        message: text.message,
        messageHtml: renderMarkdown(text.message),
        notify: true,
        ...author,
        createdAt: now,
      });
      statusChangesOnCommit(tx);
      return open.id;
    }
  }
  const owner = await platformOrgId(tx);
  if (!owner) return null;
  const [incident] = await tx
    .insert(incidents)
    .values({
      orgId: owner,
      title: `${rule.name} (threshold alert)`,
      category: rule.category,
      impact: rule.impact,
      audienceOrgId: rule.orgId,
      status: "investigating",
      startedAt: now,
      createdAt: now,
      updatedAt: now,
    })
    .returning({ id: incidents.id });
  await tx.insert(incidentUpdates).values({
    incidentId: incident!.id,
    status: "investigating",
    message: text.message,
    messageHtml: renderMarkdown(text.message),
    notify: true,
    ...author,
    createdAt: now,
  });
  statusChangesOnCommit(tx);
  return incident!.id;
}

/** The rule's own contacts: one delivery each, beside whatever the routing matrix sends. */
async function contactDeliveries(
  tx: Tx,
  rule: ThresholdRule,
  jobId: string,
  incidentId: string | null,
) {
  const trace: TraceStep[] = [
    {
      step: "contact",
      outcome: "info",
      detail: `Listed as a contact on the threshold rule "${rule.name}"; sent besides the role groups in Alerts & Notifications`,
    },
  ];
  const rows = [
    ...rule.contactEmails.map((a) => ({ channel: "email" as const, destination: a })),
    ...rule.contactPhones.map((p) => ({ channel: "sms" as const, destination: p })),
  ].map((c) => ({
    jobId,
    orgId: rule.orgId,
    channel: c.channel,
    recipientType: "recipient" as const,
    recipientId: null,
    destination: c.destination,
    idempotencyKey: `${jobId}:contact:${c.channel}:${c.destination}`,
    status: "pending" as const,
    trace,
    incidentId,
  }));
  if (rows.length) await tx.insert(deliveries).values(rows).onConflictDoNothing();
}

interface RuleStateRow {
  id: string;
  /** As text, so that a sum beyond the doubles (Infinity) is stored as it was computed. */
  last_value: string | null;
  condition_error: string | null;
  state: ThresholdRule["state"];
  pending_since: string | null;
  incident_id: string | null;
  changed: boolean;
  alerting: boolean;
}

/**
 * Stores what an evaluation found for each rule, in one statement: the value (kept when the
 * window had none), when it was evaluated, the state, and when it changed or last alerted.
 */
async function writeStates(tx: Tx, orgId: string, states: RuleStateRow[], now: Date) {
  if (states.length === 0) return;
  const at = now.toISOString();
  await tx.execute(sql`
    update threshold_rules t set
      last_value = coalesce(u.last_value::float8, t.last_value),
      last_evaluated_at = ${at}::timestamptz,
      condition_error = u.condition_error,
      state = u.state::rule_state,
      pending_since = u.pending_since,
      incident_id = u.incident_id,
      state_changed_at = case when u.changed then ${at}::timestamptz else t.state_changed_at end,
      last_notified_at = case when u.alerting then ${at}::timestamptz else t.last_notified_at end
    from jsonb_to_recordset(${JSON.stringify(states)}::jsonb) as u(
      id uuid, last_value text, condition_error text, state text, pending_since timestamptz,
      incident_id uuid, changed boolean, alerting boolean)
    where t.id = u.id and t.org_id = ${orgId}`);
}

/**
 * Evaluates the given rules of one organization at `now` (locked, so concurrent evaluations
 * cannot both fire one rule) and applies each step: the state, and for a change that alerts the
 * incident, the outbox row and the rule's own contacts, all in the caller's transaction.
 */
export async function evaluateRules(
  tx: Tx,
  ctx: { org: { id: string } },
  ruleIds: string[],
  now = new Date(),
  ahead?: ObservedAhead,
): Promise<Transition[]> {
  if (ruleIds.length === 0) return [];
  const rules = await tx
    .select()
    .from(thresholdRules)
    .where(enabledRules(ctx.org.id, ruleIds))
    .orderBy(thresholdRules.id)
    .for("update");
  const observations = await observationsOf(tx, ctx.org.id, rules, now, ahead);
  const transitions: Transition[] = [];
  const states: RuleStateRow[] = [];
  for (const rule of rules) {
    const obs = observations.get(rule.id)!;
    // Script condition hook (lib/metrics/condition.ts): `step`, with the rule's condition ANDed in.
    const { next, conditionError } = await stepWithCondition(tx, rule, obs, now);
    const changed = next.state !== rule.state;
    const alerting =
      next.action !== null && (next.action !== "recover" || rule.incidentId !== null);
    let incidentId = rule.incidentId;
    if (alerting) {
      const action = next.action!;
      const text = describe(rule, action, obs.value);
      incidentId = await syncIncident(tx, rule, action, text, now);
      const firing = action !== "recover";
      const payload: NotificationPayload = {
        title: text.title,
        category: rule.category,
        impact: firing ? rule.impact : "none",
        audience: { type: "tenant", orgId: rule.orgId },
        // A falling balance is the seed's "SMS (low balance)" cell, whatever the metric is called.
        topic: isLowBalance(rule) ? LOW_BALANCE_TOPIC : undefined,
        componentIds: [],
        regionIds: [],
        status: firing ? (action === "nodata" ? "no data" : "triggered") : "recovered",
        message: text.message,
        incidentId: (incidentId ?? rule.incidentId) || undefined,
        data: {
          ruleId: rule.id,
          metric: rule.metric,
          value: obs.value,
          operator: rule.operator,
          threshold: rule.threshold,
          resetThreshold: rule.resetThreshold,
          action,
        },
      };
      const job = await enqueueNotification(tx, {
        orgId: rule.orgId,
        kind: firing ? "threshold.triggered" : "threshold.recovered",
        payload,
      });
      await contactDeliveries(tx, rule, job.id, payload.incidentId ?? null);
      // On-call: a rule that fires (or goes silent, when that alerts) pages the escalation policy it
      // names; recovering stops the escalation. A repeat does not start another.
      if (action === "fire" || action === "nodata")
        await startRuleEscalation(tx, rule, text.title, now);
      else if (action === "recover")
        await stopEscalations(
          tx,
          { ruleId: rule.id },
          `threshold rule "${rule.name}" recovered`,
          now,
        );
      await recordAudit(
        tx,
        { actor: SYSTEM_ACTOR, org: { id: rule.orgId } },
        {
          action: `threshold_rule.${action === "recover" ? "recovered" : action === "nodata" ? "no_data" : action === "repeat" ? "repeated" : "fired"}`,
          targetType: "threshold_rule",
          targetId: rule.id,
          data: { value: obs.value, incidentId: payload.incidentId ?? null },
        },
      );
    }
    states.push({
      id: rule.id,
      last_value: obs.value === null ? null : String(obs.value),
      condition_error: conditionError,
      state: next.state,
      pending_since: next.pendingSince?.toISOString() ?? null,
      incident_id: incidentId,
      changed,
      alerting,
    });
    if (changed || alerting) {
      transitions.push({
        ruleId: rule.id,
        state: next.state,
        value: obs.value,
        ...(alerting ? { action: next.action! } : {}),
      });
    }
  }
  await writeStates(tx, ctx.org.id, states, now);
  return transitions;
}
