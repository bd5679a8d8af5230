import { eq } from "drizzle-orm";
import type { Tx } from "@/db";
import { publicBaseUrl } from "@/lib/status/page-settings";
import {
  maintenanceCells,
  maintenances,
  maintenanceUpdates,
  type Maintenance,
  type MaintenanceStatus,
  type NotificationKind,
} from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { requirePermission, type Ctx, withTransaction } from "@/lib/context";
import { parseInput } from "@/lib/errors";
import { enqueueNotification } from "@/lib/alerts/outbox";
import { lockStatus, syncCellIntervals } from "@/lib/status/intervals";
import { checkMaintenanceTransition } from "./lifecycle";
import { lockMaintenance } from "./load";
import { maintenancePayload } from "./maintenance-shared";
import { syncMaintenanceSteps } from "./maintenance-steps";
import { renderMarkdown } from "@/lib/markdown";
import { AdvanceMaintenanceInput } from "./schemas";
import { authorOf } from "./shared";

/**
 * The notification kind for each step. "verifying" is an internal step with no kind of its own,
 * so subscribers hear when work starts and when it is done.
 */
const KIND: Partial<Record<string, NotificationKind>> = {
  in_progress: "maintenance.started",
  completed: "maintenance.completed",
};

export async function advanceMaintenance({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "maintenance:write");
  const v = parseInput(AdvanceMaintenanceInput, input);
  const now = new Date();
  return withTransaction(ctx, async (tx) => {
    const before = await lockMaintenance(tx, ctx, v.maintenanceId);
    checkMaintenanceTransition(before.status, v.status);
    return moveMaintenance(tx, ctx, before, v, now);
  });
}

/**
 * Moves a locked window to `status` with an update, in the caller's transaction: the operator's
 * step above and the automatic one (run-maintenance-steps.ts, acting as the system) alike. Cell
 * status, the audit row, the notification and the window's remaining automatic steps follow.
 */
export async function moveMaintenance(
  tx: Tx,
  by: { actor: Ctx["actor"]; org: { id: string } },
  before: Maintenance,
  v: { status: MaintenanceStatus; message: string; notify: boolean },
  now: Date,
  audit: Record<string, unknown> = {},
) {
  await lockStatus(tx);
  const [m] = await tx
    .update(maintenances)
    .set({
      status: v.status,
      startedAt: v.status !== "scheduled" ? (before.startedAt ?? now) : null,
      completedAt: v.status === "completed" ? now : null,
      updatedAt: now,
    })
    .where(eq(maintenances.id, before.id))
    .returning();
  const [update] = await tx
    .insert(maintenanceUpdates)
    .values({
      maintenanceId: before.id,
      status: v.status,
      message: v.message,
      messageHtml: renderMarkdown(v.message),
      notify: v.notify,
      ...authorOf(by),
      createdAt: now,
    })
    .returning();
  const cells = await tx
    .select()
    .from(maintenanceCells)
    .where(eq(maintenanceCells.maintenanceId, before.id));
  if (!before.audienceOrgId) await syncCellIntervals(tx, by.org.id, cells, now);
  // An operator who moved the window first takes its automatic step's place.
  await syncMaintenanceSteps(tx, m!, now);
  await recordAudit(tx, by, {
    action: `maintenance.${v.status}`,
    targetType: "maintenance",
    targetId: before.id,
    data: { from: before.status, to: v.status, updateId: update!.id, notify: v.notify, ...audit },
  });
  const kind = KIND[v.status];
  if (v.notify && kind && v.status !== before.status) {
    await enqueueNotification(tx, {
      orgId: by.org.id,
      kind,
      payload: maintenancePayload(m!, cells, update!, await publicBaseUrl(tx, by.org.id)),
    });
  }
  return { maintenance: m!, update: update! };
}
