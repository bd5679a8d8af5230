import { eq } from "drizzle-orm";
import { maintenanceCells, maintenances, maintenanceUpdates } from "@/db/schema";
import { publicBaseUrl } from "@/lib/status/page-settings";
import { recordAudit } from "@/lib/audit";
import { requirePermission, type Ctx, withTransaction } from "@/lib/context";
import { ConflictError, parseInput, ValidationError } from "@/lib/errors";
import { enqueueNotification } from "@/lib/alerts/outbox";
import { renderMarkdown } from "@/lib/markdown";
import { lockMaintenance } from "./load";
import { maintenancePayload } from "./maintenance-shared";
import { syncMaintenanceSteps } from "./maintenance-steps";
import { CancelMaintenanceInput, EditMaintenanceInput } from "./schemas";
import { authorOf } from "./shared";

const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;

/**
 * Changes a window that has not ended: title, times, automation, reminders. Its automatic steps
 * are planned again for the new times; a new window is posted as an update and, with `notify`
 * (the default), sent to subscribers as "Maintenance rescheduled".
 */
export async function editMaintenance({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: Ctx;
  input: unknown;
  now?: Date;
}) {
  requirePermission(ctx, "maintenance:write");
  const v = parseInput(EditMaintenanceInput, input);
  return withTransaction(ctx, async (tx) => {
    const before = await lockMaintenance(tx, ctx, v.maintenanceId);
    if (before.status === "completed") {
      throw new ConflictError(
        before.cancelledAt
          ? "This maintenance was cancelled; schedule a new one instead"
          : "This maintenance is completed; schedule a new one instead",
      );
    }
    const scheduledFor = v.scheduledFor ?? before.scheduledFor;
    const scheduledUntil = v.scheduledUntil ?? before.scheduledUntil;
    if (
      before.status !== "scheduled" &&
      v.scheduledFor &&
      v.scheduledFor.getTime() !== before.scheduledFor.getTime()
    ) {
      throw new ValidationError([
        { field: "scheduledFor", message: "cannot change: the maintenance has already started" },
      ]);
    }
    if (scheduledUntil.getTime() <= scheduledFor.getTime()) {
      throw new ValidationError([
        { field: "scheduledUntil", message: "must be after the start of the window" },
      ]);
    }
    const [m] = await tx
      .update(maintenances)
      .set({
        title: v.title ?? before.title,
        scheduledFor,
        scheduledUntil,
        automatic: v.automatic ?? before.automatic,
        notifyAutomatic: v.notifyAutomatic ?? before.notifyAutomatic,
        reminderMinutes: v.reminderMinutes ?? before.reminderMinutes,
        updatedAt: now,
      })
      .where(eq(maintenances.id, before.id))
      .returning();
    const steps = await syncMaintenanceSteps(tx, m!, now);
    const moved =
      scheduledFor.getTime() !== before.scheduledFor.getTime() ||
      scheduledUntil.getTime() !== before.scheduledUntil.getTime();
    const message =
      v.message ??
      (moved ? `Rescheduled: now ${utc(scheduledFor)} to ${utc(scheduledUntil)}.` : null);
    let update = null;
    if (message) {
      [update] = await tx
        .insert(maintenanceUpdates)
        .values({
          maintenanceId: before.id,
          status: before.status,
          message,
          messageHtml: renderMarkdown(message),
          notify: v.notify && moved,
          ...authorOf(ctx),
          createdAt: now,
        })
        .returning();
    }
    await recordAudit(tx, ctx, {
      action: "maintenance.edited",
      targetType: "maintenance",
      targetId: before.id,
      data: {
        before: snapshot(before),
        after: snapshot(m!),
        updateId: update?.id ?? null,
        notify: v.notify && moved,
        steps: steps.map((s) => ({ kind: s.kind, dueAt: s.dueAt.toISOString() })),
      },
    });
    if (v.notify && moved && update) {
      const cells = await tx
        .select()
        .from(maintenanceCells)
        .where(eq(maintenanceCells.maintenanceId, before.id));
      await enqueueNotification(tx, {
        orgId: ctx.org.id,
        kind: "maintenance.rescheduled",
        payload: maintenancePayload(m!, cells, update, await publicBaseUrl(tx, ctx.org.id)),
      });
    }
    return { maintenance: m!, update };
  });
}

/**
 * Calls off a window that has not started: it is closed (completed, with `cancelledAt`), its
 * reminders and automatic steps are dropped, and subscribers are told (`notify`, the default).
 */
export async function cancelMaintenance({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: Ctx;
  input: unknown;
  now?: Date;
}) {
  requirePermission(ctx, "maintenance:write");
  const v = parseInput(CancelMaintenanceInput, input);
  return withTransaction(ctx, async (tx) => {
    const before = await lockMaintenance(tx, ctx, v.maintenanceId);
    if (before.status !== "scheduled") {
      throw new ConflictError(
        before.cancelledAt
          ? "This maintenance is already cancelled"
          : `Only a maintenance that has not started can be cancelled; this one is ${before.status.replace("_", " ")} (complete it instead)`,
      );
    }
    const [m] = await tx
      .update(maintenances)
      .set({ status: "completed", cancelledAt: now, completedAt: now, updatedAt: now })
      .where(eq(maintenances.id, before.id))
      .returning();
    await syncMaintenanceSteps(tx, m!, now);
    const message = v.message ?? "This maintenance has been cancelled.";
    const [update] = await tx
      .insert(maintenanceUpdates)
      .values({
        maintenanceId: before.id,
        status: "completed",
        message,
        messageHtml: renderMarkdown(message),
        notify: v.notify,
        ...authorOf(ctx),
        createdAt: now,
      })
      .returning();
    await recordAudit(tx, ctx, {
      action: "maintenance.cancelled",
      targetType: "maintenance",
      targetId: before.id,
      data: { updateId: update!.id, notify: v.notify },
    });
    if (v.notify) {
      const cells = await tx
        .select()
        .from(maintenanceCells)
        .where(eq(maintenanceCells.maintenanceId, before.id));
      await enqueueNotification(tx, {
        orgId: ctx.org.id,
        kind: "maintenance.cancelled",
        payload: maintenancePayload(m!, cells, update!, await publicBaseUrl(tx, ctx.org.id)),
      });
    }
    return { maintenance: m!, update: update! };
  });
}

function snapshot(m: typeof maintenances.$inferSelect) {
  return {
    title: m.title,
    scheduledFor: m.scheduledFor.toISOString(),
    scheduledUntil: m.scheduledUntil.toISOString(),
    automatic: m.automatic,
    notifyAutomatic: m.notifyAutomatic,
    reminderMinutes: m.reminderMinutes,
  };
}
