import type { Metadata } from "next";
import { requirePageCtx } from "@/app/_server/ctx";
import { Card, PageHeader } from "@/components/ui/card";
import {
  DeletePolicyButton,
  PolicyForm,
  type PolicyChoices,
} from "@/components/oncall/policy-form";
import { ROLE_LABELS, rolesForKind } from "@/lib/auth/roles";
import { IMPACT_LABELS } from "@/lib/labels";
import { listPolicies, policyTargetChoices } from "@/lib/oncall/policies";
import { createPolicyAction, deletePolicyAction, updatePolicyAction } from "./actions";

export const metadata: Metadata = { title: "On-call escalation" };

export default async function OnCallPage() {
  const ctx = await requirePageCtx("oncall:manage", "/portal/oncall");
  const [policies, targets] = await Promise.all([
    listPolicies({ ctx }),
    policyTargetChoices({ ctx }),
  ]);
  const platform = ctx.org.kind === "platform";
  const choices: PolicyChoices = {
    members: targets.members,
    endpoints: targets.endpoints,
    roleGroups: rolesForKind(ctx.org.kind).map((r) => ({ value: r, label: ROLE_LABELS[r] })),
    platform,
  };
  const names = new Map(targets.members.map((m) => [m.id, m.name || m.email]));
  const endpointNames = new Map(targets.endpoints.map((e) => [e.id, e.name]));
  return (
    <div className="space-y-6">
      <PageHeader
        title="On-call escalation"
        description={
          platform
            ? "Who is paged when an incident opens, and who next if nobody acknowledges. Each page goes out on every channel of the people it names, with a one-click Acknowledge link."
            : "Who is paged when one of your threshold rules that names a policy fires, and who next if nobody acknowledges."
        }
      />
      <Card title="New escalation policy">
        <PolicyForm action={createPolicyAction} choices={choices} />
      </Card>
      <Card title="Escalation policies">
        {policies.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">No escalation policies yet.</p>
        ) : (
          <ul className="divide-y divide-slate-200 dark:divide-slate-800">
            {policies.map((p) => (
              <li key={p.id} className="space-y-2 py-3" aria-label={p.name}>
                <div className="flex items-start justify-between gap-4">
                  <div>
                    <p className="font-medium">
                      {p.name}
                      {!p.enabled && <span className="ml-2 text-xs text-slate-500">Paused</span>}
                    </p>
                    <p className="text-xs text-slate-500">
                      {platform
                        ? p.incidentMinImpact
                          ? `Incidents at ${IMPACT_LABELS[p.incidentMinImpact]} or worse`
                          : "Only threshold rules naming it"
                        : "Threshold rules naming it"}
                      {p.repeatCount > 0 && ` · repeats ${p.repeatCount}×`}
                    </p>
                    <ol className="mt-1 list-decimal pl-5 text-sm">
                      {p.tiers.map((t, i) => (
                        <li key={i}>
                          {[
                            ...t.targets.userIds.map((u) => names.get(u) ?? "a former member"),
                            ...t.targets.roleGroups.map((r) => `every ${ROLE_LABELS[r]}`),
                            ...t.targets.endpointIds.map(
                              (e) => endpointNames.get(e) ?? "a deleted endpoint",
                            ),
                          ].join(", ")}{" "}
                          <span className="text-slate-500">· {t.timeoutMinutes} min</span>
                        </li>
                      ))}
                    </ol>
                  </div>
                  <DeletePolicyButton action={deletePolicyAction} id={p.id} name={p.name} />
                </div>
                <details>
                  <summary className="cursor-pointer text-sm text-sky-700 dark:text-sky-400">
                    Edit
                  </summary>
                  <div className="mt-3">
                    <PolicyForm
                      action={updatePolicyAction}
                      choices={choices}
                      value={{
                        id: p.id,
                        name: p.name,
                        repeatCount: p.repeatCount,
                        incidentMinImpact: p.incidentMinImpact,
                        enabled: p.enabled,
                        tiers: p.tiers,
                      }}
                    />
                  </div>
                </details>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
