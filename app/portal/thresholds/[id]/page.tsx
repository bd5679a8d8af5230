import type { Metadata } from "next";
import Link from "next/link";
import { requirePageCtx } from "@/app/_server/ctx";
import { Card, PageHeader } from "@/components/ui/card";
import { RuleForm, RuleRowActions } from "@/components/portal/threshold-rules";
import { ThresholdChart } from "@/components/portal/threshold-chart";
import { getRule, rulePolicyChoices } from "@/lib/metrics/rules";
import { ruleChart } from "@/lib/metrics/chart";
import {
  deleteRuleAction,
  previewRuleAction,
  toggleRuleAction,
  updateRuleAction,
} from "../actions";

export const metadata: Metadata = { title: "Edit threshold rule" };

const STATE_LABELS = { ok: "Normal", pending: "Pending", firing: "Firing", nodata: "No data" };

export default async function EditRulePage({ params }: { params: Promise<{ id: string }> }) {
  const ctx = await requirePageCtx("thresholds:manage", "/portal/thresholds");
  const { id } = await params;
  const rule = await getRule({ ctx, input: { ruleId: id } });
  const [chart, policies] = await Promise.all([
    ruleChart(ctx.db, rule),
    rulePolicyChoices({ ctx }),
  ]);
  const s = (v: number | null) => (v === null ? "" : String(v));
  return (
    <div className="space-y-6">
      <PageHeader
        title={rule.name}
        description={`${rule.enabled ? STATE_LABELS[rule.state] : "Paused"} · last value ${rule.lastValue ?? "none yet"}`}
      />
      <p>
        <Link href="/portal/thresholds" className="text-sm underline">
          All threshold rules
        </Link>
      </p>
      {rule.conditionError && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          The script condition could not be evaluated at the last evaluation (
          {rule.lastEvaluatedAt?.toISOString().slice(0, 16).replace("T", " ")} UTC), so the rule
          stayed as it was: {rule.conditionError}
        </p>
      )}
      <Card title="Last 24 hours">
        <ThresholdChart
          data={chart}
          metric={rule.metric}
          threshold={rule.threshold}
          resetThreshold={rule.resetThreshold}
        />
      </Card>
      <Card title="Edit rule">
        <RuleForm
          action={updateRuleAction}
          preview={previewRuleAction}
          policies={policies}
          rule={{
            id: rule.id,
            name: rule.name,
            metric: rule.metric,
            operator: rule.operator,
            threshold: String(rule.threshold),
            resetThreshold: s(rule.resetThreshold),
            samplePeriodMinutes: String(rule.samplePeriodMinutes),
            aggregation: rule.aggregation,
            labelFilter: Object.entries(rule.labelFilter)
              .map(([k, v]) => `${k}=${v}`)
              .join(", "),
            minCalls: String(rule.minCalls),
            pendingSeconds: String(rule.pendingSeconds),
            repeatMinutes: String(rule.repeatMinutes),
            noDataMinutes: s(rule.noDataMinutes),
            noDataAlert: rule.noDataAlert,
            area: rule.area,
            contactEmails: rule.contactEmails.join(", "),
            contactPhones: rule.contactPhones.join(", "),
            impact: rule.impact,
            condition: rule.condition ?? "",
            escalationPolicyId: rule.escalationPolicyId ?? "",
          }}
        />
        <div className="mt-4">
          <RuleRowActions
            rule={{ id: rule.id, name: rule.name, enabled: rule.enabled }}
            toggle={toggleRuleAction}
            remove={deleteRuleAction}
          />
        </div>
      </Card>
    </div>
  );
}
