import { apiRoute, readJson } from "@/app/_server/api";
import { editMaintenance } from "@/lib/incidents/edit-maintenance";
import { getMaintenanceFor } from "@/lib/incidents/list";
import { ValidationError } from "@/lib/errors";

export const GET = apiRoute<{ id: string }>(async ({ ctx, params }) => ({
  maintenance: await getMaintenanceFor({ ctx, input: { maintenanceId: params.id } }),
}));

/**
 * PATCH: change a window that has not ended ({ title?, scheduledFor?, scheduledUntil?,
 * automatic?, notifyAutomatic?, reminderMinutes?, message?, notify? }). Its reminders and
 * automatic start and end are planned again; subscribers hear of a new window unless
 * `notify` is false. Status changes are updates: POST /api/v1/maintenances/{id}/updates.
 */
export const PATCH = apiRoute<{ id: string }>(async ({ ctx, req, params }) => {
  const body = await readJson(req);
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ValidationError([{ field: "(body)", message: "must be a JSON object" }]);
  }
  if ("status" in body) {
    throw new ValidationError([
      {
        field: "status",
        message: "is changed by posting an update to /api/v1/maintenances/{id}/updates",
      },
    ]);
  }
  return await editMaintenance({ ctx, input: { ...body, maintenanceId: params.id } });
});
