import { apiRoute, readJson } from "@/app/_server/api";
import { cancelMaintenance } from "@/lib/incidents/edit-maintenance";

/** POST: call off a window that has not started ({ message?, notify? }; notify defaults to true). */
export const POST = apiRoute<{ id: string }>(async ({ ctx, req, params }) => {
  const body = (await readJson(req)) as Record<string, unknown>;
  return await cancelMaintenance({ ctx, input: { ...body, maintenanceId: params.id } });
});
