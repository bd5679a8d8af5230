import { eq } from "drizzle-orm";
import { incidents, incidentUpdates } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { requirePermission, type Ctx, withTransaction } from "@/lib/context";
import { parseInput } from "@/lib/errors";
import { enqueueNotification } from "@/lib/alerts/outbox";
import { lockStatus, syncCellIntervals } from "@/lib/status/intervals";
import { checkReopen } from "./lifecycle";
import { lockIncident } from "./load";
import { renderMarkdown } from "@/lib/markdown";
import { ReopenIncidentInput } from "./schemas";
import { checkCells } from "@/lib/catalog/check";
import { allCellsOf, applyCellChanges, authorOf, incidentPayload } from "./shared";

/** Reopens a resolved incident: an explicit update of kind "reopen", recorded and audited. */
export async function reopenIncident({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "incidents:write");
  const v = parseInput(ReopenIncidentInput, input);
  const now = new Date();
  return withTransaction(ctx, async (tx) => {
    const incident = await lockIncident(tx, ctx, v.incidentId);
    checkReopen(incident.status);
    // The status lock first: catalogue changes take it too, so a cell cannot be taken away
    // between this check and the commit.
    await lockStatus(tx);
    await checkCells(tx, ctx.org.id, v.cells);
    const [update] = await tx
      .insert(incidentUpdates)
      .values({
        incidentId: incident.id,
        kind: "reopen",
        status: v.status,
        message: v.message,
        messageHtml: renderMarkdown(v.message),
        notify: v.notify,
        ...authorOf(ctx),
        createdAt: now,
      })
      .returning();
    const applied = await applyCellChanges(tx, incident.id, update!.id, v.cells);
    const [updated] = await tx
      .update(incidents)
      .set({ status: v.status, resolvedAt: null, updatedAt: now })
      .where(eq(incidents.id, incident.id))
      .returning();
    const allCells = await allCellsOf(tx, incident.id);
    if (!incident.audienceOrgId) await syncCellIntervals(tx, ctx.org.id, allCells, now);
    await recordAudit(tx, ctx, {
      action: "incident.reopened",
      targetType: "incident",
      targetId: incident.id,
      data: { updateId: update!.id, to: v.status, cells: applied, notify: v.notify },
    });
    if (v.notify) {
      await enqueueNotification(tx, {
        orgId: ctx.org.id,
        kind: "incident.updated",
        payload: incidentPayload(updated!, allCells, update!),
      });
    }
    return { incident: updated!, update: update! };
  });
}
