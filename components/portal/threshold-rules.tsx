"use client";

import { ActionForm } from "@/components/ui/action-form";
import { buttonClass, SubmitButton } from "@/components/ui/button";
import { ConfirmSubmit } from "@/components/ui/confirm-submit";
import { useState, useTransition } from "react";
import { Field, SelectField, TextareaField } from "@/components/ui/field";
import { ThresholdChart } from "@/components/portal/threshold-chart";
import type { ChartData } from "@/lib/metrics/chart";
import { IMPACT_LABELS } from "@/lib/labels";
import type { ActionResult } from "@/lib/errors";

type Action = (prev: unknown, form: FormData) => Promise<ActionResult<unknown>>;

const OPERATORS = [
  { value: "lt", label: "< falls below" },
  { value: "le", label: "<= at or below" },
  { value: "gt", label: "> rises above" },
  { value: "ge", label: ">= at or above" },
  { value: "eq", label: "= equals" },
];
const AREAS = [
  { value: "billing", label: "Billing" },
  { value: "routing_voice", label: "Routing/Voice" },
  { value: "messaging", label: "Messaging" },
  { value: "api", label: "API" },
  { value: "other", label: "Other" },
];
const AGGREGATIONS = ["last", "avg", "min", "max", "sum", "count"].map((a) => ({
  value: a,
  label: a === "last" ? "last (latest sample)" : a,
}));
const IMPACTS = [
  ...(["minor", "major", "critical"] as const).map((i) => ({ value: i, label: IMPACT_LABELS[i] })),
  { value: "none", label: "None" },
];

/** A rule's settings as the editor shows them (strings, as the form sends them back). */
export interface RuleDraft {
  id?: string;
  name: string;
  metric: string;
  operator: string;
  threshold: string;
  resetThreshold: string;
  samplePeriodMinutes: string;
  aggregation: string;
  labelFilter: string;
  minCalls: string;
  pendingSeconds: string;
  repeatMinutes: string;
  noDataMinutes: string;
  noDataAlert: boolean;
  area: string;
  contactEmails: string;
  contactPhones: string;
  impact: string;
  condition: string;
  escalationPolicyId: string;
}

export type PreviewResult = ActionResult<{
  chart: ChartData;
  metric: string;
  threshold: number;
  resetThreshold: number | null;
}> | null;
type PreviewAction = (prev: PreviewResult, form: FormData) => Promise<PreviewResult>;

