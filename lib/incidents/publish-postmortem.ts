import { eq } from "drizzle-orm";
import { incidents } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { requirePermission, type Ctx, withTransaction } from "@/lib/context";
import { ConflictError, parseInput } from "@/lib/errors";
import { lockIncident } from "./load";
import { renderMarkdown } from "@/lib/markdown";
import { PostmortemInput } from "./schemas";
import { allCellsOf, incidentPayload } from "./shared";
import { enqueueNotification } from "@/lib/alerts/outbox";
import { publicBaseUrl } from "@/lib/status/page-settings";

/** The notice carries the postmortem up to this length; the incident page has all of it. */
export const POSTMORTEM_NOTICE_LENGTH = 2_000;

/**
 * Publishes (or revises) the postmortem of a resolved incident on its page. With `notify`
 * (Statuspage's "notify subscribers", off unless asked, revisions included) one
 * `incident.postmortem` notice goes out: to the public subscribers of the incident's components
 * who take postmortem notices, and through the tenants' usual routing.
 */
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
      data: { length: v.postmortem.length, notify: v.notify },
    });
    if (v.notify) {
      const text =
        v.postmortem.length > POSTMORTEM_NOTICE_LENGTH
          ? `${v.postmortem.slice(0, POSTMORTEM_NOTICE_LENGTH).trimEnd()}…`
          : v.postmortem;
      const payload = incidentPayload(
        after!,
        await allCellsOf(tx, before.id),
        { id: "", message: text },
        await publicBaseUrl(tx, ctx.org.id),
      );
      delete payload.updateId;
      await enqueueNotification(tx, {
        orgId: ctx.org.id,
        kind: "incident.postmortem",
        payload: { ...payload, status: "postmortem" },
      });
    }
    return after!;
  });
}
