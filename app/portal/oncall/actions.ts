"use server";

import { revalidatePath } from "next/cache";
import { runFormAction, type FormFields } from "@/app/_server/form";
import { acknowledgeIncident } from "@/lib/oncall/acknowledge";
import { createPolicy, deletePolicy, updatePolicy } from "@/lib/oncall/policies";
import { FORM_TIERS } from "@/components/oncall/form-tiers";

/** The form's tier rows; a row after the first with nothing in it is not a tier. */
function policyInput(f: FormFields) {
  const tiers = [];
  for (let i = 1; i <= FORM_TIERS; i++) {
    const tier = {
      userIds: f.list(`tier${i}.userIds`),
      roleGroups: f.list(`tier${i}.roleGroups`),
      endpointIds: f.list(`tier${i}.endpointIds`),
      timeoutMinutes: f.text(`tier${i}.timeoutMinutes`),
    };
    const empty = !tier.userIds.length && !tier.roleGroups.length && !tier.endpointIds.length;
    if (i > 1 && empty) continue;
    tiers.push(tier);
  }
  return {
    policyId: f.text("policyId"),
    name: f.text("name"),
    repeatCount: f.text("repeatCount") || 0,
    incidentMinImpact: f.nullable("incidentMinImpact"),
    enabled: f.text("enabled") !== "off",
    tiers,
  };
}

export async function createPolicyAction(_prev: unknown, form: FormData) {
  const result = await runFormAction(form, {
    input: policyInput,
    verb: createPolicy,
    result: () => null,
    message: "Escalation policy saved.",
  });
  revalidatePath("/portal/oncall");
  return result;
}

export async function updatePolicyAction(_prev: unknown, form: FormData) {
  const result = await runFormAction(form, {
    input: policyInput,
    verb: updatePolicy,
    result: () => null,
    message: "Escalation policy saved.",
  });
  revalidatePath("/portal/oncall");
  return result;
}

export async function deletePolicyAction(_prev: unknown, form: FormData) {
  const result = await runFormAction(form, {
    input: (f) => ({ policyId: f.text("policyId") }),
    verb: deletePolicy,
    result: () => null,
    message: "Escalation policy deleted.",
  });
  revalidatePath("/portal/oncall");
  return result;
}

export async function acknowledgeIncidentAction(_prev: unknown, form: FormData) {
  const incidentId = form.get("incidentId");
  const result = await runFormAction(form, {
    input: (f) => ({ incidentId: f.text("incidentId") }),
    verb: acknowledgeIncident,
    result: () => null,
    message: "Acknowledged: nobody else will be paged.",
  });
  if (typeof incidentId === "string") revalidatePath(`/portal/incidents/${incidentId}`);
  return result;
}
