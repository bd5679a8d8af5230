import { and, eq, inArray, isNull, ne, sql } from "drizzle-orm";
import type { Tx } from "@/db";
import {
  cellStatusIntervals,
  incidentCells,
  incidents,
  incidentUpdateCells,
  incidentUpdates,
  maintenanceCells,
  maintenances,
  type ComponentStatus,
} from "@/db/schema";
import { statusChangesOnCommit } from "./changes";
import { cellKey, deriveCellStatuses, worstStatus } from "./derive";

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

/**
 * Rewrites the recorded status history of `cells` between `from` and `to` by replaying what
 * happened then: every public incident's cell changes (each update at its time, the first at the
 * incident's start and the resolving one at its end, so a back-filled incident counts for its
 * real interval) and every public maintenance that ran. Spans outside the window are kept as
 * they are; one crossing an edge is cut there. Call holding `lockStatus`, after the incident's
 * times are written.
 */
export async function replayCellIntervals(
  tx: Tx,
  orgId: string,
  cells: readonly { componentId: string; regionId: string }[],
  from: Date,
  to: Date,
): Promise<void> {
  if (cells.length === 0 || to <= from) return;
  const componentIds = [...new Set(cells.map((c) => c.componentId))];
  const lo = from.getTime();
  const hi = to.getTime();

  const changes = await tx
    .select({
      incidentId: incidents.id,
      startedAt: incidents.startedAt,
      resolvedAt: incidents.resolvedAt,
      status: incidents.status,
      updateId: incidentUpdates.id,
      createdAt: incidentUpdates.createdAt,
      componentId: incidentUpdateCells.componentId,
      regionId: incidentUpdateCells.regionId,
      after: incidentUpdateCells.after,
    })
    .from(incidentUpdateCells)
    .innerJoin(incidentUpdates, eq(incidentUpdates.id, incidentUpdateCells.updateId))
    .innerJoin(incidents, eq(incidents.id, incidentUpdates.incidentId))
    .where(
      and(
        eq(incidents.orgId, orgId),
        isNull(incidents.audienceOrgId),
        inArray(incidentUpdateCells.componentId, componentIds),
      ),
    );
  // Each incident's first and last update: they take the incident's start and end.
  const incidentIds = [...new Set(changes.map((c) => c.incidentId))];
  const bounds = incidentIds.length
    ? await tx
        .select({
          incidentId: incidentUpdates.incidentId,
          first: sql<string>`min(${incidentUpdates.createdAt})`,
          last: sql<string>`max(${incidentUpdates.createdAt})`,
        })
        .from(incidentUpdates)
        .where(inArray(incidentUpdates.incidentId, incidentIds))
        .groupBy(incidentUpdates.incidentId)
    : [];
  const boundOf = new Map(
    bounds.map((b) => [
      b.incidentId,
      { first: new Date(b.first).getTime(), last: new Date(b.last).getTime() },
    ]),
  );
  const effective = (c: (typeof changes)[number]) => {
    const start = c.startedAt.getTime();
    const end = c.status === "resolved" && c.resolvedAt ? c.resolvedAt.getTime() : Infinity;
    const t = c.createdAt.getTime();
    const b = boundOf.get(c.incidentId)!;
    if (t === b.first) return start;
    if (t === b.last && end !== Infinity) return end;
    return Math.min(Math.max(t, start), end);
  };

  const maintenanceRows = await tx
    .select({
      startedAt: maintenances.startedAt,
      completedAt: maintenances.completedAt,
      componentId: maintenanceCells.componentId,
      regionId: maintenanceCells.regionId,
    })
    .from(maintenanceCells)
    .innerJoin(maintenances, eq(maintenances.id, maintenanceCells.maintenanceId))
    .where(
      and(
        eq(maintenances.orgId, orgId),
        isNull(maintenances.audienceOrgId),
        isNull(maintenances.cancelledAt),
        inArray(maintenanceCells.componentId, componentIds),
      ),
    );

  const seen = new Set<string>();
  for (const cell of cells) {
    const key = cellKey(cell.componentId, cell.regionId);
    if (seen.has(key)) continue;
    seen.add(key);
    const mine = changes
      .filter((c) => c.componentId === cell.componentId && c.regionId === cell.regionId)
      .map((c) => ({ ...c, at: effective(c) }))
      .sort((a, b) => a.at - b.at || a.createdAt.getTime() - b.createdAt.getTime());
    const spans = maintenanceRows
      .filter(
        (m) => m.startedAt && m.componentId === cell.componentId && m.regionId === cell.regionId,
      )
      .map((m) => ({ a: m.startedAt!.getTime(), b: m.completedAt?.getTime() ?? Infinity }));
    const statusAt = (t: number): ComponentStatus => {
      const byIncident = new Map<string, ComponentStatus>();
      for (const c of mine) if (c.at <= t) byIncident.set(c.incidentId, c.after);
      const all = [...byIncident.values()];
      if (spans.some((s) => s.a <= t && t < s.b)) all.push("under_maintenance");
      return worstStatus(all);
    };
    const edges = [lo, ...mine.map((c) => c.at), ...spans.flatMap((s) => [s.a, s.b])]
      .filter((t) => t >= lo && t < hi)
      .sort((a, b) => a - b);
    const replayed: { status: ComponentStatus; a: number; b: number }[] = [];
    [...new Set(edges)].forEach((a, i, list) => {
      const b = list[i + 1] ?? hi;
      const status = statusAt(a);
      const last = replayed[replayed.length - 1];
      if (last && last.status === status) last.b = b;
      else replayed.push({ status, a, b });
    });

    // Cut the recorded spans at the window's edges and drop what lies inside it.
    const recorded = await tx
      .select()
      .from(cellStatusIntervals)
      .where(
        and(
          eq(cellStatusIntervals.orgId, orgId),
          eq(cellStatusIntervals.componentId, cell.componentId),
          eq(cellStatusIntervals.regionId, cell.regionId),
          sql`${cellStatusIntervals.startedAt} < ${to.toISOString()}::timestamptz`,
          sql`(${cellStatusIntervals.endedAt} is null or ${cellStatusIntervals.endedAt} > ${from.toISOString()}::timestamptz)`,
        ),
      );
    for (const r of recorded) {
      const a = r.startedAt.getTime();
      const b = r.endedAt ? r.endedAt.getTime() : Infinity;
      if (a < lo) {
        await tx
          .update(cellStatusIntervals)
          .set({ endedAt: from })
          .where(eq(cellStatusIntervals.id, r.id));
        if (b > hi)
          await tx.insert(cellStatusIntervals).values({
            orgId,
            componentId: r.componentId,
            regionId: r.regionId,
            status: r.status,
            startedAt: to,
            endedAt: r.endedAt,
          });
      } else if (b > hi) {
        await tx
          .update(cellStatusIntervals)
          .set({ startedAt: to })
          .where(eq(cellStatusIntervals.id, r.id));
      } else {
        await tx.delete(cellStatusIntervals).where(eq(cellStatusIntervals.id, r.id));
      }
    }
    const rows = replayed
      .filter((s) => s.status !== "operational")
      .map((s) => ({
        orgId,
        componentId: cell.componentId,
        regionId: cell.regionId,
        status: s.status,
        startedAt: new Date(s.a),
        endedAt: new Date(s.b),
      }));
    if (rows.length) await tx.insert(cellStatusIntervals).values(rows);
  }
}
