"use client";

import { useId } from "react";
import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import {
  CheckboxField,
  Field,
  GroupError,
  SelectField,
  TextareaField,
} from "@/components/ui/field";
import { useFieldState, useSentValues } from "@/components/ui/form-context";
import { CATEGORY_LABELS, IMPACT_LABELS, regionLabel } from "@/lib/labels";
import type { ActionResult } from "@/lib/errors";

type Action = (
  prev: ActionResult<unknown> | null,
  form: FormData,
) => Promise<ActionResult<unknown>>;

export interface CatalogProps {
  components: { id: string; name: string }[];
  regions: { id: string; code: string; name: string }[];
  /** The real cells, `componentId:regionId`: only these can be picked. */
  cells: string[];
}

const CELL_STATUS_OPTIONS = [
  { value: "operational", label: "Operational" },
  { value: "degraded_performance", label: "Degraded performance" },
  { value: "partial_outage", label: "Partial outage" },
  { value: "major_outage", label: "Major outage" },
  { value: "under_maintenance", label: "Under maintenance" },
];

function MessageField({
  label = "Message (markdown)",
  name = "message",
}: {
  label?: string;
  name?: string;
}) {
  // TextareaField's id is unique per form: the incidents page has both the incident's and the
  // maintenance's message.
  return <TextareaField label={label} name={name} required rows={4} />;
}

/** On by default: a responder unticks it for a quiet correction (the API's default is off). */
function Notify() {
  return <CheckboxField label="Notify subscribers" name="notify" defaultChecked />;
}

/**
 * One select per component × region. Blank leaves a cell as it is (or unaffected); each select
 * is labelled "<component> in <region>" for screen readers and tests.
 */