export function RuleForm({
  action,
  preview,
  policies,
  rule,
}: {
  action: Action;
  preview: PreviewAction;
  /** The organization's escalation policies (id, name). */
  policies: { id: string; name: string }[];
  rule?: RuleDraft;
}) {
  const d = rule;
  // Called directly (not as the form's action), so the form keeps the draft as typed.
  const [shown, setShown] = useState<PreviewResult>(null);
  const [previewing, startPreview] = useTransition();
  const previewDraft = (e: React.MouseEvent<HTMLButtonElement>) => {
    const form = e.currentTarget.form;
    if (!form) return;
    const data = new FormData(form);
    startPreview(async () => setShown(await preview(null, data)));
  };
  return (
    <>
      <ActionForm
        action={action}
        label={d?.id ? `Edit ${d.name}` : "New threshold rule"}
        className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4"
        render={(state) =>
          state && !state.ok && state.fields ? (
            <ul
              role="alert"
              className="text-sm text-red-700 sm:col-span-2 lg:col-span-4 dark:text-red-400"
            >
              {Object.entries(state.fields).map(([f, m]) => (
                <li key={f}>
                  {f}: {m}
                </li>
              ))}
            </ul>
          ) : null
        }
      >
        {d?.id && <input type="hidden" name="ruleId" value={d.id} />}
        <Field
          label="Title"
          name="name"
          required
          placeholder="Low balance"
          defaultValue={d?.name}
        />
        <SelectField label="Area" name="area" options={AREAS} defaultValue={d?.area ?? "other"} />
        <Field
          label="Metric"
          name="metric"
          required
          placeholder="balance"
          hint="a sample's name (balance, cps, channels…) or asr, acd, pdd, attempts from calls"
          defaultValue={d?.metric}
        />
        <Field
          label="Label filter"
          name="labelFilter"
          placeholder="region=BOM, trunk=t1"
          defaultValue={d?.labelFilter}
        />
        <SelectField
          label="Condition"
          name="operator"
          options={OPERATORS}
          defaultValue={d?.operator ?? "lt"}
        />
        <Field
          label="Threshold"
          name="threshold"
          type="number"
          step="any"
          required
          defaultValue={d?.threshold}
        />
        <Field
          label="Reset threshold"
          name="resetThreshold"
          type="number"
          step="any"
          hint="resets only beyond this value (empty: when the condition stops)"
          defaultValue={d?.resetThreshold}
        />
        <SelectField
          label="Aggregation"
          name="aggregation"
          options={AGGREGATIONS}
          defaultValue={d?.aggregation ?? "last"}
        />
        <Field
          label="Sample period (minutes)"
          name="samplePeriodMinutes"
          type="number"
          min={1}
          max={1440}
          defaultValue={d?.samplePeriodMinutes ?? "60"}
          hint="1 to 1440 (24 hours)"
        />
        <Field
          label="Minimum calls"
          name="minCalls"
          type="number"
          min={0}
          defaultValue={d?.minCalls ?? "0"}
          hint="asr, acd, pdd only"
        />
        <Field
          label="Pending period (seconds)"
          name="pendingSeconds"
          type="number"
          min={0}
          defaultValue={d?.pendingSeconds ?? "0"}
        />
        <Field
          label="Repeat every (minutes)"
          name="repeatMinutes"
          type="number"
          min={0}
          defaultValue={d?.repeatMinutes ?? "0"}
          hint="0: alert once"
        />
        <Field
          label="No data after (minutes)"
          name="noDataMinutes"
          type="number"
          min={1}
          defaultValue={d?.noDataMinutes}
          hint="empty: never"
        />
        <label className="flex items-end gap-2 text-sm">
          <input type="checkbox" name="noDataAlert" defaultChecked={d?.noDataAlert} />
          Alert on no data
        </label>
        <SelectField
          label="Severity"
          name="impact"
          options={IMPACTS}
          defaultValue={d?.impact ?? "minor"}
        />
        <Field
          label="Contact emails"
          name="contactEmails"
          placeholder="finance@example.com, noc@example.com"
          defaultValue={d?.contactEmails}
        />
        <Field
          label="Contact phone numbers"
          name="contactPhones"
          placeholder="+919812345678"
          defaultValue={d?.contactPhones}
        />
        <SelectField
          label="Escalation policy"
          name="escalationPolicyId"
          options={[
            { value: "", label: "None" },
            ...policies.map((p) => ({ value: p.id, label: p.name })),
          ]}
          defaultValue={d?.escalationPolicyId ?? ""}
          hint="paged when the rule fires (On-call)"
        />
        <div className="sm:col-span-2 lg:col-span-4">
          <TextareaField
            label="Script condition (CEL)"
            name="condition"
            rows={2}
            maxLength={1000}
            placeholder={'attempts > 100 && region == "BOM"'}
            hint="optional; must hold too, besides the threshold. Reads value, labels, region, trunk; asr, acd, pdd, attempts, answered for calls; samples for samples"
            defaultValue={d?.condition}
          />
        </div>
        <div className="flex items-end gap-2">
          <SubmitButton pendingText="Saving…">Save rule</SubmitButton>
          <button
            type="button"
            onClick={previewDraft}
            disabled={previewing}
            className={buttonClass("secondary")}
          >
            {previewing ? "Previewing…" : "Preview"}
          </button>
        </div>
      </ActionForm>
      <div aria-live="polite" className="mt-4">
        {shown?.ok === false && (
          <p role="alert" className="text-sm text-red-700 dark:text-red-400">
            Preview: {shown.error}
          </p>
        )}
        {shown?.ok && (
          <ThresholdChart
            id="threshold-preview"
            what="Preview (not saved): "
            data={shown.data.chart}
            metric={shown.data.metric}
            threshold={shown.data.threshold}
            resetThreshold={shown.data.resetThreshold}
          />
        )}
      </div>
    </>
  );
}

export function RuleRowActions({
  rule,
  toggle,
  remove,
}: {
  rule: { id: string; name: string; enabled: boolean };
  toggle: Action;
  remove: Action;
}) {
  return (
    <div className="flex justify-end gap-2">
      <ActionForm action={toggle} label={`${rule.enabled ? "Pause" : "Resume"} ${rule.name}`}>
        <input type="hidden" name="ruleId" value={rule.id} />
        <input type="hidden" name="enabled" value={rule.enabled ? "off" : "on"} />
        <SubmitButton variant="secondary">{rule.enabled ? "Pause" : "Resume"}</SubmitButton>
      </ActionForm>
      <ActionForm action={remove} label={`Delete ${rule.name}`}>
        <input type="hidden" name="ruleId" value={rule.id} />
        <ConfirmSubmit question={`Delete the rule “${rule.name}”?`} confirm="Delete rule">
          Delete
        </ConfirmSubmit>
      </ActionForm>
    </div>
  );
}
