import {
  INCIDENT_STATUSES,
  MAINTENANCE_STATUSES,
  type IncidentStatus,
  type MaintenanceStatus,
} from "@/db/schema";
import { ConflictError } from "@/lib/errors";

/**
 * Lifecycle rules. Incidents move investigating → identified → monitoring → resolved; forward
 * steps may be skipped, a repeated status is a further update, going back is refused, and a
 * resolved incident only changes again through an explicit reopen. Maintenance moves
 * scheduled → in_progress → verifying → completed the same way, and completed is final.
 */

export function checkIncidentTransition(from: IncidentStatus, to: IncidentStatus): void {
  if (from === "resolved") {
    throw new ConflictError("This incident is resolved; reopen it before posting another update");
  }
  if (INCIDENT_STATUSES.indexOf(to) < INCIDENT_STATUSES.indexOf(from)) {
    throw new ConflictError(
      `status: an incident cannot go back from ${from} to ${to}; post another ${from} update or move it forward`,
    );
  }
}

export function checkReopen(from: IncidentStatus): void {
  if (from !== "resolved") {
    throw new ConflictError(`Only a resolved incident can be reopened; this one is ${from}`);
  }
}

export function checkMaintenanceTransition(from: MaintenanceStatus, to: MaintenanceStatus): void {
  if (from === "completed") {
    throw new ConflictError("This maintenance is completed; schedule a new one instead");
  }
  if (MAINTENANCE_STATUSES.indexOf(to) < MAINTENANCE_STATUSES.indexOf(from)) {
    throw new ConflictError(`status: a maintenance cannot go back from ${from} to ${to}`);
  }
}
