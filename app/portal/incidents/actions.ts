"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { runAction } from "@/app/_server/ctx";
import type { ActionResult } from "@/lib/errors";
import { advanceMaintenance } from "@/lib/incidents/advance-maintenance";
import { openIncident } from "@/lib/incidents/open-incident";
import { postUpdate } from "@/lib/incidents/post-update";
import { publishPostmortem } from "@/lib/incidents/publish-postmortem";
import { reopenIncident } from "@/lib/incidents/reopen-incident";
import { scheduleMaintenance } from "@/lib/incidents/schedule-maintenance";
import { cellsFromForm, checked, nullable, text, utcLocal } from "./form-input";

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
  const result = await runAction(
    (ctx) =>
      openIncident({
        ctx,
        input: {
          title: text(form, "title"),
          category: text(form, "category"),
          impact: text(form, "impact"),
          audienceOrgId: nullable(form, "audienceOrgId"),
          status: text(form, "status"),
          message: text(form, "message"),
          cells: cellsFromForm(form),
          notify: checked(form, "notify"),
        },
      }),
    undefined,
    form,
  );
  if (!result.ok) return result;
  refresh();
  redirect(`/portal/incidents/${result.data.incident.id}`);
}

export async function postUpdateAction(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<unknown>> {
  const incidentId = text(form, "incidentId");
  const result = await runAction(
    (ctx) =>
      postUpdate({
        ctx,
        input: {
          incidentId,
          status: text(form, "status"),
          message: text(form, "message"),
          cells: cellsFromForm(form),
          notify: checked(form, "notify"),
        },
      }),
    "Update posted.",
    form,
  );
  refresh(incidentId);
  return result;
}

export async function reopenIncidentAction(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<unknown>> {
  const incidentId = text(form, "incidentId");
  const result = await runAction(
    (ctx) =>
      reopenIncident({
        ctx,
        input: {
          incidentId,
          status: text(form, "status"),
          message: text(form, "message"),
          cells: cellsFromForm(form),
          notify: checked(form, "notify"),
        },
      }),
    "Incident reopened.",
    form,
  );
  refresh(incidentId);
  return result;
}

export async function postmortemAction(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<unknown>> {
  const incidentId = text(form, "incidentId");
  const result = await runAction(
    (ctx) =>
      publishPostmortem({ ctx, input: { incidentId, postmortem: text(form, "postmortem") } }),
    "Postmortem published.",
    form,
  );
  refresh(incidentId);
  return result;
}

export async function scheduleMaintenanceAction(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<unknown>> {
  const result = await runAction(
    (ctx) =>
      scheduleMaintenance({
        ctx,
        input: {
          title: text(form, "title"),
          message: text(form, "message"),
          audienceOrgId: nullable(form, "audienceOrgId"),
          scheduledFor: utcLocal(form, "scheduledFor"),
          scheduledUntil: utcLocal(form, "scheduledUntil"),
          cells: cellsFromForm(form, { onlyStatus: true }),
          notify: checked(form, "notify"),
        },
      }),
    "Maintenance scheduled.",
    form,
  );
  refresh();
  return result;
}

export async function advanceMaintenanceAction(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<unknown>> {
  const result = await runAction(
    (ctx) =>
      advanceMaintenance({
        ctx,
        input: {
          maintenanceId: text(form, "maintenanceId"),
          status: text(form, "status"),
          message: text(form, "message"),
          notify: checked(form, "notify"),
        },
      }),
    "Maintenance updated.",
    form,
  );
  refresh();
  return result;
}
