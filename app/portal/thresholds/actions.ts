"use server";

import { revalidatePath } from "next/cache";
import { runAction } from "@/app/_server/ctx";
import { createRule, deleteRule, updateRule } from "@/lib/metrics/rules";

function ruleInput(form: FormData) {
  return {
    ruleId: form.get("ruleId") ?? undefined,
    name: form.get("name"),
    metric: form.get("metric"),
    operator: form.get("operator"),
    threshold: form.get("threshold"),
    samplePeriodMinutes: form.get("samplePeriodMinutes") || 0,
    category: form.get("category"),
    impact: form.get("impact"),
    enabled: form.get("enabled") !== "off",
  };
}

export async function createRuleAction(_prev: unknown, form: FormData) {
  const result = await runAction(
    async (ctx) => {
      await createRule({ ctx, input: ruleInput(form) });
      return null;
    },
    "Rule saved.",
    form,
  );
  revalidatePath("/portal/thresholds");
  return result;
}

export async function toggleRuleAction(_prev: unknown, form: FormData) {
  const result = await runAction(
    async (ctx) => {
      await updateRule({ ctx, input: ruleInput(form) });
      return null;
    },
    undefined,
    form,
  );
  revalidatePath("/portal/thresholds");
  return result;
}

export async function deleteRuleAction(_prev: unknown, form: FormData) {
  const result = await runAction(
    (ctx) => deleteRule({ ctx, input: { ruleId: form.get("ruleId") } }),
    "Rule deleted.",
    form,
  );
  revalidatePath("/portal/thresholds");
  return result;
}
