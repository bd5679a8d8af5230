import { eq } from "drizzle-orm";
import { incidents } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { requirePermission, type Ctx, withTransaction } from "@/lib/context";
import { ConflictError, parseInput } from "@/lib/errors";
import { lockIncident } from "./load";
import { renderMarkdown } from "@/lib/markdown";
import { PostmortemInput } from "./schemas";

/** Publishes (or revises) the postmortem of a resolved incident on its page. */
export async function publishPostmortem({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "incidents:write");
  const v = parseInput(PostmortemInput, input);
  return withTransaction(ctx, async (tx) => {
    const before = await lockIncident(tx, ctx, v.incidentId);
    if (before.status !== "resolved") {
      throw new ConflictError(
        `A postmortem is written once the incident is resolved; this one is ${before.status}`,
      );
    }
    const now = new Date();
    const [after] = await tx
      .update(incidents)
      .set({
        postmortem: v.postmortem,
        postmortemHtml: renderMarkdown(v.postmortem),
        postmortemPublishedAt: before.postmortemPublishedAt ?? now,
        updatedAt: now,
      })
      .where(eq(incidents.id, before.id))
      .returning();
    await recordAudit(tx, ctx, {
      action: before.postmortem ? "incident.postmortem_revised" : "incident.postmortem_published",
      targetType: "incident",
      targetId: before.id,
      data: { length: v.postmortem.length },
    });
    return after!;
  });
}
