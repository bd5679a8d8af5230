import type { RuleState, ThresholdOperator } from "@/db/schema";

/** The symbols the seed writes and the words alerts use. */
export const OPERATOR_SYMBOLS: Record<ThresholdOperator, string> = {
  lt: "<",
  le: "<=",
  gt: ">",
  ge: ">=",
  eq: "=",
};
export const OPERATOR_WORDS: Record<ThresholdOperator, string> = {
  lt: "below",
  le: "at or below",
  gt: "above",
  ge: "at or above",
  eq: "equal to",
};

export function breaches(operator: ThresholdOperator, value: number, threshold: number): boolean {
  switch (operator) {
    case "lt":
      return value < threshold;
    case "le":
      return value <= threshold;
    case "gt":
      return value > threshold;
    case "ge":
      return value >= threshold;
    case "eq":
      return value === threshold;
  }
}

/**
 * Whether a firing rule resets. Without a reset threshold: as soon as the condition stops holding.
 * With one (hysteresis): only once the value is beyond it on the safe side (a rule firing below
 * 30 with a reset of 31 resets above 31, so values inside the band never flap).
 */
export function resets(
  operator: ThresholdOperator,
  value: number,
  threshold: number,
  reset: number | null,
): boolean {
  if (reset === null || operator === "eq") return !breaches(operator, value, threshold);
  if (operator === "lt" || operator === "le") return value > reset;
  return value < reset;
}

export interface RuleClock {
  operator: ThresholdOperator;
  threshold: number;
  resetThreshold: number | null;
  pendingSeconds: number;
  repeatMinutes: number;
  noDataMinutes: number | null;
  noDataAlert: boolean;
  state: RuleState;
  pendingSince: Date | null;
  lastNotifiedAt: Date | null;
}

export interface Observation {
  /** The window's value; null when the window has nothing to judge (or too few calls). */
  value: number | null;
  /** The latest sample or call the rule reads, at or before now (any age); null: none ever. */
  lastDataAt: Date | null;
  /** A script condition's result (lib/metrics/condition.ts), ANDed with the threshold; absent: none. */
  condition?: boolean;
}

/** What the evaluation does besides storing the state. */
export type Action = "fire" | "repeat" | "recover" | "nodata" | null;

export interface Step {
  state: RuleState;
  pendingSince: Date | null;
  action: Action;
}

/**
 * One evaluation: the rule's next state and the alert it sends, from its state, the observation
 * and the time. normal → pending (pending period) → firing → normal (reset), and nodata after a
 * silence of noDataMinutes. Pure, so the clock is whatever the caller passes.
 */
export function step(rule: RuleClock, obs: Observation, now: Date): Step {
  const t = now.getTime();
  const silent =
    rule.noDataMinutes !== null &&
    (obs.lastDataAt === null || t - obs.lastDataAt.getTime() >= rule.noDataMinutes * 60_000);
  if (silent) {
    if (rule.state === "nodata") {
      const repeat =
        rule.noDataAlert &&
        rule.repeatMinutes > 0 &&
        rule.lastNotifiedAt !== null &&
        t - rule.lastNotifiedAt.getTime() >= rule.repeatMinutes * 60_000;
      return { state: "nodata", pendingSince: null, action: repeat ? "repeat" : null };
    }
    return { state: "nodata", pendingSince: null, action: rule.noDataAlert ? "nodata" : null };
  }
  if (obs.value === null) {
    // Nothing to judge in the window (but not silent long enough for no data): keep the state.
    // A rule leaving no data without a value goes back to normal.
    if (rule.state === "nodata") return { state: "ok", pendingSince: null, action: "recover" };
    return { state: rule.state, pendingSince: rule.pendingSince, action: null };
  }
  const v = obs.value;
  const holds = breaches(rule.operator, v, rule.threshold) && obs.condition !== false;
  if (rule.state === "firing") {
    if (obs.condition === false || resets(rule.operator, v, rule.threshold, rule.resetThreshold)) {
      return { state: "ok", pendingSince: null, action: "recover" };
    }
    const repeat =
      rule.repeatMinutes > 0 &&
      rule.lastNotifiedAt !== null &&
      t - rule.lastNotifiedAt.getTime() >= rule.repeatMinutes * 60_000;
    return { state: "firing", pendingSince: null, action: repeat ? "repeat" : null };
  }
  const leavingNoData = rule.state === "nodata";
  if (!holds) {
    return { state: "ok", pendingSince: null, action: leavingNoData ? "recover" : null };
  }
  const since = rule.state === "pending" && rule.pendingSince ? rule.pendingSince : now;
  if (t - since.getTime() >= rule.pendingSeconds * 1000) {
    return { state: "firing", pendingSince: null, action: "fire" };
  }
  return { state: "pending", pendingSince: since, action: null };
}
