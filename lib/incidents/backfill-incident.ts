import { eq } from "drizzle-orm";
import { incidents } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { requirePermission, type Ctx, withTransaction } from "@/lib/context";
import { ConflictError, parseInput, ValidationError, type FieldIssue } from "@/lib/errors";
import { lockStatus, replayCellIntervals } from "@/lib/status/intervals";
import { lockIncident } from "./load";
import { BackfillIncidentInput } from "./schemas";
import { allCellsOf } from "./shared";

/**
 * Back-fills a resolved incident with its real start and end (it began before anyone opened it,
 * or was over before it was marked resolved). The public uptime is replayed over the old and the
 * new interval, so it counts the incident for when it really happened. The audit row keeps both.
 */
export async function backfillIncident({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: Ctx;
  input: unknown;
  now?: Date;
}) {
  requirePermission(ctx, "incidents:write");
  const v = parseInput(BackfillIncidentInput, input);
  return withTransaction(ctx, async (tx) => {
    const before = await lockIncident(tx, ctx, v.incidentId);
    if (before.status !== "resolved" || !before.resolvedAt) {
      throw new ConflictError(
        `Only a resolved incident's times can be back-filled; this one is ${before.status}`,
      );
    }
    const startedAt = v.startedAt ?? before.startedAt;
    const resolvedAt = v.resolvedAt ?? before.resolvedAt;
    const issues: FieldIssue[] = [];
    if (v.startedAt && v.startedAt > now)
      issues.push({ field: "startedAt", message: "must not be in the future" });
    if (v.resolvedAt && v.resolvedAt > now)
      issues.push({ field: "resolvedAt", message: "must not be in the future" });
    if (issues.length === 0 && resolvedAt <= startedAt)
      issues.push(
        v.resolvedAt
          ? { field: "resolvedAt", message: "must be after the start" }
          : { field: "startedAt", message: "must be before the end" },
      );
    if (issues.length) throw new ValidationError(issues);

    await lockStatus(tx);
    const [after] = await tx
      .update(incidents)
      .set({ startedAt, resolvedAt, updatedAt: now })
      .where(eq(incidents.id, before.id))
      .returning();
    if (!before.audienceOrgId) {
      const from = startedAt < before.startedAt ? startedAt : before.startedAt;
      const to = resolvedAt > before.resolvedAt ? resolvedAt : before.resolvedAt;
      await replayCellIntervals(tx, ctx.org.id, await allCellsOf(tx, before.id), from, to);
    }
    await recordAudit(tx, ctx, {
      action: "incident.backfilled",
      targetType: "incident",
      targetId: before.id,
      data: {
        before: {
          startedAt: before.startedAt.toISOString(),
          resolvedAt: before.resolvedAt.toISOString(),
        },
        after: { startedAt: startedAt.toISOString(), resolvedAt: resolvedAt.toISOString() },
      },
    });
    return after!;
  });
}
