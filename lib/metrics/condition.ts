import { Environment, EvaluationError, ParseError } from "@marcbachmann/cel-js";
import { and, eq, gt, lte, sql, type SQL } from "drizzle-orm";
import type { Tx } from "@/db";
import { rowsOf } from "@/db/client";
import {
  callRecords,
  CALL_METRICS,
  metricSamples,
  type Labels,
  type ThresholdRule,
} from "@/db/schema";
import { step, type Observation, type RuleClock, type Step } from "./state";

/**
 * Script conditions: an expression in CEL (Common Expression Language) over a rule's window — its
 * aggregates and the labels every sample or call in it shares — ANDed with the threshold
 * comparison: a rule holds only while both do, and a firing rule recovers when either stops.
 *
 * Limits keep an expression cheap whoever writes it: at most CONDITION_MAX_LENGTH characters, a
 * bounded syntax tree (nodes, depth, literal sizes), and only the functions in ALLOWED_FUNCTIONS —
 * no comprehension macros (all, exists, map, filter: loops) and no regular expressions (matches:
 * backtracking) — so an evaluation is linear in the expression's size, never unbounded.
 */

export const CONDITION_MAX_LENGTH = 1000;
const LIMITS = {
  maxAstNodes: 200,
  maxDepth: 24,
  maxListElements: 50,
  maxMapEntries: 20,
  maxCallArguments: 4,
};
const ALLOWED_FUNCTIONS = new Set([
  "has",
  "size",
  "startsWith",
  "endsWith",
  "contains",
  "double",
  "int",
  "string",
]);

interface Variable {
  name: string;
  type: string;
  description: string;
}

/** The variables every condition may read. */
export const COMMON_VARIABLES: Variable[] = [
  { name: "value", type: "double", description: "the rule's metric, aggregated over the window" },
  {
    name: "labels",
    type: "map<string, string>",
    description: "the labels every sample (or call) in the window carries, with the same value",
  },
  {
    name: "region",
    type: "string",
    description: 'labels\'s region, or "" when the window has none (or several)',
  },
  {
    name: "trunk",
    type: "string",
    description: 'labels\'s trunk, or "" when the window has none (or several)',
  },
];
/** Besides, for the call metrics (asr, acd, pdd, attempts). */
export const CALL_VARIABLES: Variable[] = [
  { name: "asr", type: "double", description: "answered / attempts × 100 (0 without calls)" },
  {
    name: "acd",
    type: "double",
    description: "average duration of answered calls, seconds (0: none)",
  },
  { name: "pdd", type: "double", description: "average post-dial delay, ms (0: none reported)" },
  { name: "attempts", type: "int", description: "calls in the window" },
  { name: "answered", type: "int", description: "answered calls in the window" },
];
/** Besides, for sample metrics. */
export const SAMPLE_VARIABLES: Variable[] = [
  { name: "samples", type: "int", description: "samples in the window" },
];

const isCall = (metric: string) => (CALL_METRICS as readonly string[]).includes(metric);

const environments = new Map<"call" | "sample", Environment>();
function environment(metric: string): Environment {
  const kind = isCall(metric) ? "call" : "sample";
  let env = environments.get(kind);
  if (!env) {
    env = new Environment({ limits: LIMITS });
    for (const v of [...COMMON_VARIABLES, ...(kind === "call" ? CALL_VARIABLES : SAMPLE_VARIABLES)])
      env.registerVariable(v.name, v.type, { description: v.description });
    environments.set(kind, env);
  }
  return env;
}

/** "line 1, column 7" of an offset into the expression. */
function position(expression: string, offset: number | undefined): string {
  if (offset === undefined || offset < 0) return "";
  const before = expression.slice(0, offset).split("\n");
  return ` (line ${before.length}, column ${before[before.length - 1]!.length + 1})`;
}

interface AstNode {
  op: string;
  args: unknown;
  start?: number;
}
const isNode = (v: unknown): v is AstNode =>
  typeof v === "object" && v !== null && "op" in v && "args" in v;

/** The first call of a function outside ALLOWED_FUNCTIONS, with where it is. */
function forbiddenCall(node: unknown): { name: string; start?: number } | null {
  if (Array.isArray(node)) {
    for (const n of node) {
      const bad = forbiddenCall(n);
      if (bad) return bad;
    }
    return null;
  }
  if (!isNode(node)) return null;
  if ((node.op === "call" || node.op === "rcall") && Array.isArray(node.args)) {
    const name = node.args[0];
    if (typeof name === "string" && !ALLOWED_FUNCTIONS.has(name))
      return { name, start: node.start };
  }
  return forbiddenCall(node.args);
}

