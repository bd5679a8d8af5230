"use client";

import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { ConfirmSubmit } from "@/components/ui/confirm-submit";
import { Field, SelectField } from "@/components/ui/field";
import { IMPACT_LABELS } from "@/lib/labels";
import type { ActionResult } from "@/lib/errors";
import { FORM_TIERS } from "./form-tiers";

type Action = (prev: unknown, form: FormData) => Promise<ActionResult<unknown>>;

export interface PolicyChoices {
  members: { id: string; name: string | null; email: string }[];
  endpoints: { id: string; name: string; type: string }[];
  roleGroups: { value: string; label: string }[];
  platform: boolean;
}

export interface PolicyValue {
  id: string;
  name: string;
  repeatCount: number;
  incidentMinImpact: string | null;
  enabled: boolean;
  tiers: {
    targets: { userIds: string[]; roleGroups: string[]; endpointIds: string[] };
    timeoutMinutes: number;
  }[];
}

const IMPACTS = [
  { value: "", label: "Never (only threshold rules naming it)" },
  ...(["minor", "major", "critical"] as const).map((i) => ({
    value: i,
    label: `${IMPACT_LABELS[i]} or worse`,
  })),
];

const boxClass = "rounded border-slate-300 dark:border-slate-700";

function Tier({
  n,
  choices,
  value,
}: {
  n: number;
  choices: PolicyChoices;
  value?: PolicyValue["tiers"][number];
}) {
  const t = value?.targets;
  return (
    <fieldset className="space-y-2 rounded-md border border-slate-200 p-3 dark:border-slate-800">
      <legend className="px-1 text-sm font-medium">
        Tier {n}
        {n > 1 && <span className="font-normal text-slate-500"> (optional)</span>}
      </legend>
      <div className="grid gap-3 sm:grid-cols-3">
        <div>
          <p className="text-xs font-medium text-slate-500">Members</p>
          {choices.members.map((m) => (
            <label key={m.id} className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                className={boxClass}
                name={`tier${n}.userIds`}
                value={m.id}
                defaultChecked={t?.userIds.includes(m.id)}
              />
              {m.name ? `${m.name} (${m.email})` : m.email}
            </label>
          ))}
        </div>
        <div>
          <p className="text-xs font-medium text-slate-500">Role groups</p>
          {choices.roleGroups.map((r) => (
            <label key={r.value} className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                className={boxClass}
                name={`tier${n}.roleGroups`}
                value={r.value}
                defaultChecked={t?.roleGroups.includes(r.value)}
              />
              Every {r.label}
            </label>
          ))}
          {choices.endpoints.length > 0 && (
            <p className="mt-2 text-xs font-medium text-slate-500">Endpoints</p>
          )}
          {choices.endpoints.map((e) => (
            <label key={e.id} className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                className={boxClass}
                name={`tier${n}.endpointIds`}
                value={e.id}
                defaultChecked={t?.endpointIds.includes(e.id)}
              />
              {e.name} ({e.type})
            </label>
          ))}
        </div>
        <Field
          label={`Tier ${n} timeout (minutes)`}
          name={`tier${n}.timeoutMinutes`}
          type="number"
          min={1}
          max={1440}
          defaultValue={value?.timeoutMinutes ?? [5, 10, 15][n - 1]}
          hint="Unacknowledged this long, the next tier is paged"
        />
      </div>
    </fieldset>
  );
}

export function PolicyForm({
  action,
  choices,
  value,
}: {
  action: Action;
  choices: PolicyChoices;
  value?: PolicyValue;
}) {
  return (
    <ActionForm
      action={action}
      label={value ? `Edit ${value.name}` : "New escalation policy"}
      className="space-y-4"
      render={(state) =>
        state && !state.ok && state.fields ? (
          <ul role="alert" className="text-sm text-red-700 dark:text-red-400">
            {Object.entries(state.fields).map(([f, m]) => (
              <li key={f}>
                {f}: {m}
              </li>
            ))}
          </ul>
        ) : null
      }
    >
      {value && <input type="hidden" name="policyId" value={value.id} />}
      <div className="grid gap-4 sm:grid-cols-3">
        <Field
          label="Name"
          name="name"
          required
          defaultValue={value?.name}
          placeholder="Primary on-call"
        />
        {choices.platform && (
          <SelectField
            label="Page when an incident opens at"
            name="incidentMinImpact"
            options={IMPACTS}
            defaultValue={value?.incidentMinImpact ?? "major"}
          />
        )}
        <Field
          label="Repeat count"
          name="repeatCount"
          type="number"
          min={0}
          max={10}
          defaultValue={value?.repeatCount ?? 0}
          hint="Times every tier is paged again after the last one times out"
        />
      </div>
      {Array.from({ length: FORM_TIERS }, (_, i) => (
        <Tier key={i} n={i + 1} choices={choices} value={value?.tiers[i]} />
      ))}
      <SubmitButton pendingText="Saving…">Save policy</SubmitButton>
    </ActionForm>
  );
}

export function DeletePolicyButton({
  action,
  id,
  name,
}: {
  action: Action;
  id: string;
  name: string;
}) {
  return (
    <ActionForm action={action} label={`Delete ${name}`}>
      <input type="hidden" name="policyId" value={id} />
      <ConfirmSubmit
        aria-label={`Delete ${name}`}
        question={`Delete the escalation policy “${name}”? Threshold rules that name it stop paging.`}
        confirm="Delete policy"
      >
        Delete
      </ConfirmSubmit>
    </ActionForm>
  );
}

export function AcknowledgeButton({ action, incidentId }: { action: Action; incidentId: string }) {
  return (
    <ActionForm action={action} label="Acknowledge the page">
      <input type="hidden" name="incidentId" value={incidentId} />
      <SubmitButton>Acknowledge</SubmitButton>
    </ActionForm>
  );
}
