"use client";

import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Field, SelectField } from "@/components/ui/field";
import { CATEGORY_LABELS, IMPACT_LABELS } from "@/lib/labels";
import type { ActionResult } from "@/lib/errors";

type Action = (prev: unknown, form: FormData) => Promise<ActionResult<unknown>>;

const OPERATORS = [
  { value: "lt", label: "< falls below" },
  { value: "gt", label: "> rises above" },
  { value: "eq", label: "= equals" },
];
const CATEGORIES = (["billing", "configurable", "infrastructure"] as const).map((c) => ({
  value: c,
  label: CATEGORY_LABELS[c],
}));
const IMPACTS = [
  ...(["minor", "major", "critical"] as const).map((i) => ({ value: i, label: IMPACT_LABELS[i] })),
  { value: "none", label: "None" },
];

export function RuleForm({ action }: { action: Action }) {
  return (
    <ActionForm
      action={action}
      label="New threshold rule"
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
      <Field label="Title" name="name" required placeholder="Low balance" />
      <Field
        label="Metric"
        name="metric"
        required
        placeholder="balance"
        hint="balance, cps, channels, asr, acd, pdd…"
      />
      <SelectField label="Condition" name="operator" options={OPERATORS} />
      <Field label="Threshold" name="threshold" type="number" step="any" required />
      <Field
        label="Sample period (minutes)"
        name="samplePeriodMinutes"
        type="number"
        min={0}
        max={1440}
        defaultValue={0}
        hint="0 compares the latest sample"
      />
      <SelectField label="Category" name="category" options={CATEGORIES} />
      <SelectField label="Impact" name="impact" options={IMPACTS} />
      <div className="flex items-end">
        <SubmitButton pendingText="Saving…">Save rule</SubmitButton>
      </div>
    </ActionForm>
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
        <SubmitButton
          variant="danger"
          onClick={(e) => {
            if (!window.confirm(`Delete the rule “${rule.name}”?`)) e.preventDefault();
          }}
        >
          Delete
        </SubmitButton>
      </ActionForm>
    </div>
  );
}
