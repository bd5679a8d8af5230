import type { Tx } from "@/db";
import { auditLog } from "@/db/schema";
import type { Ctx } from "./context";

export interface AuditInput {
  action: string;
  targetType: string;
  targetId?: string | null;
  data?: Record<string, unknown>;
}

/** Writes the audit row inside the caller's transaction, so it exists iff the change does. */
export async function recordAudit(tx: Tx, ctx: Pick<Ctx, "actor" | "org">, entry: AuditInput) {
  await tx.insert(auditLog).values({
    orgId: ctx.org.id,
    actorType: ctx.actor.type,
    actorId: ctx.actor.id ?? null,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    data: entry.data ?? {},
  });
}