type Checked =
  | { ok: true; program: (vars: Record<string, unknown>) => unknown }
  | { ok: false; message: string };

const compiled = new Map<string, Checked>();

/**
 * Type-checks an expression against the variables of the metric's kind: a syntax error, an unknown
 * variable, a wrong type, a function outside the allowed ones, a non-boolean result or a limit is
 * refused with the reason and where it is.
 */
export function checkCondition(metric: string, expression: string): Checked {
  const key = `${isCall(metric) ? "call" : "sample"}\u0000${expression}`;
  const hit = compiled.get(key);
  if (hit) return hit;
  const result = compile(metric, expression);
  if (compiled.size >= 1000) compiled.delete(compiled.keys().next().value!);
  compiled.set(key, result);
  return result;
}

function compile(metric: string, expression: string): Checked {
  if (expression.length > CONDITION_MAX_LENGTH)
    return { ok: false, message: `must be at most ${CONDITION_MAX_LENGTH} characters` };
  const env = environment(metric);
  let program: ReturnType<Environment["parse"]>;
  try {
    program = env.parse(expression);
  } catch (e) {
    if (e instanceof ParseError || e instanceof Error) {
      const err = e as Error & { summary?: string; range?: { start: number } };
      return {
        ok: false,
        message: `syntax error${position(expression, err.range?.start)}: ${err.summary ?? err.message.split("\n")[0]}`,
      };
    }
    throw e;
  }
  const bad = forbiddenCall(program.ast);
  if (bad) {
    return {
      ok: false,
      message: `${bad.name}() is not allowed${position(expression, bad.start)}; conditions may call only ${[...ALLOWED_FUNCTIONS].join(", ")}`,
    };
  }
  const checked = env.check(expression);
  if (!checked.valid) {
    const err = checked.error as Error & { summary?: string; range?: { start: number } };
    const vars = [...COMMON_VARIABLES, ...(isCall(metric) ? CALL_VARIABLES : SAMPLE_VARIABLES)].map(
      (v) => v.name,
    );
    const unknown = (err as { code?: string }).code === "unknown_variable";
    return {
      ok: false,
      message: `${err.summary ?? err.message.split("\n")[0]}${position(expression, err.range?.start)}${unknown ? `; a ${isCall(metric) ? "call" : "sample"} metric's condition may read ${vars.join(", ")}` : ""}`,
    };
  }
  if (checked.type !== "bool")
    return { ok: false, message: `must be true or false, not a ${checked.type}` };
  return { ok: true, program: (vars) => program(vars) };
}

/** The values of a window, as a condition reads them (ints as bigint, as CEL has them). */
export interface ConditionVariables {
  value: number;
  labels: Labels;
  asr?: number;
  acd?: number;
  pdd?: number;
  attempts?: number;
  answered?: number;
  samples?: number;
}

/** Evaluates a checked expression: true, false, or why it could not. Never throws. */
export function evaluateCondition(
  metric: string,
  expression: string,
  vars: ConditionVariables,
): { holds: boolean } | { error: string } {
  const checked = checkCondition(metric, expression);
  if (!checked.ok) return { error: `Condition: ${checked.message}` };
  const int = (n: number | undefined) => BigInt(Math.trunc(n ?? 0));
  const context: Record<string, unknown> = {
    value: vars.value,
    labels: vars.labels,
    region: vars.labels.region ?? "",
    trunk: vars.labels.trunk ?? "",
    ...(isCall(metric)
      ? {
          asr: vars.asr ?? 0,
          acd: vars.acd ?? 0,
          pdd: vars.pdd ?? 0,
          attempts: int(vars.attempts),
          answered: int(vars.answered),
        }
      : { samples: int(vars.samples) }),
  };
  try {
    const out = checked.program(context);
    if (typeof out !== "boolean") return { error: "Condition: did not give true or false" };
    return { holds: out };
  } catch (e) {
    const err = e as Error & { summary?: string; range?: { start: number } };
    const why =
      e instanceof EvaluationError
        ? (err.summary ?? err.message.split("\n")[0])
        : String(err.message);
    return { error: `Condition: ${why}${position(expression, err.range?.start)}` };
  }
}

type ConditionRule = Pick<
  ThresholdRule,
  "orgId" | "metric" | "labelFilter" | "samplePeriodMinutes" | "condition"
>;

