import { stopEscalations } from "@/lib/oncall/engine";
import { eq } from "drizzle-orm";
import { publicBaseUrl } from "@/lib/status/page-settings";
import { incidents, incidentUpdates, type ComponentStatus } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { requirePermission, type Ctx, withTransaction } from "@/lib/context";
import { parseInput } from "@/lib/errors";
import { enqueueNotification } from "@/lib/alerts/outbox";
import { lockStatus, syncCellIntervals } from "@/lib/status/intervals";
import { checkIncidentTransition } from "./lifecycle";
import { lockIncident } from "./load";
import { renderMarkdown } from "@/lib/markdown";
import { PostUpdateInput } from "./schemas";
import { checkCells } from "@/lib/catalog/check";
import { allCellsOf, applyCellChanges, authorOf, incidentPayload } from "./shared";

/**
 * Posts an update: new status, message and cell changes. Resolving sets every cell not named in
 * the update back to operational, so a resolved incident never holds a component down.
 */
export async function postUpdate({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "incidents:write");
  const v = parseInput(PostUpdateInput, input);
  const now = new Date();
  return withTransaction(ctx, async (tx) => {
    const incident = await lockIncident(tx, ctx, v.incidentId);
    checkIncidentTransition(incident.status, v.status);
    // The status lock first: catalogue changes take it too, so a cell cannot be taken away
    // between this check and the commit.
    await lockStatus(tx);
    await checkCells(tx, ctx.org.id, v.cells);

    let changes: { componentId: string; regionId: string; status: ComponentStatus }[] = v.cells;
    if (v.status === "resolved") {
      const named = new Set(v.cells.map((c) => `${c.componentId}:${c.regionId}`));
      const rest = (await allCellsOf(tx, incident.id))
        .filter((c) => !named.has(`${c.componentId}:${c.regionId}`))
        .map((c) => ({
          componentId: c.componentId,
          regionId: c.regionId,
          status: "operational" as const,
        }));
      changes = [...v.cells.map((c) => ({ ...c, status: "operational" as const })), ...rest];
    }

    const [update] = await tx
      .insert(incidentUpdates)
      .values({
        incidentId: incident.id,
        status: v.status,
        message: v.message,
        messageHtml: renderMarkdown(v.message),
        notify: v.notify,
        ...authorOf(ctx),
        createdAt: now,
      })
      .returning();
    const applied = await applyCellChanges(tx, incident.id, update!.id, changes);
    const [updated] = await tx
      .update(incidents)
      .set({
        status: v.status,
        updatedAt: now,
        monitoringAt:
          v.status === "monitoring" && !incident.monitoringAt ? now : incident.monitoringAt,
        resolvedAt: v.status === "resolved" ? now : null,
      })
      .where(eq(incidents.id, incident.id))
      .returning();
    const allCells = await allCellsOf(tx, incident.id);
    if (!incident.audienceOrgId) await syncCellIntervals(tx, ctx.org.id, allCells, now);
    await recordAudit(tx, ctx, {
      action: v.status === "resolved" ? "incident.resolved" : "incident.updated",
      targetType: "incident",
      targetId: incident.id,
      data: {
        updateId: update!.id,
        from: incident.status,
        to: v.status,
        cells: applied,
        notify: v.notify,
      },
    });
    // Resolving stops every on-call escalation of the incident: nobody more is paged.
    if (v.status === "resolved")
      await stopEscalations(tx, { incidentId: incident.id }, "the incident was resolved", now);
    if (v.notify) {
      await enqueueNotification(tx, {
        orgId: ctx.org.id,
        kind: v.status === "resolved" ? "incident.resolved" : "incident.updated",
        payload: incidentPayload(updated!, allCells, update!, await publicBaseUrl(tx, ctx.org.id)),
      });
    }
    return { incident: updated!, update: update!, changes: applied };
  });
}
