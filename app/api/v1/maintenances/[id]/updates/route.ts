import { apiRoute, readJson } from "@/app/_server/api";
import { advanceMaintenance } from "@/lib/incidents/advance-maintenance";

/** POST: move maintenance on ({ status: in_progress | verifying | completed, message, notify? }). */
export const POST = apiRoute<{ id: string }>(async ({ ctx, req, params }) => {
  const body = (await readJson(req)) as Record<string, unknown>;
  return Response.json(
    await advanceMaintenance({ ctx, input: { ...body, maintenanceId: params.id } }),
    { status: 201 },
  );
});
