import { eq } from "drizzle-orm";
import { incidents } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { requirePermission, type Ctx, withTransaction } from "@/lib/context";
import { parseInput } from "@/lib/errors";
import { lockIncident } from "./load";
import { EditIncidentInput } from "./schemas";

/** Corrects an incident's title or impact (PATCH); status changes go through updates. */
export async function editIncident({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "incidents:write");
  const v = parseInput(EditIncidentInput, input);
  return withTransaction(ctx, async (tx) => {
    const before = await lockIncident(tx, ctx, v.incidentId);
    const [after] = await tx
      .update(incidents)
      .set({
        title: v.title ?? before.title,
        impact: v.impact ?? before.impact,
        updatedAt: new Date(),
      })
      .where(eq(incidents.id, before.id))
      .returning();
    await recordAudit(tx, ctx, {
      action: "incident.edited",
      targetType: "incident",
      targetId: before.id,
      data: {
        before: { title: before.title, impact: before.impact },
        after: { title: after!.title, impact: after!.impact },
      },
    });
    return after!;
  });
}
