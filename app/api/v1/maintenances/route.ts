import { apiRoute, readJson } from "@/app/_server/api";
import { listMaintenancesFor } from "@/lib/incidents/list";
import { scheduleMaintenance } from "@/lib/incidents/schedule-maintenance";

export const GET = apiRoute(async ({ ctx, req }) => ({
  maintenances: await listMaintenancesFor({
    ctx,
    input: Object.fromEntries(new URL(req.url).searchParams),
  }),
}));

/** POST: schedule maintenance ({ title, message, scheduledFor, scheduledUntil, cells, notify? }). */
export const POST = apiRoute(async ({ ctx, req }) =>
  Response.json(await scheduleMaintenance({ ctx, input: await readJson(req) }), { status: 201 }),
);
