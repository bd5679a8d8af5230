import { and, asc, eq, isNull, lte, sql } from "drizzle-orm";
import type { Db, Tx } from "@/db";
import {
  maintenanceCells,
  maintenances,
  maintenanceSteps,
  type Maintenance,
  type MaintenanceStep,
} from "@/db/schema";
import { recordAudit, SYSTEM_ACTOR } from "@/lib/audit";
import { withTransaction } from "@/lib/context";
import { enqueueNotification } from "@/lib/alerts/outbox";
import { publicBaseUrl } from "@/lib/status/page-settings";
import { moveMaintenance } from "./advance-maintenance";
import { maintenancePayload } from "./maintenance-shared";

export interface MaintenanceStepResult {
  stepId: string;
  maintenanceId: string;
  kind: MaintenanceStep["kind"];
  outcome: string;
}

const AUTO_MESSAGE = {
  start: "The scheduled maintenance has started.",
  complete: "The scheduled maintenance has completed.",
} as const;

/** "in 1 hour", "in 24 hours", "in 90 minutes": how far ahead a reminder's window starts. */
export function aheadWords(minutes: number): string {
  if (minutes % 60 === 0) {
    const h = minutes / 60;
    return `in ${h} hour${h === 1 ? "" : "s"}`;
  }
  return `in ${minutes} minute${minutes === 1 ? "" : "s"}`;
}

/**
 * Runs every maintenance step that is due (reminders, automatic starts and ends), oldest first,
 * each in a transaction of its own that also marks it done: a step runs once, whichever driver
 * or process gets it (FOR UPDATE SKIP LOCKED), and one interrupted by a crash is simply run again.
 * A step finds the window as it is: one an operator already moved, or cancelled, is skipped.
 * Called by the embedded driver on every round and by the Inngest function.
 */
export async function runDueMaintenanceSteps(
  db: Db,
  opts: { now?: Date; limit?: number } = {},
): Promise<MaintenanceStepResult[]> {
  const now = opts.now ?? new Date();
  const limit = opts.limit ?? 100;
  const results: MaintenanceStepResult[] = [];
  let raced = 0;
  while (results.length < limit) {
    const r = await withTransaction({ db }, (tx) => runOne(tx, now));
    if (!r) break;
    if (r === "raced") {
      // Another process ran the step first; look for the next (bounded, in case of a storm).
      if (++raced > limit) break;
      continue;
    }
    results.push(r);
  }
  return results;
}

/** When the next step is due (null: none planned); the Inngest function sleeps until then. */
export async function nextMaintenanceStepAt(db: Db): Promise<Date | null> {
  const [row] = await db
    .select({ dueAt: maintenanceSteps.dueAt })
    .from(maintenanceSteps)
    .where(isNull(maintenanceSteps.doneAt))
    .orderBy(asc(maintenanceSteps.dueAt))
    .limit(1);
  return row?.dueAt ?? null;
}

async function runOne(tx: Tx, now: Date): Promise<MaintenanceStepResult | "raced" | null> {
  const [candidate] = await tx
    .select({ id: maintenanceSteps.id, maintenanceId: maintenanceSteps.maintenanceId })
    .from(maintenanceSteps)
    .where(and(isNull(maintenanceSteps.doneAt), lte(maintenanceSteps.dueAt, now)))
    // Reminders, then starts, then ends, when several fall due together (a driver was down).
    .orderBy(
      asc(maintenanceSteps.dueAt),
      sql`case ${maintenanceSteps.kind} when 'reminder' then 0 when 'start' then 1 else 2 end`,
    )
    .limit(1);
  if (!candidate) return null;
  // The window first, then its step: the order every verb that changes a window locks them in
  // (its row, then its pending steps), so a step running during an edit waits rather than
  // deadlocks, and then finds the window as the edit left it.
  const [m] = await tx
    .select()
    .from(maintenances)
    .where(eq(maintenances.id, candidate.maintenanceId))
    .for("update");
  const [step] = await tx
    .select()
    .from(maintenanceSteps)
    .where(
      and(
        eq(maintenanceSteps.id, candidate.id),
        isNull(maintenanceSteps.doneAt),
        lte(maintenanceSteps.dueAt, now),
      ),
    )
    .for("update", { skipLocked: true });
  // Run (or dropped by an edit) meanwhile.
  if (!step) return "raced";
  const outcome = m ? await apply(tx, step, m, now) : "skipped: the maintenance is gone";
  await tx
    .update(maintenanceSteps)
    .set({ doneAt: now, outcome })
    .where(eq(maintenanceSteps.id, step.id));
  return { stepId: step.id, maintenanceId: step.maintenanceId, kind: step.kind, outcome };
}

async function apply(tx: Tx, step: MaintenanceStep, m: Maintenance, now: Date): Promise<string> {
  if (m.cancelledAt) return "skipped: the maintenance was cancelled";
  const by = { actor: SYSTEM_ACTOR, org: { id: m.orgId } };
  switch (step.kind) {
    case "reminder": {
      if (m.status !== "scheduled") return `skipped: the maintenance is already ${m.status}`;
      if (now.getTime() >= m.scheduledFor.getTime()) return "skipped: the window has started";
      const cells = await tx
        .select()
        .from(maintenanceCells)
        .where(eq(maintenanceCells.maintenanceId, m.id));
      const minutes = step.minutesBefore ?? 0;
      const message = `Reminder: this maintenance starts ${aheadWords(minutes)}, at ${m.scheduledFor.toISOString().slice(0, 16).replace("T", " ")} UTC, and is planned to end at ${m.scheduledUntil.toISOString().slice(0, 16).replace("T", " ")} UTC.`;
      const payload = maintenancePayload(
        m,
        cells,
        // A reminder posts nothing on the page; its step stands in for an update.
        { id: step.id, message },
        await publicBaseUrl(tx, m.orgId),
      );
      await enqueueNotification(tx, {
        orgId: m.orgId,
        kind: "maintenance.reminder",
        payload: { ...payload, data: { minutesBefore: minutes, stepKey: step.key } },
      });
      await recordAudit(tx, by, {
        action: "maintenance.reminder_sent",
        targetType: "maintenance",
        targetId: m.id,
        data: { minutesBefore: minutes, scheduledFor: m.scheduledFor.toISOString() },
      });
      return `reminder sent (${minutes} minutes before the start)`;
    }
    case "start": {
      if (!m.automatic) return "skipped: automation is off for this window";
      if (m.status !== "scheduled") return `skipped: an operator already moved it to ${m.status}`;
      await moveMaintenance(
        tx,
        by,
        m,
        { status: "in_progress", message: AUTO_MESSAGE.start, notify: m.notifyAutomatic },
        now,
        { automatic: true, dueAt: step.dueAt.toISOString() },
      );
      return "moved to in_progress";
    }
    case "complete": {
      if (!m.automatic) return "skipped: automation is off for this window";
      if (m.status === "completed") return "skipped: an operator already completed it";
      await moveMaintenance(
        tx,
        by,
        m,
        { status: "completed", message: AUTO_MESSAGE.complete, notify: m.notifyAutomatic },
        now,
        { automatic: true, dueAt: step.dueAt.toISOString() },
      );
      return "moved to completed";
    }
  }
}
