import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "@/db";
import { escalationPolicies, thresholdRules, type ThresholdRule } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { requirePermission, type Ctx, withTransaction } from "@/lib/context";
import { NotFoundError, parseInput, ValidationError } from "@/lib/errors";
import { parseTargetInput } from "@/lib/ids";
import { ruleChart } from "./chart";
import { evaluateRules } from "./evaluate";
import { categoryOfArea, RuleIdInput, RuleInput } from "./schemas";

/** The stored columns of a parsed rule: the category follows the Area. */
function columns(v: RuleInput) {
  return {
    name: v.name,
    metric: v.metric,
    operator: v.operator,
    threshold: v.threshold,
    resetThreshold: v.resetThreshold ?? null,
    samplePeriodMinutes: v.samplePeriodMinutes,
    aggregation: v.aggregation,
    labelFilter: v.labelFilter,
    minCalls: v.minCalls,
    pendingSeconds: v.pendingSeconds,
    repeatMinutes: v.repeatMinutes,
    noDataMinutes: v.noDataMinutes ?? null,
    noDataAlert: v.noDataAlert,
    area: v.area,
    category: categoryOfArea(v.area),
    contactEmails: [...new Set(v.contactEmails)],
    contactPhones: [...new Set(v.contactPhones)],
    impact: v.impact,
    enabled: v.enabled,
    condition: v.condition ?? null,
    escalationPolicyId: v.escalationPolicyId,
  };
}

/**
 * A rule may page only its own organization's escalation policies: another organization's id is
 * refused exactly like an unknown one.
 */
async function checkPolicy(tx: Tx, ctx: Ctx, policyId: string | null) {
  if (!policyId) return;
  const [p] = await tx
    .select({ id: escalationPolicies.id })
    .from(escalationPolicies)
    .where(and(eq(escalationPolicies.id, policyId), eq(escalationPolicies.orgId, ctx.org.id)));
  if (!p)
    throw new ValidationError([
      { field: "escalationPolicyId", message: "must be one of your escalation policies" },
    ]);
}

/** The organization's escalation policies a rule may page (the editor's choices). */
export async function rulePolicyChoices({ ctx }: { ctx: Ctx }) {
  requirePermission(ctx, "thresholds:manage");
  return ctx.db
    .select({ id: escalationPolicies.id, name: escalationPolicies.name })
    .from(escalationPolicies)
    .where(eq(escalationPolicies.orgId, ctx.org.id))
    .orderBy(asc(escalationPolicies.name));
}

export async function listRules({ ctx }: { ctx: Ctx }) {
  requirePermission(ctx, "thresholds:manage");
  return ctx.db
    .select()
    .from(thresholdRules)
    .where(eq(thresholdRules.orgId, ctx.org.id))
    .orderBy(asc(thresholdRules.name));
}

export async function getRule({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: unknown;
}): Promise<ThresholdRule> {
  requirePermission(ctx, "thresholds:manage");
  const { ruleId } = parseTargetInput(RuleIdInput, input, {
    field: "ruleId",
    notFound: "Threshold rule",
  });
  const [rule] = await ctx.db
    .select()
    .from(thresholdRules)
    .where(and(eq(thresholdRules.id, ruleId), eq(thresholdRules.orgId, ctx.org.id)));
  if (!rule) throw new NotFoundError("Threshold rule");
  return rule;
}

/** Creates a rule and evaluates it at once against the samples already recorded. */
export async function createRule({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: Ctx;
  input: unknown;
  now?: Date;
}) {
  requirePermission(ctx, "thresholds:manage");
  const values = columns(parseInput(RuleInput, input));
  return withTransaction(ctx, async (tx) => {
    await checkPolicy(tx, ctx, values.escalationPolicyId);
    const [rule] = await tx
      .insert(thresholdRules)
      .values({ ...values, orgId: ctx.org.id })
      .returning();
    await recordAudit(tx, ctx, {
      action: "threshold_rule.created",
      targetType: "threshold_rule",
      targetId: rule!.id,
      data: values,
    });
    await evaluateRules(tx, ctx, [rule!.id], now);
    const [after] = await tx.select().from(thresholdRules).where(eq(thresholdRules.id, rule!.id));
    return after!;
  });
}

/**
 * Replaces a rule's settings (the whole rule, as the editor and PUT send it). A changed condition
 * starts from normal, so it fires afresh if it holds; an open incident stays linked and is
 * resolved by the next reset. Pausing keeps the state but stops evaluation.
 */
