import { and, eq } from "drizzle-orm";
import type { Tx } from "@/db";
import { incidents, maintenances } from "@/db/schema";
import type { Ctx } from "@/lib/context";
import { NotFoundError } from "@/lib/errors";
import { statusChangesOnCommit } from "@/lib/status/changes";

/**
 * Locks the incident row for this change; another organization's id is simply not found. The
 * change shows on the status surfaces, so they are told once the transaction commits.
 */
export async function lockIncident(tx: Tx, ctx: Ctx, incidentId: string) {
  const [row] = await tx
    .select()
    .from(incidents)
    .where(and(eq(incidents.id, incidentId), eq(incidents.orgId, ctx.org.id)))
    .for("update");
  if (!row) throw new NotFoundError("Incident");
  statusChangesOnCommit(tx);
  return row;
}

/** As lockIncident, for a maintenance. */
export async function lockMaintenance(tx: Tx, ctx: Ctx, maintenanceId: string) {
  const [row] = await tx
    .select()
    .from(maintenances)
    .where(and(eq(maintenances.id, maintenanceId), eq(maintenances.orgId, ctx.org.id)))
    .for("update");
  if (!row) throw new NotFoundError("Maintenance");
  statusChangesOnCommit(tx);
  return row;
}
