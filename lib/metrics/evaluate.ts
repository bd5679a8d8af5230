import { and, desc, eq, gt, inArray, lte, sql, type SQL } from "drizzle-orm";
import type { Tx } from "@/db";
import { rowsOf } from "@/db/client";
import {
  callRecords,
  deliveries,
  incidents,
  incidentUpdates,
  metricSamples,
  organizations,
  thresholdRules,
  CALL_METRICS,
  type CallMetric,
  type NotificationPayload,
  type ThresholdRule,
  type TraceStep,
} from "@/db/schema";
import { recordAudit, SYSTEM_ACTOR } from "@/lib/audit";
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

function sampleScope(rule: RuleWindow): SQL {
  const filter = rule.labelFilter ?? {};
  return and(
    eq(metricSamples.orgId, rule.orgId),
    eq(metricSamples.metric, rule.metric),
    Object.keys(filter).length
      ? sql`${metricSamples.labels} @> ${JSON.stringify(filter)}::jsonb`
      : undefined,
  )!;
}

function callScope(rule: RuleWindow): SQL {
  const filter = rule.labelFilter ?? {};
  return and(
    eq(callRecords.orgId, rule.orgId),
    filter.region !== undefined ? eq(callRecords.region, filter.region) : undefined,
    filter.trunk !== undefined ? eq(callRecords.trunk, filter.trunk) : undefined,
  )!;
}

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

/**
 * What a rule reads at `now`: the aggregate of its metric's samples (or the call metric of its
 * calls) in the window (now − sample period, now], and when the latest of them arrived.
 */
export async function observe(tx: Tx, rule: RuleWindow, now: Date): Promise<Observation> {
  const since = new Date(now.getTime() - rule.samplePeriodMinutes * 60_000);
  if (isCallMetric(rule.metric)) {
    const res = await tx.execute(sql`
      select count(*)::int as attempts,
        count(*) filter (where ${callRecords.answered})::int as answered,
        avg(${callRecords.durationSeconds}) filter (where ${callRecords.answered}) as acd,
        avg(${callRecords.pddMs}) as pdd
      from ${callRecords}
      where ${callScope(rule)} and ${callRecords.at} > ${since.toISOString()}::timestamptz
        and ${callRecords.at} <= ${now.toISOString()}::timestamptz`);
    const w = rowsOf<{ attempts: number; answered: number; acd: unknown; pdd: unknown }>(res)[0]!;
    const [latest] = await tx
      .select({ at: callRecords.at })
      .from(callRecords)
      .where(and(callScope(rule), lte(callRecords.at, now)))
      .orderBy(desc(callRecords.at))
      .limit(1);
    const value = callMetricValue(
      rule.metric,
      {
        attempts: Number(w.attempts),
        answered: Number(w.answered),
        acd: w.acd === null ? null : Number(w.acd),
        pdd: w.pdd === null ? null : Number(w.pdd),
      },
      rule.minCalls,
    );
    return { value, lastDataAt: latest?.at ?? null };
  }
  const scope = and(sampleScope(rule), lte(metricSamples.at, now));
  const [latest] = await tx
    .select({ value: metricSamples.value, at: metricSamples.at })
    .from(metricSamples)
    .where(scope)
    .orderBy(desc(metricSamples.at))
    .limit(1);
  if (!latest) return { value: null, lastDataAt: null };
  if (latest.at.getTime() <= since.getTime()) return { value: null, lastDataAt: latest.at };
  if (rule.aggregation === "last") return { value: latest.value, lastDataAt: latest.at };
  const agg = {
    avg: sql`avg(${metricSamples.value})`,
    min: sql`min(${metricSamples.value})`,
    max: sql`max(${metricSamples.value})`,
    sum: sql`sum(${metricSamples.value})`,
    count: sql`count(*)`,
  }[rule.aggregation];
  const [row] = await tx
    .select({ value: agg.mapWith(Number) })
    .from(metricSamples)
    .where(and(scope, gt(metricSamples.at, since)));
  return { value: row?.value ?? null, lastDataAt: latest.at };
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
): Promise<Transition[]> {
  if (ruleIds.length === 0) return [];
  const rules = await tx
    .select()
    .from(thresholdRules)
    .where(
      and(
        eq(thresholdRules.orgId, ctx.org.id),
        inArray(thresholdRules.id, ruleIds),
        eq(thresholdRules.enabled, true),
      ),
    )
    .orderBy(thresholdRules.id)
    .for("update");
  const transitions: Transition[] = [];
  for (const rule of rules) {
    const obs = await observe(tx, rule, now);
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
    await tx
      .update(thresholdRules)
      .set({
        lastValue: obs.value ?? rule.lastValue,
        lastEvaluatedAt: now,
        conditionError,
        state: next.state,
        pendingSince: next.pendingSince,
        incidentId,
        ...(changed ? { stateChangedAt: now } : {}),
        ...(alerting ? { lastNotifiedAt: now } : {}),
      })
      .where(and(eq(thresholdRules.id, rule.id), eq(thresholdRules.orgId, ctx.org.id)));
    if (changed || alerting) {
      transitions.push({
        ruleId: rule.id,
        state: next.state,
        value: obs.value,
        ...(alerting ? { action: next.action! } : {}),
      });
    }
  }
  return transitions;
}
