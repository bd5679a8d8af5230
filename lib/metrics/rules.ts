import { and, asc, eq } from "drizzle-orm";
import { thresholdRules } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { requirePermission, type Ctx, withTransaction } from "@/lib/context";
import { NotFoundError, parseInput } from "@/lib/errors";
import { evaluateRules } from "./evaluate";
import { RuleIdInput, RuleInput, UpdateRuleInput } from "./schemas";

export async function listRules({ ctx }: { ctx: Ctx }) {
  requirePermission(ctx, "thresholds:manage");
  return ctx.db
    .select()
    .from(thresholdRules)
    .where(eq(thresholdRules.orgId, ctx.org.id))
    .orderBy(asc(thresholdRules.name));
}

/** Creates a rule and evaluates it at once against the samples already recorded. */
export async function createRule({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "thresholds:manage");
  const values = parseInput(RuleInput, input);
  return withTransaction(ctx, async (tx) => {
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
    await evaluateRules(tx, ctx, [rule!.id]);
    return rule!;
  });
}

export async function updateRule({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "thresholds:manage");
  const { ruleId, ...values } = parseInput(UpdateRuleInput, input);
  return withTransaction(ctx, async (tx) => {
    const [before] = await tx
      .select()
      .from(thresholdRules)
      .where(and(eq(thresholdRules.id, ruleId), eq(thresholdRules.orgId, ctx.org.id)))
      .for("update");
    if (!before) throw new NotFoundError("Threshold rule");
    // A changed condition starts from "ok" so that it fires afresh if it holds.
    const conditionChanged =
      before.metric !== values.metric ||
      before.operator !== values.operator ||
      before.threshold !== values.threshold;
    const [rule] = await tx
      .update(thresholdRules)
      .set({ ...values, ...(conditionChanged || !values.enabled ? { state: "ok" as const } : {}) })
      .where(and(eq(thresholdRules.id, ruleId), eq(thresholdRules.orgId, ctx.org.id)))
      .returning();
    await recordAudit(tx, ctx, {
      action: "threshold_rule.updated",
      targetType: "threshold_rule",
      targetId: ruleId,
      data: values,
    });
    await evaluateRules(tx, ctx, [ruleId]);
    return rule!;
  });
}

export async function deleteRule({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "thresholds:manage");
  const { ruleId } = parseInput(RuleIdInput, input);
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