export function CellMatrix({
  components,
  regions,
  cells,
  current = {},
  initial = {},
  blankLabel,
  statuses = CELL_STATUS_OPTIONS,
}: CatalogProps & {
  current?: Record<string, string>;
  /** Each cell's preselected status (`componentId:regionId` → status), e.g. a template's. */
  initial?: Record<string, string>;
  blankLabel: string;
  statuses?: { value: string; label: string }[];
}) {
  const real = new Set(cells);
  const sent = useSentValues();
  const errorId = useId();
  const legend = "Affected components × regions";
  // An error on any cell ("cells.3.status", or "cells" itself) is shown once, under the grid, and
  // the grid's first select carries it.
  const { error } = useFieldState("cells", { label: legend });
  const first = components
    .flatMap((c) => regions.map((r) => `${c.id}:${r.id}`))
    .find((k) => real.has(k));
  return (
    <fieldset className="space-y-2">
      <legend className="text-sm font-medium">{legend}</legend>
      <div className="scroll-x">
        <table className="text-sm">
          <thead>
            <tr>
              <th scope="col" className="pr-2 text-left font-medium">
                Component
              </th>
              {regions.map((r) => (
                <th key={r.id} scope="col" className="px-1 font-medium">
                  {regionLabel(r)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {components.map((c) => (
              <tr key={c.id}>
                <th
                  scope="row"
                  className="sticky left-0 z-10 bg-(--surface) pr-2 text-left font-normal whitespace-nowrap"
                >
                  {c.name}
                </th>
                {regions.map((r) => {
                  const key = `${c.id}:${r.id}`;
                  if (!real.has(key))
                    return (
                      <td key={r.id} className="px-1 py-0.5 text-center text-slate-400">
                        <span aria-hidden="true">–</span>
                        <span className="sr-only">
                          {c.name} does not run in {r.name}
                        </span>
                      </td>
                    );
                  return (
                    <td key={r.id} className="px-1 py-0.5">
                      <select
                        name={`cell:${key}`}
                        aria-label={`${c.name} in ${r.name}`}
                        defaultValue={sent.value(`cell:${key}`, initial[key] ?? "")}
                        aria-invalid={error && key === first ? true : undefined}
                        aria-describedby={error ? errorId : undefined}
                        className="w-28 rounded border border-slate-300 bg-white px-1 py-1 text-xs dark:border-slate-700 dark:bg-slate-900"
                      >
                        <option value="">
                          {current[key] ? `${blankLabel} (${current[key]})` : blankLabel}
                        </option>
                        {statuses.map((s) => (
                          <option key={s.value} value={s.value}>
                            {s.label}
                          </option>
                        ))}
                      </select>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <GroupError name="cells" label={legend} id={errorId} />
    </fieldset>
  );
}

/** What the open-incident form needs of a template to fill itself in. */
export interface TemplateChoice {
  id: string;
  name: string;
  title: string;
  body: string;
  category: string;
  impact: string;
  cells: { componentId: string; regionId: string; status: string }[];
}

/**
 * "New incident from template": choosing one fills the title, first message, category, impact
 * and the cell grid, all still editable before the incident is opened.
 */
function TemplatePicker({ templates }: { templates: TemplateChoice[] }) {
  if (templates.length === 0) return null;
  const fill = (select: HTMLSelectElement) => {
    const t = templates.find((x) => x.id === select.value);
    const form = select.form;
    if (!t || !form) return;
    const set = (name: string, value: string) => {
      const el = form.elements.namedItem(name);
      if (
        el instanceof HTMLInputElement ||
        el instanceof HTMLTextAreaElement ||
        el instanceof HTMLSelectElement
      )
        el.value = value;
    };
    set("title", t.title);
    set("message", t.body);
    set("category", t.category);
    set("impact", t.impact);
    const cells = new Map(t.cells.map((c) => [`cell:${c.componentId}:${c.regionId}`, c.status]));
    for (const el of Array.from(form.elements)) {
      if (el instanceof HTMLSelectElement && el.name.startsWith("cell:"))
        el.value = cells.get(el.name) ?? "";
    }
  };
  return (
    <SelectField
      label="New incident from template"
      name="templateId"
      defaultValue=""
      hint="Fills in the fields below; change any of them before opening."
      onChange={(e) => fill(e.currentTarget)}
      options={[
        { value: "", label: "No template" },
        ...templates.map((t) => ({ value: t.id, label: t.name })),
      ]}
    />
  );
}

export function OpenIncidentForm({
  action,
  tenants,
  templates = [],
  ...catalog
}: CatalogProps & {
  action: Action;
  tenants: { id: string; name: string }[];
  templates?: TemplateChoice[];
}) {
  return (
    <ActionForm action={action} label="Open an incident" className="space-y-4">
      <TemplatePicker templates={templates} />
      <Field label="Title" name="title" required maxLength={200} />
      <div className="grid gap-4 sm:grid-cols-3">
        <SelectField
          label="Category"
          name="category"
          options={[
            { value: "infrastructure", label: CATEGORY_LABELS.infrastructure },
            { value: "billing", label: CATEGORY_LABELS.billing },
            { value: "configurable", label: `${CATEGORY_LABELS.configurable} (one tenant)` },
          ]}
        />
        <SelectField
          label="Impact"
          name="impact"
          defaultValue="minor"
          options={[
            { value: "none", label: "None" },
            ...(["minor", "major", "critical"] as const).map((i) => ({
              value: i,
              label: IMPACT_LABELS[i],
            })),
          ]}
        />
        <SelectField
          label="Audience"
          name="audienceOrgId"
          options={[
            { value: "", label: "Public" },
            ...tenants.map((t) => ({ value: t.id, label: `${t.name} only` })),
          ]}
        />
      </div>
      <SelectField
        label="Status"
        name="status"
        options={[
          { value: "investigating", label: "Investigating" },
          { value: "identified", label: "Identified" },
          { value: "monitoring", label: "Monitoring" },
        ]}
      />
      <CellMatrix {...catalog} blankLabel="Not affected" />
      <MessageField label="First update (markdown)" />
      <Notify />
      <SubmitButton pendingText="Opening…">Open incident</SubmitButton>
    </ActionForm>
  );
}

export function PostUpdateForm({
  action,
  incidentId,
  status,
  current,
  ...catalog
}: CatalogProps & {
  action: Action;
  incidentId: string;
  status: string;
  current: Record<string, string>;
}) {
  const order = ["investigating", "identified", "monitoring", "resolved"];
  const allowed = order.slice(order.indexOf(status));
  return (
    <ActionForm action={action} label="Post an update" className="space-y-4">
      <input type="hidden" name="incidentId" value={incidentId} />
      <SelectField
        label="New status"
        name="status"
        defaultValue={status}
        options={allowed.map((s) => ({ value: s, label: s[0]!.toUpperCase() + s.slice(1) }))}
      />
      <CellMatrix {...catalog} current={current} blankLabel="Unchanged" />
      <p className="text-xs text-slate-500 dark:text-slate-400">
        Resolving sets every affected cell back to operational.
      </p>
      <MessageField />
      <Notify />
      <SubmitButton pendingText="Posting…">Post update</SubmitButton>
    </ActionForm>
  );
}

export function ReopenForm({
  action,
  incidentId,
  ...catalog
}: CatalogProps & { action: Action; incidentId: string }) {
  return (
    <ActionForm action={action} label="Reopen the incident" className="space-y-4">
      <input type="hidden" name="incidentId" value={incidentId} />
      <SelectField
        label="Status after reopening"
        name="status"
        options={[
          { value: "investigating", label: "Investigating" },
          { value: "identified", label: "Identified" },
          { value: "monitoring", label: "Monitoring" },
        ]}
      />
      <CellMatrix {...catalog} blankLabel="Operational" />
      <MessageField label="Why it is reopened (markdown)" />
      <Notify />
      <SubmitButton variant="danger" pendingText="Reopening…">
        Reopen incident
      </SubmitButton>
    </ActionForm>
  );
}

export function PostmortemForm({
  action,
  incidentId,
  current,
}: {
  action: Action;
  incidentId: string;
  current: string | null;
}) {
  // Statuspage's "notify subscribers": on for the first publication, off for a revision.
  return (
    <ActionForm action={action} label="Postmortem" className="space-y-4">
      <input type="hidden" name="incidentId" value={incidentId} />
      <TextareaField
        label="Postmortem (markdown, published on the incident page)"
        name="postmortem"
        required
        rows={8}
        defaultValue={current ?? ""}
      />
      <CheckboxField label="Notify subscribers" name="notify" defaultChecked={!current} />
      <p className="text-xs text-slate-500 dark:text-slate-400">
        Sends the postmortem to subscribers of the affected components who take postmortem notices.
      </p>
      <SubmitButton pendingText="Publishing…">
        {current ? "Update postmortem" : "Publish postmortem"}
      </SubmitButton>
    </ActionForm>
  );
}

export function ScheduleMaintenanceForm({
  action,
  tenants,
  ...catalog
}: CatalogProps & { action: Action; tenants: { id: string; name: string }[] }) {
  return (
    <ActionForm action={action} label="Schedule maintenance" className="space-y-4">
      <Field label="Title" name="title" required maxLength={200} />
      <div className="grid gap-4 sm:grid-cols-3">
        <Field label="Starts (UTC)" name="scheduledFor" type="datetime-local" step={1} required />
        <Field label="Ends (UTC)" name="scheduledUntil" type="datetime-local" step={1} required />
        <SelectField
          label="Audience"
          name="audienceOrgId"
          options={[
            { value: "", label: "Public" },
            ...tenants.map((t) => ({ value: t.id, label: `${t.name} only` })),
          ]}
        />
      </div>
      <CellMatrix
        {...catalog}
        blankLabel="Not affected"
        statuses={[{ value: "under_maintenance", label: "Under maintenance" }]}
      />
      <MessageField />
      <Notify />
      <MaintenanceAutomationFields automatic reminderMinutes={[1440, 60]} withNotifyAutomatic />
      <SubmitButton pendingText="Scheduling…">Schedule maintenance</SubmitButton>
    </ActionForm>
  );
}

export function AdvanceMaintenanceForm({
  action,
  maintenanceId,
  status,
  title,
}: {
  action: Action;
  maintenanceId: string;
  status: string;
  title: string;
}) {
  const order = ["scheduled", "in_progress", "verifying", "completed"];
  const next = order.slice(order.indexOf(status) + 1);
  if (next.length === 0) return null;
  const labels: Record<string, string> = {
    in_progress: "In progress",
    verifying: "Verifying",
    completed: "Completed",
  };
  return (
    <ActionForm
      action={action}
      label={`Advance ${title}`}
      className="mt-2 grid gap-2 sm:grid-cols-[auto_1fr_auto_auto] sm:items-end"
    >
      <input type="hidden" name="maintenanceId" value={maintenanceId} />
      <SelectField
        label="Move to"
        name="status"
        options={next.map((s) => ({ value: s, label: labels[s]! }))}
      />
      <Field label="Message" name="message" required />
      <Notify />
      <SubmitButton variant="secondary">Advance</SubmitButton>
    </ActionForm>
  );
}

/** Whether a window moves on its own, whether those moves notify, and its reminders. */
function MaintenanceAutomationFields({
  automatic,
  reminderMinutes,
  withNotifyAutomatic = false,
}: {
  automatic: boolean;
  reminderMinutes: number[];
  withNotifyAutomatic?: boolean;
}) {
  return (
    <fieldset className="space-y-2">
      <legend className="text-sm font-medium">Automation</legend>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="automatic" defaultChecked={automatic} className="size-4" />{" "}
        Start and complete on its own at the times above
      </label>
      {withNotifyAutomatic && (
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="notifyAutomatic" defaultChecked className="size-4" /> Notify
          subscribers when it starts and completes on its own
        </label>
      )}
      <Field
        label="Reminders (minutes before the start)"
        name="reminderMinutes"
        defaultValue={reminderMinutes.join(", ")}
        hint="Sent once each to subscribers and affected tenants; 1440 is 24 hours. Leave empty for none."
      />
    </fieldset>
  );
}

const toLocalInput = (iso: string) => iso.slice(0, 19);

/** Reschedule a window that has not ended (its automation follows), or cancel one not started. */
export function EditMaintenanceForms({
  editAction,
  cancelAction,
  maintenanceId,
  title,
  status,
  scheduledFor,
  scheduledUntil,
  automatic,
  reminderMinutes,
}: {
  editAction: Action;
  cancelAction: Action;
  maintenanceId: string;
  title: string;
  status: string;
  scheduledFor: string;
  scheduledUntil: string;
  automatic: boolean;
  reminderMinutes: number[];
}) {
  if (status === "completed") return null;
  return (
    <details className="mt-2">
      <summary className="cursor-pointer text-sm text-sky-700 dark:text-sky-400">
        Reschedule or cancel
      </summary>
      <ActionForm action={editAction} label={`Reschedule ${title}`} className="mt-2 space-y-3">
        <input type="hidden" name="maintenanceId" value={maintenanceId} />
        <div className="grid gap-4 sm:grid-cols-2">
          {status === "scheduled" && (
            <Field
              label="Starts (UTC)"
              name="scheduledFor"
              type="datetime-local"
              step={1}
              defaultValue={toLocalInput(scheduledFor)}
              required
            />
          )}
          <Field
            label="Ends (UTC)"
            name="scheduledUntil"
            type="datetime-local"
            step={1}
            defaultValue={toLocalInput(scheduledUntil)}
            required
          />
        </div>
        <MaintenanceAutomationFields automatic={automatic} reminderMinutes={reminderMinutes} />
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="notify" defaultChecked className="size-4" /> Tell subscribers
          about a new time
        </label>
        <SubmitButton variant="secondary">Save changes</SubmitButton>
      </ActionForm>
      {status === "scheduled" && (
        <ActionForm action={cancelAction} label={`Cancel ${title}`} className="mt-3 space-y-2">
          <input type="hidden" name="maintenanceId" value={maintenanceId} />
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="notify" defaultChecked className="size-4" /> Tell
            subscribers it is cancelled
          </label>
          <SubmitButton variant="secondary">Cancel this maintenance</SubmitButton>
        </ActionForm>
      )}
    </details>
  );
}

/** Create or edit an incident template (the platform admins' Incident templates page). */
export function IncidentTemplateForm({
  action,
  template,
  ...catalog
}: CatalogProps & { action: Action; template?: TemplateChoice }) {
  const initial = Object.fromEntries(
    (template?.cells ?? []).map((c) => [`${c.componentId}:${c.regionId}`, c.status]),
  );
  return (
    <ActionForm
      action={action}
      label={template ? `Edit template ${template.name}` : "New template"}
      className="space-y-4"
    >
      {template && <input type="hidden" name="templateId" value={template.id} />}
      <Field label="Name" name="name" required maxLength={100} defaultValue={template?.name} />
      <Field
        label="Incident title"
        name="title"
        required
        maxLength={200}
        defaultValue={template?.title}
      />
      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField
          label="Category"
          name="category"
          defaultValue={template?.category ?? "infrastructure"}
          options={[
            { value: "infrastructure", label: CATEGORY_LABELS.infrastructure },
            { value: "billing", label: CATEGORY_LABELS.billing },
            { value: "configurable", label: `${CATEGORY_LABELS.configurable} (one tenant)` },
          ]}
        />
        <SelectField
          label="Impact"
          name="impact"
          defaultValue={template?.impact ?? "minor"}
          options={[
            { value: "none", label: "None" },
            ...(["minor", "major", "critical"] as const).map((i) => ({
              value: i,
              label: IMPACT_LABELS[i],
            })),
          ]}
        />
      </div>
      <CellMatrix {...catalog} initial={initial} blankLabel="Not affected" />
      <TextareaField
        label="Message (markdown)"
        name="body"
        required
        rows={4}
        defaultValue={template?.body}
      />
      <SubmitButton pendingText="Saving…">
        {template ? "Save template" : "Add template"}
      </SubmitButton>
    </ActionForm>
  );
}

/** Corrects the message of an update already posted (the original stays in the audit log). */
export function EditUpdateForm({
  action,
  incidentId,
  updateId,
  message,
}: {
  action: Action;
  incidentId: string;
  updateId: string;
  message: string;
}) {
  return (
    <ActionForm action={action} label="Correct this update" className="space-y-2">
      <input type="hidden" name="incidentId" value={incidentId} />
      <input type="hidden" name="updateId" value={updateId} />
      <TextareaField
        label="Corrected message (markdown)"
        name="message"
        required
        rows={3}
        defaultValue={message}
      />
      <SubmitButton pendingText="Saving…">Save correction</SubmitButton>
    </ActionForm>
  );
}

/** A resolved incident's real start and end (UTC), for uptime. */
export function BackfillForm({
  action,
  incidentId,
  startedAt,
  resolvedAt,
}: {
  action: Action;
  incidentId: string;
  startedAt: string;
  resolvedAt: string;
}) {
  const local = (iso: string) => iso.slice(0, 19);
  return (
    <ActionForm action={action} label="Real start and end" className="space-y-4">
      <input type="hidden" name="incidentId" value={incidentId} />
      <div className="grid gap-4 sm:grid-cols-2">
        <Field
          label="Started (UTC)"
          name="startedAt"
          type="datetime-local"
          step={1}
          required
          defaultValue={local(startedAt)}
        />
        <Field
          label="Resolved (UTC)"
          name="resolvedAt"
          type="datetime-local"
          step={1}
          required
          defaultValue={local(resolvedAt)}
        />
      </div>
      <p className="text-xs text-slate-500 dark:text-slate-400">
        The uptime of the affected components is recomputed for these times. Nobody is notified.
      </p>
      <SubmitButton pendingText="Saving…">Save times</SubmitButton>
    </ActionForm>
  );
}
