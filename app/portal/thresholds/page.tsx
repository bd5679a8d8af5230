import type { Metadata } from "next";
import { requirePageCtx } from "@/app/_server/ctx";
import { Card, PageHeader } from "@/components/ui/card";
import { RuleForm, RuleRowActions } from "@/components/portal/threshold-rules";
import { listRules, rulePolicyChoices } from "@/lib/metrics/rules";
import { OPERATOR_SYMBOLS } from "@/lib/metrics/evaluate";
import { env } from "@/lib/env";
import Link from "next/link";
import { AREA_LABELS } from "@/lib/metrics/schemas";
import { createRuleAction, deleteRuleAction, previewRuleAction, toggleRuleAction } from "./actions";

export const metadata: Metadata = { title: "Threshold rules" };

export default async function ThresholdsPage() {
  const ctx = await requirePageCtx("thresholds:manage", "/portal/thresholds");
  const [rules, policies] = await Promise.all([listRules({ ctx }), rulePolicyChoices({ ctx })]);
  return (
    <div className="space-y-6">
      <PageHeader
        title="Threshold rules"
        description="Alert when one of your metrics crosses a threshold: balance below a value, CPS or channels above one, ASR, ACD or PDD of your calls over a sample period. A rule fires once when its condition holds (for its pending period), opens an incident for your organization, and sends a recovered notice when the value passes its reset threshold."
      />
      <Card title="New rule">
        <RuleForm action={createRuleAction} preview={previewRuleAction} policies={policies} />
      </Card>
      <Card title="Rules">
        {rules.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">No rules yet.</p>
        ) : (
          <div className="scroll-x">
            <table className="w-full text-left text-sm">
              <thead className="text-slate-500 dark:text-slate-400">
                <tr>
                  <th className="py-2 font-medium">Rule</th>
                  <th className="font-medium">Condition</th>
                  <th className="font-medium">Last value</th>
                  <th className="font-medium">State</th>
                  <th />
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
                {rules.map((r) => (
                  <tr key={r.id}>
                    <td className="py-2">
                      <Link href={`/portal/thresholds/${r.id}`} className="underline">
                        {r.name}
                      </Link>
                      <span className="block text-xs text-slate-500 capitalize dark:text-slate-400">
                        {AREA_LABELS[r.area]} · {r.impact}
                      </span>
                    </td>
                    <td className="font-mono text-xs">
                      {r.metric} {OPERATOR_SYMBOLS[r.operator]} {r.threshold}
                      {r.resetThreshold !== null && `, reset ${r.resetThreshold}`} ({r.aggregation}{" "}
                      {r.samplePeriodMinutes} min){r.condition && <> and {r.condition}</>}
                    </td>
                    <td>{r.lastValue ?? "No samples yet"}</td>
                    <td>
                      {r.enabled && r.conditionError && (
                        <span className="block text-red-700 dark:text-red-400">
                          Condition error
                        </span>
                      )}
                      {!r.enabled ? (
                        <span className="text-slate-500 dark:text-slate-400">Paused</span>
                      ) : r.state === "firing" ? (
                        <span className="font-medium text-red-700 dark:text-red-400">Firing</span>
                      ) : r.state === "pending" ? (
                        <span className="text-amber-700 dark:text-amber-400">Pending</span>
                      ) : r.state === "nodata" ? (
                        <span className="text-slate-600 dark:text-slate-400">No data</span>
                      ) : (
                        <span className="text-emerald-700 dark:text-emerald-400">OK</span>
                      )}
                    </td>
                    <td>
                      <RuleRowActions
                        rule={{ id: r.id, name: r.name, enabled: r.enabled }}
                        toggle={toggleRuleAction}
                        remove={deleteRuleAction}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <Card title="Sending samples">
        <p className="mb-2 text-sm text-slate-600 dark:text-slate-400">
          Post samples with an API key whose role may write metrics (Org Admin or Tech/DevOps):
        </p>
        <pre className="overflow-x-auto rounded bg-slate-100 p-3 text-xs dark:bg-slate-800">
          {`curl -X POST ${env.APP_URL}/api/v1/metrics \\
  -H "Authorization: Bearer bk_…" -H "Content-Type: application/json" \\
  -d '{"samples":[{"metric":"balance","value":420}],
       "calls":[{"answered":true,"durationSeconds":63,"pddMs":1800,"region":"BOM","trunk":"t1"}]}'`}
        </pre>
      </Card>
    </div>
  );
}
