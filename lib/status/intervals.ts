import { and, eq, inArray, isNull, ne, sql } from "drizzle-orm";
import type { Tx } from "@/db";
import {
  cellStatusIntervals,
  incidentCells,
  incidents,
  maintenanceCells,
  maintenances,
  type ComponentStatus,
} from "@/db/schema";
import { statusChangesOnCommit } from "./changes";
import { cellKey, deriveCellStatuses } from "./derive";

/** Every status-changing verb takes this lock first, so interval rows never interleave. */
const STATUS_LOCK_KEY = 0x6265_6163; // "beac"

/**
 * Takes the status lock for the rest of the transaction and, since the caller is about to change
 * the public status, drops the status snapshot once the transaction commits (statusChanged).
 */
export async function lockStatus(tx: Tx) {
  await tx.execute(sql`select pg_advisory_xact_lock(${STATUS_LOCK_KEY})`);
  statusChangesOnCommit(tx);
}

/**
 * Re-derives the public status of the given cells (from public unresolved incidents and running
 * public maintenances) and records a change in `cell_status_intervals`: the open span is closed
 * at `at` and a new one opened when the status is not operational. Call inside the verb's
 * transaction, after its own writes, holding `lockStatus`.
 */
export async function syncCellIntervals(
  tx: Tx,
  orgId: string,
  cells: readonly { componentId: string; regionId: string }[],
  at: Date,
): Promise<void> {
  if (cells.length === 0) return;
  const componentIds = [...new Set(cells.map((c) => c.componentId))];

  const incidentRows = await tx
    .select({
      incidentId: incidentCells.incidentId,
      impact: incidents.impact,
      componentId: incidentCells.componentId,
      regionId: incidentCells.regionId,
      status: incidentCells.status,
    })
    .from(incidentCells)
    .innerJoin(incidents, eq(incidents.id, incidentCells.incidentId))
    .where(
      and(
        eq(incidents.orgId, orgId),
        isNull(incidents.audienceOrgId),
        ne(incidents.status, "resolved"),
        inArray(incidentCells.componentId, componentIds),
      ),
    );
  const maintenanceRows = await tx
    .select({ componentId: maintenanceCells.componentId, regionId: maintenanceCells.regionId })
    .from(maintenanceCells)
    .innerJoin(maintenances, eq(maintenances.id, maintenanceCells.maintenanceId))
    .where(
      and(
        eq(maintenances.orgId, orgId),
        isNull(maintenances.audienceOrgId),
        inArray(maintenances.status, ["in_progress", "verifying"]),
        inArray(maintenanceCells.componentId, componentIds),
      ),
    );
  const derived = deriveCellStatuses(
    incidentRows.map((r) => ({ impact: r.impact, cells: [r] })),
    [{ cells: maintenanceRows }],
  );

  const open = await tx
    .select()
    .from(cellStatusIntervals)
    .where(
      and(
        eq(cellStatusIntervals.orgId, orgId),
        isNull(cellStatusIntervals.endedAt),
        inArray(cellStatusIntervals.componentId, componentIds),
      ),
    );
  const openByCell = new Map(open.map((o) => [cellKey(o.componentId, o.regionId), o]));

  const seen = new Set<string>();
  for (const c of cells) {
    const key = cellKey(c.componentId, c.regionId);
    if (seen.has(key)) continue;
    seen.add(key);
    const next: ComponentStatus = derived.get(key) ?? "operational";
    const current = openByCell.get(key);
    if (current?.status === next) continue;
    if (current) {
      await tx
        .update(cellStatusIntervals)
        .set({ endedAt: at })
        .where(eq(cellStatusIntervals.id, current.id));
    }
    if (next !== "operational") {
      await tx.insert(cellStatusIntervals).values({
        orgId,
        componentId: c.componentId,
        regionId: c.regionId,
        status: next,
        startedAt: at,
      });
    }
  }
}
