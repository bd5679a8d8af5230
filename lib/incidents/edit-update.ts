import { and, eq } from "drizzle-orm";
import { incidentUpdates } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { requirePermission, type Ctx, withTransaction } from "@/lib/context";
import { NotFoundError } from "@/lib/errors";
import { isUuid, parseTargetInput } from "@/lib/ids";
import { renderMarkdown } from "@/lib/markdown";
import { lockIncident } from "./load";
import { EditUpdateInput } from "./schemas";

/**
 * Corrects the message of an update already posted (a typo, a wrong figure). The public timeline
 * shows the corrected text marked "edited"; the audit row keeps the original and the new text.
 * Nobody is notified again: a correction is not news.
 */
export async function editIncidentUpdate({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "incidents:write");
  const v = parseTargetInput(EditUpdateInput, input, {
    field: "incidentId",
    notFound: "Incident",
  });
  if (!isUuid(v.updateId)) throw new NotFoundError("Incident update");
  return withTransaction(ctx, async (tx) => {
    const incident = await lockIncident(tx, ctx, v.incidentId);
    const [before] = await tx
      .select()
      .from(incidentUpdates)
      .where(and(eq(incidentUpdates.id, v.updateId), eq(incidentUpdates.incidentId, incident.id)))
      .for("update");
    if (!before) throw new NotFoundError("Incident update");
    const now = new Date();
    const [after] = await tx
      .update(incidentUpdates)
      .set({ message: v.message, messageHtml: renderMarkdown(v.message), editedAt: now })
      .where(eq(incidentUpdates.id, before.id))
      .returning();
    await recordAudit(tx, ctx, {
      action: "incident.update_edited",
      targetType: "incident",
      targetId: incident.id,
      data: { updateId: before.id, before: before.message, after: v.message },
    });
    return after!;
  });
}
