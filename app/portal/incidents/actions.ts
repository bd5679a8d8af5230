"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { formFields, runFormAction } from "@/app/_server/form";
import type { ActionResult } from "@/lib/errors";
import { advanceMaintenance } from "@/lib/incidents/advance-maintenance";
import { openIncident } from "@/lib/incidents/open-incident";
import { postUpdate } from "@/lib/incidents/post-update";
import { publishPostmortem } from "@/lib/incidents/publish-postmortem";
import { editIncidentUpdate } from "@/lib/incidents/edit-update";
import { backfillIncident } from "@/lib/incidents/backfill-incident";
import { reopenIncident } from "@/lib/incidents/reopen-incident";
import { scheduleMaintenance } from "@/lib/incidents/schedule-maintenance";
import { cancelMaintenance, editMaintenance } from "@/lib/incidents/edit-maintenance";
import { cellsFromForm, reminderMinutesFromForm, utcLocal } from "./form-input";

// The public page and /api/v2 read the status snapshot, which each verb invalidates on commit
// (lib/status/changes.ts); revalidatePath refreshes the console's own server-rendered pages.
function refresh(incidentId?: string) {
  revalidatePath("/portal/incidents");
  if (incidentId) revalidatePath(`/portal/incidents/${incidentId}`);
}

export async function openIncidentAction(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<unknown>> {
  const result = await runFormAction(form, {
    input: (f) => ({
      // The template only records where the incident came from: the form sends every field.
      templateId: f.optional("templateId"),
      title: f.text("title"),
      category: f.text("category"),
      impact: f.text("impact"),
      audienceOrgId: f.nullable("audienceOrgId"),
      status: f.text("status"),
      message: f.text("message"),
      cells: cellsFromForm(f.form),
      notify: f.checked("notify"),
    }),
    verb: openIncident,
  });
  if (!result.ok) return result;
  refresh();
  redirect(`/portal/incidents/${result.data.incident.id}`);
}

/** Posting an update and reopening take the same form: status, message, cells, notify. */
async function runUpdateForm(
  form: FormData,
  verb: typeof postUpdate | typeof reopenIncident,
  message: string,
): Promise<ActionResult<unknown>> {
  const incidentId = formFields(form).text("incidentId");
  const result = await runFormAction(form, {
    input: (f) => ({
      incidentId,
      status: f.text("status"),
      message: f.text("message"),
      cells: cellsFromForm(f.form),
      notify: f.checked("notify"),
    }),
    verb,
    message,
  });
  refresh(incidentId);
  return result;
}

export async function postUpdateAction(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<unknown>> {
  return runUpdateForm(form, postUpdate, "Update posted.");
}

export async function reopenIncidentAction(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<unknown>> {
  return runUpdateForm(form, reopenIncident, "Incident reopened.");
}

export async function postmortemAction(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<unknown>> {
  const incidentId = formFields(form).text("incidentId");
  const result = await runFormAction(form, {
    input: (f) => ({
      incidentId,
      postmortem: f.text("postmortem"),
      notify: f.checked("notify"),
    }),
    verb: publishPostmortem,
    message: "Postmortem published.",
  });
  refresh(incidentId);
  return result;
}

/** Corrects an earlier update's message (nobody is notified again). */
export async function editUpdateAction(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<unknown>> {
  const incidentId = formFields(form).text("incidentId");
  const result = await runFormAction(form, {
    input: (f) => ({ incidentId, updateId: f.text("updateId"), message: f.text("message") }),
    verb: editIncidentUpdate,
    message: "Update corrected.",
  });
  refresh(incidentId);
  return result;
}

/** Sets a resolved incident's real start and end (uptime follows). */
export async function backfillIncidentAction(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<unknown>> {
  const incidentId = formFields(form).text("incidentId");
  const result = await runFormAction(form, {
    input: (f) => ({
      incidentId,
      startedAt: utcLocal(f.optional("startedAt")),
      resolvedAt: utcLocal(f.optional("resolvedAt")),
    }),
    verb: backfillIncident,
    message: "Times saved; uptime now counts the incident for them.",
  });
  refresh(incidentId);
  return result;
}

export async function scheduleMaintenanceAction(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<unknown>> {
  const result = await runFormAction(form, {
    input: (f) => ({
      // The template only records where the incident came from: the form sends every field.
      templateId: f.optional("templateId"),
      title: f.text("title"),
      message: f.text("message"),
      audienceOrgId: f.nullable("audienceOrgId"),
      scheduledFor: utcLocal(f.text("scheduledFor")),
      scheduledUntil: utcLocal(f.text("scheduledUntil")),
      cells: cellsFromForm(f.form, { onlyStatus: true }),
      notify: f.checked("notify"),
      automatic: f.checked("automatic"),
      notifyAutomatic: f.checked("notifyAutomatic"),
      reminderMinutes: reminderMinutesFromForm(f.text("reminderMinutes")),
    }),
    verb: scheduleMaintenance,
    message: "Maintenance scheduled.",
  });
  refresh();
  return result;
}

export async function advanceMaintenanceAction(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<unknown>> {
  const result = await runFormAction(form, {
    input: (f) => ({
      maintenanceId: f.text("maintenanceId"),
      status: f.text("status"),
      message: f.text("message"),
      notify: f.checked("notify"),
    }),
    verb: advanceMaintenance,
    message: "Maintenance updated.",
  });
  refresh();
  return result;
}

export async function editMaintenanceAction(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<unknown>> {
  const result = await runFormAction(form, {
    input: (f) => ({
      maintenanceId: f.text("maintenanceId"),
      scheduledFor: utcLocal(f.optional("scheduledFor")),
      scheduledUntil: utcLocal(f.optional("scheduledUntil")),
      automatic: f.checked("automatic"),
      reminderMinutes: reminderMinutesFromForm(f.text("reminderMinutes")),
      message: f.optional("message"),
      notify: f.checked("notify"),
    }),
    verb: editMaintenance,
    message: "Maintenance changed.",
  });
  refresh();
  return result;
}

export async function cancelMaintenanceAction(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<unknown>> {
  const result = await runFormAction(form, {
    input: (f) => ({
      maintenanceId: f.text("maintenanceId"),
      message: f.optional("message"),
      notify: f.checked("notify"),
    }),
    verb: cancelMaintenance,
    message: "Maintenance cancelled.",
  });
  refresh();
  return result;
}
