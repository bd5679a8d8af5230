"use server";

import { revalidatePath } from "next/cache";
import { runFormAction, type FormFields } from "@/app/_server/form";
import {
  createRule,
  deleteRule,
  previewRule,
  setRuleEnabled,
  updateRule,
} from "@/lib/metrics/rules";

/** "region=BOM, trunk=t1" → { region: "BOM", trunk: "t1" }; a malformed pair is kept for the error. */
function labels(text: string): unknown {
  const out: Record<string, string> = {};
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const i = part.indexOf("=");
    if (i < 1) return `${part}`;
    out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

function ruleInput(f: FormFields) {
  return {
    ruleId: f.text("ruleId") || undefined,
    name: f.text("name"),
    metric: f.text("metric"),
    operator: f.text("operator"),
    threshold: f.text("threshold"),
    resetThreshold: f.text("resetThreshold"),
    samplePeriodMinutes: f.text("samplePeriodMinutes"),
    aggregation: f.text("aggregation") || undefined,
    labelFilter: labels(f.text("labelFilter") ?? ""),
    minCalls: f.text("minCalls"),
    pendingSeconds: f.text("pendingSeconds"),
    repeatMinutes: f.text("repeatMinutes"),
    noDataMinutes: f.text("noDataMinutes"),
    noDataAlert: f.text("noDataAlert") === "on",
    area: f.text("area") || undefined,
    contactEmails: f.text("contactEmails"),
    contactPhones: f.text("contactPhones"),
    impact: f.text("impact") || undefined,
    enabled: f.text("enabled") !== "off",
    condition: f.text("condition"),
    escalationPolicyId: f.nullable("escalationPolicyId"),
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

export async function updateRuleAction(_prev: unknown, form: FormData) {
  const result = await runFormAction(form, {
    input: ruleInput,
    verb: updateRule,
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

/** The editor's Preview: the draft's chart over the last 24 hours (reads only, saves nothing). */
export async function previewRuleAction(_prev: unknown, form: FormData) {
  return runFormAction(form, { input: ruleInput, verb: previewRule });
}
