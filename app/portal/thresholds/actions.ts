"use server";

import { revalidatePath } from "next/cache";
import { runFormAction, type FormFields } from "@/app/_server/form";
import { createRule, deleteRule, setRuleEnabled } from "@/lib/metrics/rules";

function ruleInput(f: FormFields) {
  return {
    ruleId: f.text("ruleId"),
    name: f.text("name"),
    metric: f.text("metric"),
    operator: f.text("operator"),
    threshold: f.text("threshold"),
    samplePeriodMinutes: f.text("samplePeriodMinutes") || 0,
    category: f.text("category"),
    impact: f.text("impact"),
    // Pause/Resume sends "off"/"on"; the new-rule form sends nothing and creates it enabled.
    enabled: f.text("enabled") !== "off",
  };
}

export async function createRuleAction(_prev: unknown, form: FormData) {
  const result = await runFormAction(form, {
    input: ruleInput,
    verb: createRule,
    result: () => null,
    message: "Rule saved.",
  });
  revalidatePath("/portal/thresholds");
  return result;
}

export async function toggleRuleAction(_prev: unknown, form: FormData) {
  const result = await runFormAction(form, {
    input: (f) => ({ ruleId: f.text("ruleId"), enabled: f.text("enabled") !== "off" }),
    verb: setRuleEnabled,
    result: () => null,
  });
  revalidatePath("/portal/thresholds");
  return result;
}

export async function deleteRuleAction(_prev: unknown, form: FormData) {
  const result = await runFormAction(form, {
    input: (f) => ({ ruleId: f.text("ruleId") }),
    verb: deleteRule,
    message: "Rule deleted.",
  });
  revalidatePath("/portal/thresholds");
  return result;
}
