import { apiRoute } from "@/app/_server/api";
import { getMaintenanceFor } from "@/lib/incidents/list";

export const GET = apiRoute<{ id: string }>(async ({ ctx, params }) => ({
  maintenance: await getMaintenanceFor({ ctx, input: { maintenanceId: params.id } }),
}));
