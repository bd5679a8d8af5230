import { startIncidentEscalations } from "@/lib/oncall/engine";
import { incidents, incidentUpdates } from "@/db/schema";
import { publicBaseUrl } from "@/lib/status/page-settings";
import { recordAudit } from "@/lib/audit";
import { requirePermission, type Ctx, withTransaction } from "@/lib/context";
import { z } from "zod";
import { parseInput, ValidationError } from "@/lib/errors";
import { enqueueNotification } from "@/lib/alerts/outbox";
import { lockStatus, syncCellIntervals } from "@/lib/status/intervals";
import { renderMarkdown } from "@/lib/markdown";
import { OpenIncidentInput, templateIdSchema } from "./schemas";
import { findTemplate } from "./templates";
import { checkCells } from "@/lib/catalog/check";
import { applyCellChanges, authorOf, checkAudience, incidentPayload } from "./shared";

/**
 * Opens an incident with its first update and affected cells. With `templateId`, the template's
 * title, message (its body), category, impact and cells stand in for each field not given.
 */
export async function openIncident({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "incidents:write");
  const raw: Record<string, unknown> =
    typeof input === "object" && input !== null && !Array.isArray(input)
      ? (input as Record<string, unknown>)
      : {};
  const { templateId } = parseInput(z.object({ templateId: templateIdSchema.optional() }), {
    templateId: raw.templateId ?? undefined,
  });
  const now = new Date();
  return withTransaction(ctx, async (tx) => {
    let merged: unknown = input;
    if (templateId) {
      const t = await findTemplate(tx, ctx, templateId);
      if (!t)
        throw new ValidationError([
          { field: "templateId", message: "is not an incident template of this status page" },
        ]);
      const given = Object.fromEntries(Object.entries(raw).filter(([, x]) => x !== undefined));
      merged = {
        title: t.title,
        message: t.body,
        category: t.category,
        impact: t.impact,
        cells: t.cells,
        ...given,
      };
    }
    const v = parseInput(OpenIncidentInput, merged);
    await checkAudience(tx, v.audienceOrgId, v.category);
    // The status lock first: catalogue changes take it too, so a cell cannot be taken away
    // between this check and the commit.
    await lockStatus(tx);
    await checkCells(tx, ctx.org.id, v.cells);
    const [incident] = await tx
      .insert(incidents)
      .values({
        orgId: ctx.org.id,
        title: v.title,
        category: v.category,
        impact: v.impact,
        audienceOrgId: v.audienceOrgId,
        status: v.status,
        startedAt: now,
        monitoringAt: v.status === "monitoring" ? now : null,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    const [update] = await tx
      .insert(incidentUpdates)
      .values({
        incidentId: incident!.id,
        status: v.status,
        message: v.message,
        messageHtml: renderMarkdown(v.message),
        notify: v.notify,
        ...authorOf(ctx),
        createdAt: now,
      })
      .returning();
    const changes = await applyCellChanges(tx, incident!.id, update!.id, v.cells);
    if (!v.audienceOrgId) await syncCellIntervals(tx, ctx.org.id, v.cells, now);
    await recordAudit(tx, ctx, {
      action: "incident.opened",
      targetType: "incident",
      targetId: incident!.id,
      data: {
        title: v.title,
        category: v.category,
        impact: v.impact,
        audienceOrgId: v.audienceOrgId,
        status: v.status,
        cells: changes,
        notify: v.notify,
        ...(templateId ? { templateId } : {}),
      },
    });
    // On-call: the platform's escalation policies this impact reaches page their first tier.
    await startIncidentEscalations(tx, incident!, now);
    if (v.notify) {
      await enqueueNotification(tx, {
        orgId: ctx.org.id,
        kind: "incident.created",
        payload: incidentPayload(incident!, v.cells, update!, await publicBaseUrl(tx, ctx.org.id)),
      });
    }
    return { incident: incident!, update: update! };
  });
}
