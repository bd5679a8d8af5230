"use client";

import { useEffect, useRef, useState } from "react";
import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import type { ActionResult } from "@/lib/errors";

type Action = (prev: unknown, form: FormData) => Promise<ActionResult<unknown>>;
type State = ActionResult<unknown> | null;

const inputClass =
  "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-sky-600 dark:border-slate-700 dark:bg-slate-900";

const SEVERITIES = [
  { value: "critical", label: "Critical: service down, no workaround" },
  { value: "high", label: "High: major feature impaired" },
  { value: "medium", label: "Medium: partial impact, workaround exists" },
  { value: "low", label: "Low: question or minor issue" },
];
const CHANNEL_LABELS: Record<string, string> = {
  email: "Email",
  sms: "SMS",
  slack: "Slack",
  teams: "Teams",
  webhook: "Webhook",
  in_app: "In-app",
};

/** A field's error, beside it, in the words of its label; focus goes to the first one in error. */
function useFieldErrors(state: State, order: string[]) {
  const fields = state && !state.ok ? (state.fields ?? {}) : {};
  const formRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const first = order.find((f) => fields[f]);
    if (!first) return;
    formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
    // Focus once per answer from the server.
  }, [state]);
  return { fields, formRef };
}

function ErrorText({ id, label, error }: { id: string; label: string; error?: string }) {
  if (!error) return null;
  return (
    <p id={id} className="text-sm text-red-700 dark:text-red-400">
      {label}: {error}
    </p>
  );
}

/** Inputs keep what was typed across a refused submission: their values live here, not in the DOM. */
function useValues(initial: Record<string, string>) {
  const [values, setValues] = useState(initial);
  const bind = (name: string) => ({
    name,
    value: values[name] ?? "",
    onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) =>
      setValues((v) => ({ ...v, [name]: e.target.value })),
  });
  const set = (name: string, value: string) => setValues((v) => ({ ...v, [name]: value }));
  return { values, bind, set };
}

function TextInput({
  label,
  error,
  bound,
  textarea,
  hint,
  ...rest
}: {
  label: string;
  error?: string;
  hint?: string;
  textarea?: boolean;
  bound: ReturnType<ReturnType<typeof useValues>["bind"]>;
} & React.InputHTMLAttributes<HTMLInputElement>) {
  const id = `f-${bound.name}`;
  const describedBy = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      {textarea ? (
        <textarea
          id={id}
          rows={5}
          className={inputClass}
          aria-invalid={Boolean(error)}
          aria-describedby={describedBy}
          {...bound}
        />
      ) : (
        <input
          id={id}
          className={inputClass}
          aria-invalid={Boolean(error)}
          aria-describedby={describedBy}
          {...bound}
          {...rest}
        />
      )}
      {hint && !error && (
        <p id={`${id}-hint`} className="text-xs text-slate-500 dark:text-slate-400">
          {hint}
        </p>
      )}
      <ErrorText id={`${id}-error`} label={label} error={error} />
    </div>
  );
}

export interface RaiseDefaults {
  subject?: string;
  description?: string;
  incidentId?: string;
  deliveryId?: string;
  channels?: string[];
  /** An instant (ISO 8601); the form shows it in the reader's time zone. */
  observedAt?: string;
}

/** Raise a Tier 1 ticket: prefilled from an incident or a failed delivery when opened from one. */
export function RaiseTicketForm({
  action,
  incidents,
  defaults,
  tenantId,
}: {
  action: Action;
  incidents: { id: string; title: string }[];
  defaults: RaiseDefaults;
  tenantId: string;
}) {
  const { values, bind, set } = useValues({
    subject: defaults.subject ?? "",
    description: defaults.description ?? "",
    severity: "medium",
    incidentId: defaults.incidentId ?? "",
    observedAt: "",
  });
  const [channels, setChannels] = useState<string[]>(defaults.channels ?? []);
  const [zone, setZone] = useState("");
  const [offset, setOffset] = useState("");
  useEffect(() => {
    setZone(Intl.DateTimeFormat().resolvedOptions().timeZone);
    // The time of a delivery, shown as the reader's own wall-clock time.
    if (defaults.observedAt) {
      const d = new Date(defaults.observedAt);
      const pad = (n: number) => String(n).padStart(2, "0");
      set(
        "observedAt",
        `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`,
      );
    }
  }, []);
  useEffect(() => {
    const local = values.observedAt;
    setOffset(local ? String(new Date(local).getTimezoneOffset()) : "");
  }, [values.observedAt]);
  return (
    <ActionForm
      action={action}
      label="Raise a ticket"
      className="space-y-4"
      render={(state) => (
        <RaiseFields
          state={state as State}
          bind={bind}
          incidents={incidents}
          channels={channels}
          setChannels={setChannels}
          zone={zone}
          offset={offset}
          deliveryId={defaults.deliveryId}
          tenantId={tenantId}
        />
      )}
    />
  );
}

