import { and, avg, desc, eq, gte, inArray, lte } from "drizzle-orm";
import type { Tx } from "@/db";
import {
  metricSamples,
  thresholdRules,
  type ThresholdOperator,
  type ThresholdRule,
} from "@/db/schema";
import type { Ctx } from "@/lib/context";
import { enqueueNotification } from "@/lib/alerts/outbox";
import { startRuleEscalation, stopEscalations } from "@/lib/oncall/engine";
import { LOW_BALANCE_TOPIC } from "@/lib/alerts/defaults";

export const OPERATOR_SYMBOLS: Record<ThresholdOperator, string> = { lt: "<", gt: ">", eq: "=" };
export const OPERATOR_WORDS: Record<ThresholdOperator, string> = {
  lt: "below",
  gt: "above",
  eq: "equal to",
};

export function breaches(operator: ThresholdOperator, value: number, threshold: number): boolean {
  if (operator === "lt") return value < threshold;
  if (operator === "gt") return value > threshold;
  return value === threshold;
}

/** The value a rule compares: the average over its sample period, or the latest sample. */
export async function observedValue(
  tx: Tx,
  rule: ThresholdRule,
  now: Date,
): Promise<number | null> {
  const scope = and(
    eq(metricSamples.orgId, rule.orgId),
    eq(metricSamples.metric, rule.metric),
    lte(metricSamples.at, now),
  );
  if (rule.samplePeriodMinutes === 0) {
    const [latest] = await tx
      .select({ value: metricSamples.value })
      .from(metricSamples)
      .where(scope)
      .orderBy(desc(metricSamples.at))
      .limit(1);
    return latest?.value ?? null;
  }
  const since = new Date(now.getTime() - rule.samplePeriodMinutes * 60_000);
  const [row] = await tx
    .select({ value: avg(metricSamples.value).mapWith(Number) })
    .from(metricSamples)
    .where(and(scope, gte(metricSamples.at, since)));
  return row?.value ?? null;
}

export interface Transition {
  ruleId: string;
  state: "ok" | "firing";
  value: number;
}

/**
 * Evaluates the given rules (locked, so concurrent sample batches cannot both fire one rule) and
 * writes an outbox row for every change of state: fired when the condition starts to hold, and
 * recovered when it stops ("alerts reset once conditions return to normal").
 */
export async function evaluateRules(
  tx: Tx,
  ctx: Pick<Ctx, "org">,
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
    .for("update");
  const transitions: Transition[] = [];
  for (const rule of rules) {
    const value = await observedValue(tx, rule, now);
    if (value === null) continue;
    const state = breaches(rule.operator, value, rule.threshold) ? "firing" : "ok";
    const changed = state !== rule.state;
    await tx
      .update(thresholdRules)
      .set({
        lastValue: value,
        lastEvaluatedAt: now,
        ...(changed ? { state, stateChangedAt: now } : {}),
      })
      .where(and(eq(thresholdRules.id, rule.id), eq(thresholdRules.orgId, ctx.org.id)));
    if (!changed) continue;
    transitions.push({ ruleId: rule.id, state, value });
    // On-call: a firing rule that names an escalation policy pages it; recovering stops it.
    if (state === "firing")
      await startRuleEscalation(tx, rule, `${rule.name}: ${rule.metric} is ${value}`, now);
    else
      await stopEscalations(
        tx,
        { ruleId: rule.id },
        `threshold rule "${rule.name}" recovered`,
        now,
      );
    const condition = `${rule.metric} ${OPERATOR_SYMBOLS[rule.operator]} ${rule.threshold}`;
    await enqueueNotification(tx, {
      orgId: ctx.org.id,
      kind: state === "firing" ? "threshold.triggered" : "threshold.recovered",
      payload: {
        title:
          state === "firing"
            ? `${rule.name}: ${rule.metric} is ${value}`
            : `${rule.name} recovered: ${rule.metric} is ${value}`,
        category: rule.category,
        impact: state === "firing" ? rule.impact : "none",
        audience: { type: "tenant", orgId: ctx.org.id },
        // A falling balance is the seed's "low balance" alert, which Billing Admins also get by SMS.
        topic: rule.metric === "balance" && rule.operator === "lt" ? LOW_BALANCE_TOPIC : undefined,
        componentIds: [],
        regionIds: [],
        status: state === "firing" ? "triggered" : "recovered",
        message:
          state === "firing"
            ? `${rule.metric} is ${value}, ${OPERATOR_WORDS[rule.operator]} the threshold ${rule.threshold} (${condition}).`
            : `${rule.metric} is back to ${value}; the condition ${condition} no longer holds.`,
        data: {
          ruleId: rule.id,
          metric: rule.metric,
          value,
          operator: rule.operator,
          threshold: rule.threshold,
        },
      },
    });
  }
  return transitions;
}
