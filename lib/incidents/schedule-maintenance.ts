import { maintenanceCells, maintenances, maintenanceUpdates } from "@/db/schema";
import { publicBaseUrl } from "@/lib/status/page-settings";
import { recordAudit } from "@/lib/audit";
import { requirePermission, type Ctx, withTransaction } from "@/lib/context";
import { parseInput } from "@/lib/errors";
import { enqueueNotification } from "@/lib/alerts/outbox";
import { lockStatus } from "@/lib/status/intervals";
import { maintenancePayload } from "./maintenance-shared";
import { renderMarkdown } from "@/lib/markdown";
import { ScheduleMaintenanceInput } from "./schemas";
import { checkCells } from "@/lib/catalog/check";
import { authorOf, checkAudience } from "./shared";
import { syncMaintenanceSteps } from "./maintenance-steps";

/** Schedules a maintenance window over some component × region cells. */
export async function scheduleMaintenance({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: Ctx;
  input: unknown;
  /** Tests: the clock reminders already past are judged by. */
  now?: Date;
}) {
  requirePermission(ctx, "maintenance:write");
  const v = parseInput(ScheduleMaintenanceInput, input);
  return withTransaction(ctx, async (tx) => {
    await checkAudience(tx, v.audienceOrgId);
    // A new window shows on the status page at once, though it changes no cell's status yet
    // (lockStatus drops the snapshot on commit); and catalogue changes take the same lock, so a
    // cell cannot be taken away between this check and the commit.
    await lockStatus(tx);
    await checkCells(tx, ctx.org.id, v.cells);
    const [m] = await tx
      .insert(maintenances)
      .values({
        orgId: ctx.org.id,
        title: v.title,
        audienceOrgId: v.audienceOrgId,
        scheduledFor: v.scheduledFor,
        scheduledUntil: v.scheduledUntil,
        automatic: v.automatic,
        notifyAutomatic: v.notifyAutomatic,
        reminderMinutes: v.reminderMinutes,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await tx.insert(maintenanceCells).values(
      v.cells.map((c) => ({
        maintenanceId: m!.id,
        componentId: c.componentId,
        regionId: c.regionId,
      })),
    );
    const [update] = await tx
      .insert(maintenanceUpdates)
      .values({
        maintenanceId: m!.id,
        status: "scheduled",
        message: v.message,
        messageHtml: renderMarkdown(v.message),
        notify: v.notify,
        ...authorOf(ctx),
        createdAt: now,
      })
      .returning();
    const steps = await syncMaintenanceSteps(tx, m!, now);
    await recordAudit(tx, ctx, {
      action: "maintenance.scheduled",
      targetType: "maintenance",
      targetId: m!.id,
      data: {
        title: v.title,
        scheduledFor: v.scheduledFor.toISOString(),
        scheduledUntil: v.scheduledUntil.toISOString(),
        cells: v.cells,
        notify: v.notify,
        automatic: v.automatic,
        notifyAutomatic: v.notifyAutomatic,
        reminderMinutes: v.reminderMinutes,
        steps: steps.map((s) => ({ kind: s.kind, dueAt: s.dueAt.toISOString() })),
      },
    });
    if (v.notify) {
      await enqueueNotification(tx, {
        orgId: ctx.org.id,
        kind: "maintenance.scheduled",
        payload: maintenancePayload(m!, v.cells, update!, await publicBaseUrl(tx, ctx.org.id)),
      });
    }
    return { maintenance: m!, update: update! };
  });
}