function RaiseFields({
  state,
  bind,
  incidents,
  channels,
  setChannels,
  zone,
  offset,
  deliveryId,
  tenantId,
}: {
  state: State;
  bind: ReturnType<typeof useValues>["bind"];
  incidents: { id: string; title: string }[];
  channels: string[];
  setChannels: (c: string[]) => void;
  zone: string;
  offset: string;
  deliveryId?: string;
  tenantId: string;
}) {
  const { fields, formRef } = useFieldErrors(state, [
    "subject",
    "severity",
    "incidentId",
    "channels",
    "observedAt",
    "description",
  ]);
  return (
    <div ref={formRef} className="space-y-4">
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Tenant ID <code className="rounded bg-slate-100 px-1 dark:bg-slate-800">{tenantId}</code> is
        sent with the ticket.
      </p>
      <TextInput label="Subject" bound={bind("subject")} error={fields.subject} maxLength={200} />
      <div className="space-y-1">
        <label htmlFor="f-severity" className="block text-sm font-medium">
          Severity
        </label>
        <select id="f-severity" className={inputClass} {...bind("severity")}>
          {SEVERITIES.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
        <ErrorText id="f-severity-error" label="Severity" error={fields.severity} />
      </div>
      <div className="space-y-1">
        <label htmlFor="f-incidentId" className="block text-sm font-medium">
          Incident (an example, if one is involved)
        </label>
        <select id="f-incidentId" className={inputClass} {...bind("incidentId")}>
          <option value="">None</option>
          {incidents.map((i) => (
            <option key={i.id} value={i.id}>
              {i.title}
            </option>
          ))}
        </select>
        <ErrorText id="f-incidentId-error" label="Incident" error={fields.incidentId} />
      </div>
      {deliveryId && <input type="hidden" name="deliveryId" value={deliveryId} />}
      <fieldset className="space-y-1">
        <legend className="text-sm font-medium">Channels affected</legend>
        <div className="flex flex-wrap gap-3">
          {Object.entries(CHANNEL_LABELS).map(([value, label]) => (
            <label key={value} className="flex items-center gap-1 text-sm">
              <input
                type="checkbox"
                name="channels"
                value={value}
                checked={channels.includes(value)}
                onChange={(e) =>
                  setChannels(
                    e.target.checked ? [...channels, value] : channels.filter((c) => c !== value),
                  )
                }
              />
              {label}
            </label>
          ))}
        </div>
        <ErrorText id="f-channels-error" label="Channels affected" error={fields.channels} />
      </fieldset>
      <TextInput
        label="When you saw it"
        type="datetime-local"
        bound={bind("observedAt")}
        error={fields.observedAt}
        hint={zone ? `Your time zone: ${zone}` : undefined}
      />
      <input type="hidden" name="observedTimeZone" value={zone} />
      <input type="hidden" name="observedOffsetMinutes" value={offset} />
      <TextInput
        label="What happened"
        textarea
        bound={bind("description")}
        error={fields.description}
      />
      <SubmitButton pendingText="Raising…">Raise ticket</SubmitButton>
    </div>
  );
}

/** A form with one text box and hidden fields: replies, unsatisfactory, escalations. */
export function TextBoxForm({
  action,
  hidden,
  name,
  label,
  button,
  extra,
  variant = "primary",
  initial = "",
  textarea = true,
}: {
  action: Action;
  hidden: Record<string, string>;
  name: string;
  label: string;
  button: string;
  extra?: React.ReactNode;
  variant?: "primary" | "secondary" | "danger";
  initial?: string;
  textarea?: boolean;
}) {
  const { bind } = useValues({ [name]: initial });
  return (
    <ActionForm
      action={action}
      label={button}
      className="space-y-2"
      render={(state) => (
        <TextBoxFields state={state as State} name={name}>
          {Object.entries(hidden).map(([k, v]) => (
            <input key={k} type="hidden" name={k} value={v} />
          ))}
          <TextInput
            label={label}
            textarea={textarea}
            bound={bind(name)}
            error={state && !state.ok ? state.fields?.[name] : undefined}
          />
          {extra}
          <SubmitButton variant={variant}>{button}</SubmitButton>
        </TextBoxFields>
      )}
    />
  );
}

function TextBoxFields({
  state,
  name,
  children,
}: {
  state: State;
  name: string;
  children: React.ReactNode;
}) {
  const { formRef } = useFieldErrors(state, [name]);
  return (
    <div ref={formRef} className="space-y-2">
      {children}
    </div>
  );
}

export function TicketStatusForm({
  action,
  id,
  status,
  assigneeId,
  workers,
}: {
  action: Action;
  id: string;
  status: string;
  assigneeId: string | null;
  workers: { id: string; name: string }[];
}) {
  const { bind } = useValues({ status, assigneeId: assigneeId ?? "" });
  return (
    <ActionForm
      action={action}
      label="Status and assignee"
      className="flex flex-wrap items-end gap-3"
    >
      <input type="hidden" name="id" value={id} />
      <div className="space-y-1">
        <label htmlFor="f-status" className="block text-sm font-medium">
          Status
        </label>
        <select id="f-status" className={inputClass} {...bind("status")}>
          <option value="new">New</option>
          <option value="acknowledged">Acknowledged</option>
          <option value="waiting_on_customer">Waiting on customer</option>
          <option value="resolved">Resolved</option>
          <option value="closed">Closed</option>
        </select>
      </div>
      <div className="space-y-1">
        <label htmlFor="f-assigneeId" className="block text-sm font-medium">
          Assignee
        </label>
        <select id="f-assigneeId" className={inputClass} {...bind("assigneeId")}>
          <option value="">Unassigned</option>
          {workers.map((w) => (
            <option key={w.id} value={w.id}>
              {w.name}
            </option>
          ))}
        </select>
      </div>
      <SubmitButton variant="secondary">Save</SubmitButton>
    </ActionForm>
  );
}

/** The Tier 3 escalation form: a Tier 2 ticket ID and the reason. */
export function Tier3Form({ action }: { action: Action }) {
  const { bind } = useValues({ tier2TicketId: "", reason: "" });
  return (
    <ActionForm
      action={action}
      label="Tier 3 escalation"
      className="space-y-3"
      render={(state) => <Tier3Fields state={state as State} bind={bind} />}
    />
  );
}

function Tier3Fields({
  state,
  bind,
}: {
  state: State;
  bind: ReturnType<typeof useValues>["bind"];
}) {
  const { fields, formRef } = useFieldErrors(state, ["tier2TicketId", "reason"]);
  return (
    <div ref={formRef} className="space-y-3">
      <TextInput
        label="Tier 2 ticket ID"
        bound={bind("tier2TicketId")}
        error={fields.tier2TicketId}
        placeholder="T2-2026-000123"
        hint="The ID of your Tier 2 escalation, from its page or its email"
      />
      <TextInput
        label="Why this needs senior attention"
        textarea
        bound={bind("reason")}
        error={fields.reason}
      />
      <SubmitButton variant="danger">Escalate to Tier 3</SubmitButton>
    </div>
  );
}

export interface TierValues {
  tier: number;
  name: string;
  description: string;
  phone: string | null;
  email: string | null;
}

export function TierForm({ action, tier }: { action: Action; tier: TierValues }) {
  const { bind } = useValues({
    name: tier.name,
    description: tier.description,
    phone: tier.phone ?? "",
    email: tier.email ?? "",
  });
  return (
    <ActionForm
      action={action}
      label={`Tier ${tier.tier}`}
      className="space-y-3"
      render={(state) => {
        const f = state && !state.ok ? (state.fields ?? {}) : {};
        return (
          <div className="space-y-3">
            <input type="hidden" name="tier" value={tier.tier} />
            <TextInput label={`Tier ${tier.tier} name`} bound={bind("name")} error={f.name} />
            <TextInput
              label="Description"
              textarea
              bound={bind("description")}
              error={f.description}
            />
            <div className="grid gap-3 sm:grid-cols-2">
              <TextInput label="Phone" bound={bind("phone")} error={f.phone} type="tel" />
              <TextInput label="Email" bound={bind("email")} error={f.email} type="email" />
            </div>
            <SubmitButton variant="secondary">Save tier {tier.tier}</SubmitButton>
          </div>
        );
      }}
    />
  );
}

const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

export function SupportSettingsForm({
  action,
  settings,
}: {
  action: Action;
  settings: {
    timeZone: string;
    days: number[];
    opens: string;
    closes: string;
    holidays: string;
    targets: Record<string, { acknowledgeHours: number; resolveHours: number }>;
  };
}) {
  const initial: Record<string, string> = {
    timeZone: settings.timeZone,
    opens: settings.opens,
    closes: settings.closes,
    holidays: settings.holidays,
  };
  for (const [s, t] of Object.entries(settings.targets)) {
    initial[`targets.${s}.acknowledgeHours`] = String(t.acknowledgeHours);
    initial[`targets.${s}.resolveHours`] = String(t.resolveHours);
  }
  const { bind } = useValues(initial);
  const [days, setDays] = useState(settings.days);
  return (
    <ActionForm
      action={action}
      label="Business hours and targets"
      className="space-y-4"
      render={(state) => {
        const f = state && !state.ok ? (state.fields ?? {}) : {};
        return (
          <div className="space-y-4">
            <div className="grid gap-3 sm:grid-cols-3">
              <TextInput label="Time zone" bound={bind("timeZone")} error={f.timeZone} />
              <TextInput label="Opens" bound={bind("opens")} error={f.opens} type="time" />
              <TextInput label="Closes" bound={bind("closes")} error={f.closes} type="time" />
            </div>
            <fieldset>
              <legend className="text-sm font-medium">Working days</legend>
              <div className="flex flex-wrap gap-3">
                {DAYS.map((d, i) => (
                  <label key={d} className="flex items-center gap-1 text-sm">
                    <input
                      type="checkbox"
                      name="days"
                      value={i + 1}
                      checked={days.includes(i + 1)}
                      onChange={(e) =>
                        setDays(
                          e.target.checked ? [...days, i + 1] : days.filter((x) => x !== i + 1),
                        )
                      }
                    />
                    {d}
                  </label>
                ))}
              </div>
              <ErrorText id="f-days-error" label="Working days" error={f.days} />
            </fieldset>
            <TextInput
              label="Holidays"
              bound={bind("holidays")}
              error={Object.entries(f).find(([k]) => k.startsWith("holidays"))?.[1]}
              hint="Dates as YYYY-MM-DD, separated by spaces or commas"
            />
            <table className="text-sm">
              <caption className="text-left font-medium">Targets in business hours</caption>
              <thead>
                <tr>
                  <th className="pr-3 text-left">Severity</th>
                  <th className="pr-3 text-left">Acknowledge within</th>
                  <th className="text-left">Resolve within</th>
                </tr>
              </thead>
              <tbody>
                {Object.keys(settings.targets).map((s) => (
                  <tr key={s}>
                    <th scope="row" className="pr-3 text-left font-normal capitalize">
                      {s}
                    </th>
                    {(["acknowledgeHours", "resolveHours"] as const).map((k) => {
                      const name = `targets.${s}.${k}`;
                      return (
                        <td key={k} className="pr-3 align-top">
                          <input
                            aria-label={`${s} ${k === "acknowledgeHours" ? "acknowledge" : "resolve"} hours`}
                            type="number"
                            step="0.25"
                            min="0.25"
                            className={inputClass}
                            aria-invalid={Boolean(f[name])}
                            {...bind(name)}
                          />
                          {f[name] && (
                            <p className="text-sm text-red-700 dark:text-red-400">{f[name]}</p>
                          )}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
            <SubmitButton variant="secondary">Save business hours</SubmitButton>
          </div>
        );
      }}
    />
  );
}
