import type { Tx } from "@/db";
import { auditLog } from "@/db/schema";
import type { Actor } from "./context";

export interface AuditInput {
  action: string;
  targetType: string;
  targetId?: string | null;
  data?: Record<string, unknown>;
}

/** Beacon itself, for audit rows of work no person or key asked for (provider reports, sweeps). */
export const SYSTEM_ACTOR: Actor = { type: "system" };

/**
 * Writes the audit row inside the caller's transaction, so it exists iff the change does. `by` is
 * a verb's ctx, or `{ actor: SYSTEM_ACTOR, org: { id } }` for background work.
 */
export async function recordAudit(
  tx: Tx,
  by: { actor: Actor; org: { id: string } },
  entry: AuditInput,
) {
  await tx.insert(auditLog).values({
    orgId: by.org.id,
    actorType: by.actor.type,
    actorId: by.actor.id ?? null,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    data: entry.data ?? {},
  });
}
