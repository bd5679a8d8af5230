import { and, asc, eq, gt, lte, sql } from "drizzle-orm";
import type { Db } from "@/db";
import { callRecords, metricSamples, type ThresholdRule } from "@/db/schema";
import { callMetricValue, isCallMetric } from "./evaluate";
import { commonLabels, evaluateCondition, type ConditionVariables } from "./condition";
import { step, type RuleClock } from "./state";

/** A point's condition: an expression that cannot be evaluated there does not hold. */
function holds(metric: string, condition: string, vars: ConditionVariables): boolean {
  const judged = evaluateCondition(metric, condition, vars);
  return "holds" in judged && judged.holds;
}

export const CHART_HOURS = 24;
const MAX_ROWS = 20_000;
const MAX_POINTS = 400;

export interface ChartPoint {
  at: Date;
  value: number | null;
  /** The rule's script condition at this point (absent without one); an error counts as false. */
  condition?: boolean;
}
export interface ChartData {
  from: Date;
  to: Date;
  points: ChartPoint[];
  /** Where the rule was (or, for a draft, would have been) firing. */
  firing: { from: Date; to: Date }[];
}

type ChartRule = Pick<
  ThresholdRule,
  | "orgId"
  | "metric"
  | "aggregation"
  | "labelFilter"
  | "samplePeriodMinutes"
  | "minCalls"
  | "operator"
  | "threshold"
  | "resetThreshold"
  | "pendingSeconds"
> & { condition?: string | null };

function aggregate(agg: ThresholdRule["aggregation"], values: number[]): number | null {
  if (values.length === 0) return null;
  switch (agg) {
    case "last":
      return values[values.length - 1]!;
    case "avg":
      return values.reduce((a, b) => a + b, 0) / values.length;
    case "min":
      return Math.min(...values);
    case "max":
      return Math.max(...values);
    case "sum":
      return values.reduce((a, b) => a + b, 0);
    case "count":
      return values.length;
  }
}

/**
 * The rule's metric over the last 24 hours as the rule computes it (its window, aggregation,
 * labels and minimum calls) at each sample (gauges) or every 10 minutes (calls), and the spans
 * its state machine — reset threshold and pending period included — spends firing.
 */
export async function ruleChart(db: Db, rule: ChartRule, now = new Date()): Promise<ChartData> {
  const from = new Date(now.getTime() - CHART_HOURS * 3_600_000);
  const periodMs = rule.samplePeriodMinutes * 60_000;
  const since = new Date(from.getTime() - periodMs);
  const filter = rule.labelFilter ?? {};
  let points: ChartPoint[];
  if (isCallMetric(rule.metric)) {
    const rows = await db
      .select({
        at: callRecords.at,
        answered: callRecords.answered,
        duration: callRecords.durationSeconds,
        pdd: callRecords.pddMs,
        region: callRecords.region,
        trunk: callRecords.trunk,
      })
      .from(callRecords)
      .where(
        and(
          eq(callRecords.orgId, rule.orgId),
          gt(callRecords.at, since),
          lte(callRecords.at, now),
          filter.region !== undefined ? eq(callRecords.region, filter.region) : undefined,
          filter.trunk !== undefined ? eq(callRecords.trunk, filter.trunk) : undefined,
        ),
      )
      .orderBy(asc(callRecords.at))
      .limit(MAX_ROWS);
    points = [];
    for (let t = from.getTime(); t <= now.getTime(); t += 10 * 60_000) {
      const inWindow = rows.filter((r) => r.at.getTime() > t - periodMs && r.at.getTime() <= t);
      const answered = inWindow.filter((r) => r.answered);
      const pdds = inWindow.flatMap((r) => (r.pdd === null ? [] : [r.pdd]));
      const w = {
        attempts: inWindow.length,
        answered: answered.length,
        acd: answered.length
          ? answered.reduce((a, r) => a + r.duration, 0) / answered.length
          : null,
        pdd: pdds.length ? pdds.reduce((a, b) => a + b, 0) / pdds.length : null,
      };
      const value = callMetricValue(
        rule.metric as Parameters<typeof callMetricValue>[0],
        w,
        rule.minCalls,
      );
      points.push({
        at: new Date(t),
        value,
        ...(rule.condition && value !== null
          ? {
              condition: holds(rule.metric, rule.condition, {
                value,
                labels: commonLabels(
                  inWindow.map((r) => ({
                    ...(r.region === null ? {} : { region: r.region }),
                    ...(r.trunk === null ? {} : { trunk: r.trunk }),
                  })),
                ),
                attempts: w.attempts,
                answered: w.answered,
                asr: w.attempts ? (w.answered / w.attempts) * 100 : 0,
                acd: w.acd ?? 0,
                pdd: w.pdd ?? 0,
              }),
            }
          : {}),
      });
    }
  } else {
    const rows = await db
      .select({ at: metricSamples.at, value: metricSamples.value, labels: metricSamples.labels })
      .from(metricSamples)
      .where(
        and(
          eq(metricSamples.orgId, rule.orgId),
          eq(metricSamples.metric, rule.metric),
          gt(metricSamples.at, since),
          lte(metricSamples.at, now),
          Object.keys(filter).length
            ? sql`${metricSamples.labels} @> ${JSON.stringify(filter)}::jsonb`
            : undefined,
        ),
      )
      .orderBy(asc(metricSamples.at))
      .limit(MAX_ROWS);
    const times = rows.map((r) => r.at.getTime()).filter((t) => t >= from.getTime());
    const stride = Math.max(1, Math.ceil(times.length / MAX_POINTS));
    const at = [...new Set([...times.filter((_, i) => i % stride === 0), now.getTime()])];
    let lo = 0;
    let hi = 0;
    points = at.map((t) => {
      while (hi < rows.length && rows[hi]!.at.getTime() <= t) hi++;
      while (lo < hi && rows[lo]!.at.getTime() <= t - periodMs) lo++;
      const window = rows.slice(lo, hi);
      const value = aggregate(
        rule.aggregation,
        window.map((r) => r.value),
      );
      return {
        at: new Date(t),
        value,
        ...(rule.condition && value !== null
          ? {
              condition: holds(rule.metric, rule.condition, {
                value,
                labels: commonLabels(window.map((r) => r.labels ?? {})),
                samples: window.length,
              }),
            }
          : {}),
      };
    });
  }
  // Replay the state machine over the points (no-data left out: the chart shows values).
  let clock: RuleClock = {
    operator: rule.operator,
    threshold: rule.threshold,
    resetThreshold: rule.resetThreshold,
    pendingSeconds: rule.pendingSeconds,
    repeatMinutes: 0,
    noDataMinutes: null,
    noDataAlert: false,
    state: "ok",
    pendingSince: null,
    lastNotifiedAt: null,
  };
  const firing: ChartData["firing"] = [];
  let start: Date | null = null;
  for (const p of points) {
    const s = step(clock, { value: p.value, lastDataAt: p.at, condition: p.condition }, p.at);
    if (s.state === "firing" && !start) start = p.at;
    if (s.state !== "firing" && start) {
      firing.push({ from: start, to: p.at });
      start = null;
    }
    clock = { ...clock, state: s.state, pendingSince: s.pendingSince };
  }
  if (start) firing.push({ from: start, to: now });
  return { from, to: now, points, firing };
}
