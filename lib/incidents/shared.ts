import { eq } from "drizzle-orm";
import type { Tx } from "@/db";
import {
  incidentCells,
  incidentUpdateCells,
  organizations,
  type ComponentStatus,
  type Incident,
  type IncidentCategory,
  type Impact,
  type NotificationPayload,
} from "@/db/schema";
import type { Ctx } from "@/lib/context";
import { env } from "@/lib/env";
import { ValidationError } from "@/lib/errors";

export function authorOf(ctx: Pick<Ctx, "actor">) {
  const a = ctx.actor;
  return {
    authorType: a.type,
    authorId: a.id ?? null,
    authorName:
      a.type === "user" ? a.name || a.email : a.type === "api_key" ? `API key ${a.name}` : "System",
  };
}

/** `baseUrl`: the status page's public URL setting (`publicBaseUrl`), else APP_URL. */
export const incidentUrl = (id: string, baseUrl = env.APP_URL) =>
  new URL(`/incidents/${id}`, baseUrl).toString();
export const maintenanceUrl = (id: string, baseUrl = env.APP_URL) =>
  new URL(`/maintenances/${id}`, baseUrl).toString();

/** The audience must be a tenant organization (never the platform org, never unknown). */
export async function checkAudience(
  tx: Tx,
  audienceOrgId: string | null,
  category?: IncidentCategory,
) {
  if (audienceOrgId === null) {
    if (category === "configurable") {
      throw new ValidationError([
        {
          field: "audienceOrgId",
          message:
            "a Configurable incident concerns one tenant and cannot be public; choose the tenant",
        },
      ]);
    }
    return;
  }
  const [org] = await tx
    .select({ kind: organizations.kind })
    .from(organizations)
    .where(eq(organizations.id, audienceOrgId));
  if (!org || org.kind !== "tenant") {
    throw new ValidationError([
      { field: "audienceOrgId", message: "is not a tenant organization" },
    ]);
  }
}

/**
 * Applies cell changes for one update: upserts the incident's current cells and records the
 * before/after of every cell whose status changes (or that is added).
 */
export async function applyCellChanges(
  tx: Tx,
  incidentId: string,
  updateId: string,
  changes: readonly { componentId: string; regionId: string; status: ComponentStatus }[],
): Promise<
  {
    componentId: string;
    regionId: string;
    before: ComponentStatus | null;
    after: ComponentStatus;
  }[]
> {
  if (changes.length === 0) return [];
  const current = await tx
    .select()
    .from(incidentCells)
    .where(eq(incidentCells.incidentId, incidentId));
  const byKey = new Map(current.map((c) => [`${c.componentId}:${c.regionId}`, c.status]));
  const applied: {
    componentId: string;
    regionId: string;
    before: ComponentStatus | null;
    after: ComponentStatus;
  }[] = [];
  for (const c of changes) {
    const before = byKey.get(`${c.componentId}:${c.regionId}`) ?? null;
    if (before === c.status) continue;
    await tx
      .insert(incidentCells)
      .values({ incidentId, componentId: c.componentId, regionId: c.regionId, status: c.status })
      .onConflictDoUpdate({
        target: [incidentCells.incidentId, incidentCells.componentId, incidentCells.regionId],
        set: { status: c.status },
      });
    applied.push({ componentId: c.componentId, regionId: c.regionId, before, after: c.status });
  }
  if (applied.length) {
    await tx.insert(incidentUpdateCells).values(applied.map((a) => ({ updateId, ...a })));
  }
  return applied;
}

export async function allCellsOf(tx: Tx, incidentId: string) {
  return tx.select().from(incidentCells).where(eq(incidentCells.incidentId, incidentId));
}

export function incidentPayload(
  incident: Pick<Incident, "id" | "title" | "category" | "impact" | "audienceOrgId" | "status">,
  cells: readonly { componentId: string; regionId: string }[],
  update: { id: string; message: string },
  baseUrl?: string,
): NotificationPayload {
  return {
    title: incident.title,
    category: incident.category,
    impact: incident.impact as Impact,
    audience: incident.audienceOrgId
      ? { type: "tenant", orgId: incident.audienceOrgId }
      : { type: "public" },
    componentIds: [...new Set(cells.map((c) => c.componentId))],
    regionIds: [...new Set(cells.map((c) => c.regionId))],
    status: incident.status,
    message: update.message,
    url: incidentUrl(incident.id, baseUrl),
    incidentId: incident.id,
    updateId: update.id,
  };
}
