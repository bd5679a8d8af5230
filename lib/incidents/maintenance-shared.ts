import type { Maintenance, NotificationPayload } from "@/db/schema";
import { maintenanceUrl } from "./shared";

export function maintenancePayload(
  m: Pick<Maintenance, "id" | "title" | "audienceOrgId" | "status">,
  cells: readonly { componentId: string; regionId: string }[],
  update: { id: string; message: string },
  baseUrl?: string,
): NotificationPayload {
  return {
    title: m.title,
    // An advisory, not an incident: tenants route it with its own row in Alerts & Notifications.
    category: "maintenance",
    impact: "none",
    audience: m.audienceOrgId ? { type: "tenant", orgId: m.audienceOrgId } : { type: "public" },
    componentIds: [...new Set(cells.map((c) => c.componentId))],
    regionIds: [...new Set(cells.map((c) => c.regionId))],
    status: m.status,
    message: update.message,
    url: maintenanceUrl(m.id, baseUrl),
    maintenanceId: m.id,
    updateId: update.id,
  };
}
