import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import { boundedDate } from "@/lib/validation";
import { organizations } from "@/db/schema";
import { requirePermission, type Ctx } from "@/lib/context";
import { parseInput } from "@/lib/errors";
import {
  getIncident,
  getMaintenance,
  listIncidents,
  listMaintenances,
  loadPageOrg,
  type Viewer,
} from "@/lib/status/read";
import { IncidentIdInput, MaintenanceIdInput } from "./schemas";

/**
 * What the caller's organization may see: the page owner's staff see every incident; a tenant
 * sees public ones and its own tenant-only ones; nobody sees another tenant's.
 */
export async function viewerFor(ctx: Ctx): Promise<Viewer> {
  if (ctx.org.kind === "platform") {
    const page = await loadPageOrg(ctx.db);
    if (page.id === ctx.org.id) return { viewerOrgId: null, staff: true };
    return { viewerOrgId: null };
  }
  return { viewerOrgId: ctx.org.id };
}

export const ListIncidentsInput = z.object({
  limit: z.coerce
    .number({ message: "must be a number" })
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(100, "must be at most 100")
    .default(50),
  before: boundedDate().optional(),
});

export async function listIncidentsFor({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "incidents:read");
  const v = parseInput(ListIncidentsInput, input);
  return listIncidents(ctx.db, await viewerFor(ctx), { limit: v.limit, before: v.before });
}

export async function getIncidentFor({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "incidents:read");
  const { incidentId } = parseInput(IncidentIdInput, input);
  return getIncident(ctx.db, await viewerFor(ctx), incidentId);
}

export async function listMaintenancesFor({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "incidents:read");
  const v = parseInput(ListIncidentsInput.pick({ limit: true }), input);
  return listMaintenances(ctx.db, await viewerFor(ctx), { limit: v.limit });
}

export async function getMaintenanceFor({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "incidents:read");
  const { maintenanceId } = parseInput(MaintenanceIdInput, input);
  return getMaintenance(ctx.db, await viewerFor(ctx), maintenanceId);
}

/** Tenants an incident can be addressed to, for the console's audience choice. */
export async function listAudienceTenants({ ctx }: { ctx: Ctx }) {
  requirePermission(ctx, "incidents:write");
  return ctx.db
    .select({ id: organizations.id, name: organizations.name, slug: organizations.slug })
    .from(organizations)
    .where(eq(organizations.kind, "tenant"))
    .orderBy(asc(organizations.name));
}