/** The labels shared (same value) by every label set given. */
export function commonLabels(sets: Labels[]): Labels {
  if (sets.length === 0) return {};
  const out: Labels = { ...sets[0] };
  for (const s of sets.slice(1))
    for (const k of Object.keys(out)) if (s[k] !== out[k]) delete out[k];
  return out;
}

const MAX_LABEL_SETS = 50;

/** The window's aggregates and shared labels, read for a rule with a condition. */
export async function conditionVariables(
  tx: Tx,
  rule: ConditionRule,
  value: number,
  now: Date,
): Promise<ConditionVariables> {
  const since = new Date(now.getTime() - rule.samplePeriodMinutes * 60_000);
  const filter = rule.labelFilter ?? {};
  if (isCall(rule.metric)) {
    const scope: SQL = and(
      eq(callRecords.orgId, rule.orgId),
      filter.region !== undefined ? eq(callRecords.region, filter.region) : undefined,
      filter.trunk !== undefined ? eq(callRecords.trunk, filter.trunk) : undefined,
      gt(callRecords.at, since),
      lte(callRecords.at, now),
    )!;
    const res = await tx.execute(sql`
      select count(*)::int as attempts,
        count(*) filter (where ${callRecords.answered})::int as answered,
        avg(${callRecords.durationSeconds}) filter (where ${callRecords.answered}) as acd,
        avg(${callRecords.pddMs}) as pdd,
        count(distinct ${callRecords.region})::int as regions, min(${callRecords.region}) as region,
        bool_or(${callRecords.region} is null) as no_region,
        count(distinct ${callRecords.trunk})::int as trunks, min(${callRecords.trunk}) as trunk,
        bool_or(${callRecords.trunk} is null) as no_trunk
      from ${callRecords} where ${scope}`);
    const w = rowsOf<{
      attempts: number;
      answered: number;
      acd: unknown;
      pdd: unknown;
      regions: number;
      region: string | null;
      no_region: boolean | null;
      trunks: number;
      trunk: string | null;
      no_trunk: boolean | null;
    }>(res)[0]!;
    const attempts = Number(w.attempts);
    const answered = Number(w.answered);
    const labels: Labels = {};
    if (Number(w.regions) === 1 && !w.no_region && w.region) labels.region = w.region;
    if (Number(w.trunks) === 1 && !w.no_trunk && w.trunk) labels.trunk = w.trunk;
    return {
      value,
      labels,
      attempts,
      answered,
      asr: attempts ? (answered / attempts) * 100 : 0,
      acd: w.acd === null ? 0 : Number(w.acd),
      pdd: w.pdd === null ? 0 : Number(w.pdd),
    };
  }
  const scope: SQL = and(
    eq(metricSamples.orgId, rule.orgId),
    eq(metricSamples.metric, rule.metric),
    Object.keys(filter).length
      ? sql`${metricSamples.labels} @> ${JSON.stringify(filter)}::jsonb`
      : undefined,
    gt(metricSamples.at, since),
    lte(metricSamples.at, now),
  )!;
  const [count] = await tx
    .select({ n: sql<number>`count(*)`.mapWith(Number) })
    .from(metricSamples)
    .where(scope);
  const sets = await tx
    .selectDistinct({ labels: metricSamples.labels })
    .from(metricSamples)
    .where(scope)
    .limit(MAX_LABEL_SETS + 1);
  // Too many different label sets to compare: only the filter's labels are surely shared.
  const labels =
    sets.length > MAX_LABEL_SETS ? { ...filter } : commonLabels(sets.map((s) => s.labels ?? {}));
  return { value, labels, samples: count?.n ?? 0 };
}

/**
 * The state machine's step for a rule with its condition: the hook evaluateRules calls in place of
 * `step`. Without a condition (or nothing to judge) it is `step` itself; with one, the condition
 * is ANDed with the threshold. A condition that cannot be evaluated keeps the rule as it was and
 * returns the reason, which the rule stores (conditionError) and its page shows.
 */
export async function stepWithCondition(
  tx: Tx,
  rule: ConditionRule & RuleClock,
  obs: Observation,
  now: Date,
): Promise<{ next: Step; conditionError: string | null }> {
  if (!rule.condition || obs.value === null)
    return { next: step(rule, obs, now), conditionError: null };
  const vars = await conditionVariables(tx, rule, obs.value, now);
  const judged = evaluateCondition(rule.metric, rule.condition, vars);
  if ("error" in judged) {
    return {
      next: { state: rule.state, pendingSince: rule.pendingSince, action: null },
      conditionError: judged.error,
    };
  }
  return { next: step(rule, { ...obs, condition: judged.holds }, now), conditionError: null };
}
