import { and, eq, isNull } from "drizzle-orm";
import type { Tx } from "@/db";
import { maintenanceSteps, type Maintenance, type MaintenanceStepKind } from "@/db/schema";

/**
 * The automatic work planned for a maintenance window, kept in `maintenance_steps` so both job
 * drivers find it in the database (lib/incidents/run-maintenance-steps.ts runs it).
 */

export const stepKey = {
  start: (id: string) => `${id}:start`,
  complete: (id: string) => `${id}:complete`,
  /** Includes the start it announces: a window moved elsewhere is reminded of again, once. */
  reminder: (id: string, minutes: number, start: Date) =>
    `${id}:reminder:${minutes}:${start.toISOString()}`,
};

export interface PlannedStep {
  kind: MaintenanceStepKind;
  key: string;
  minutesBefore: number | null;
  dueAt: Date;
}

/** The steps a window in this state still needs, from `now` on. */
export function plannedSteps(
  m: Pick<
    Maintenance,
    | "id"
    | "status"
    | "scheduledFor"
    | "scheduledUntil"
    | "automatic"
    | "reminderMinutes"
    | "cancelledAt"
  >,
  now: Date,
): PlannedStep[] {
  if (m.cancelledAt || m.status === "completed") return [];
  const steps: PlannedStep[] = [];
  if (m.status === "scheduled") {
    for (const minutes of m.reminderMinutes) {
      const dueAt = new Date(m.scheduledFor.getTime() - minutes * 60_000);
      // A reminder whose time has already passed when the window is planned is not sent late.
      if (dueAt.getTime() > now.getTime()) {
        steps.push({
          kind: "reminder",
          key: stepKey.reminder(m.id, minutes, m.scheduledFor),
          minutesBefore: minutes,
          dueAt,
        });
      }
    }
  }
  if (m.automatic) {
    if (m.status === "scheduled") {
      steps.push({
        kind: "start",
        key: stepKey.start(m.id),
        minutesBefore: null,
        dueAt: m.scheduledFor,
      });
    }
    steps.push({
      kind: "complete",
      key: stepKey.complete(m.id),
      minutesBefore: null,
      dueAt: m.scheduledUntil,
    });
  }
  return steps;
}

/**
 * Replaces the window's pending steps with those its current state needs (after scheduling,
 * editing, cancelling or moving it), in the caller's transaction. Steps already done stay done:
 * their keys are taken, so a reminder already sent for this start is not planned again.
 */
export async function syncMaintenanceSteps(
  tx: Tx,
  m: Parameters<typeof plannedSteps>[0],
  now: Date,
): Promise<PlannedStep[]> {
  await tx
    .delete(maintenanceSteps)
    .where(and(eq(maintenanceSteps.maintenanceId, m.id), isNull(maintenanceSteps.doneAt)));
  const steps = plannedSteps(m, now);
  if (steps.length === 0) return [];
  const inserted = await tx
    .insert(maintenanceSteps)
    .values(steps.map((s) => ({ ...s, maintenanceId: m.id, createdAt: now })))
    .onConflictDoNothing({ target: maintenanceSteps.key })
    .returning({ key: maintenanceSteps.key });
  const planned = new Set(inserted.map((r) => r.key));
  return steps.filter((s) => planned.has(s.key));
}