export async function updateRule({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: Ctx;
  input: unknown;
  now?: Date;
}) {
  requirePermission(ctx, "thresholds:manage");
  const { ruleId } = parseTargetInput(RuleIdInput, input, {
    field: "ruleId",
    notFound: "Threshold rule",
  });
  return withTransaction(ctx, async (tx) => {
    const [before] = await tx
      .select()
      .from(thresholdRules)
      .where(and(eq(thresholdRules.id, ruleId), eq(thresholdRules.orgId, ctx.org.id)))
      .for("update");
    // Another organization's rule is not found, whatever the settings sent.
    if (!before) throw new NotFoundError("Threshold rule");
    const values = columns(parseInput(RuleInput, input));
    await checkPolicy(tx, ctx, values.escalationPolicyId);
    const conditionChanged =
      before.metric !== values.metric ||
      before.operator !== values.operator ||
      before.threshold !== values.threshold ||
      before.condition !== values.condition ||
      JSON.stringify(before.labelFilter) !== JSON.stringify(values.labelFilter);
    await tx
      .update(thresholdRules)
      .set({
        ...values,
        ...(before.condition !== values.condition ? { conditionError: null } : {}),
        ...(conditionChanged && before.state !== "firing"
          ? { state: "ok" as const, pendingSince: null }
          : {}),
      })
      .where(and(eq(thresholdRules.id, ruleId), eq(thresholdRules.orgId, ctx.org.id)));
    await recordAudit(tx, ctx, {
      action: "threshold_rule.updated",
      targetType: "threshold_rule",
      targetId: ruleId,
      data: values,
    });
    await evaluateRules(tx, ctx, [ruleId], now);
    const [rule] = await tx.select().from(thresholdRules).where(eq(thresholdRules.id, ruleId));
    return rule!;
  });
}

/** Pauses or resumes a rule without touching its other settings. */
export async function setRuleEnabled({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "thresholds:manage");
  const { ruleId, enabled } = parseTargetInput(
    RuleIdInput.extend({
      enabled: z.boolean({ message: "must be true or false" }),
    }),
    input,
    { field: "ruleId", notFound: "Threshold rule" },
  );
  return withTransaction(ctx, async (tx) => {
    const [rule] = await tx
      .update(thresholdRules)
      .set({ enabled })
      .where(and(eq(thresholdRules.id, ruleId), eq(thresholdRules.orgId, ctx.org.id)))
      .returning();
    if (!rule) throw new NotFoundError("Threshold rule");
    await recordAudit(tx, ctx, {
      action: enabled ? "threshold_rule.resumed" : "threshold_rule.paused",
      targetType: "threshold_rule",
      targetId: ruleId,
    });
    if (enabled) await evaluateRules(tx, ctx, [ruleId]);
    return rule;
  });
}

export async function deleteRule({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "thresholds:manage");
  const { ruleId } = parseTargetInput(RuleIdInput, input, {
    field: "ruleId",
    notFound: "Threshold rule",
  });
  await withTransaction(ctx, async (tx) => {
    const [rule] = await tx
      .delete(thresholdRules)
      .where(and(eq(thresholdRules.id, ruleId), eq(thresholdRules.orgId, ctx.org.id)))
      .returning();
    if (!rule) throw new NotFoundError("Threshold rule");
    await recordAudit(tx, ctx, {
      action: "threshold_rule.deleted",
      targetType: "threshold_rule",
      targetId: ruleId,
      data: { name: rule.name },
    });
  });
}

/** The fields of a draft the preview reads (the rest take their defaults). */
const PREVIEW_FIELDS = [
  "metric",
  "operator",
  "threshold",
  "resetThreshold",
  "samplePeriodMinutes",
  "aggregation",
  "labelFilter",
  "minCalls",
  "pendingSeconds",
  "condition",
] as const;

/**
 * A draft rule's chart: its metric over the last 24 hours as the draft would compute it, with
 * where it would have been firing. Reads only; the draft is checked like a saved rule (its
 * metric, threshold, reset, window, filter and condition), so a bad value is named as on save.
 */
export async function previewRule({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: Ctx;
  input: unknown;
  now?: Date;
}) {
  requirePermission(ctx, "thresholds:manage");
  const sent = (input && typeof input === "object" ? input : {}) as Record<string, unknown>;
  const draft = parseInput(RuleInput, {
    name: "Preview",
    ...Object.fromEntries(PREVIEW_FIELDS.map((f) => [f, sent[f]])),
  });
  const chart = await ruleChart(
    ctx.db,
    {
      orgId: ctx.org.id,
      metric: draft.metric,
      aggregation: draft.aggregation,
      labelFilter: draft.labelFilter,
      samplePeriodMinutes: draft.samplePeriodMinutes,
      minCalls: draft.minCalls,
      operator: draft.operator,
      threshold: draft.threshold,
      resetThreshold: draft.resetThreshold ?? null,
      pendingSeconds: draft.pendingSeconds,
      condition: draft.condition ?? null,
    },
    now,
  );
  return {
    chart,
    metric: draft.metric,
    threshold: draft.threshold,
    resetThreshold: draft.resetThreshold ?? null,
  };
}
