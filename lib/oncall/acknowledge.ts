import { and, eq, or } from "drizzle-orm";
import type { Db, Tx } from "@/db";
import { escalationEvents, escalationPages, escalations, incidents } from "@/db/schema";
import { recordAudit, SYSTEM_ACTOR } from "@/lib/audit";
import { requirePermission, withTransaction, type Ctx } from "@/lib/context";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { parseTargetInput } from "@/lib/ids";
import { IncidentIdInput } from "./schemas";
import { signalOnCommit } from "./signals";
import { verifyAckToken } from "./token";

/**
 * Acknowledging a page stops its escalation: nothing more is paged. From the one-click link in the
 * page (no sign-in: the signed, single-use, expiring token is the credential), from the console,
 * or with `POST /api/v1/incidents/{id}/acknowledge`. Acknowledging an incident acknowledges every
 * escalation running for it.
 */

export interface AckResult {
  /** Escalations this acknowledged (0 when there was nothing left to acknowledge). */
  acknowledged: number;
  title: string;
  incidentId: string | null;
  /** Who had already acknowledged, or why it ended, when this acknowledged nothing. */
  already?: string;
}

async function acknowledgeRows(
  tx: Tx,
  where: ReturnType<typeof and>,
  by: string,
  now: Date,
): Promise<string[]> {
  const acked = await tx
    .update(escalations)
    .set({
      status: "acknowledged",
      nextAt: null,
      acknowledgedAt: now,
      acknowledgedBy: by,
      endedAt: now,
    })
    .where(and(eq(escalations.status, "active"), where))
    .returning();
  for (const e of acked) {
    await tx.insert(escalationEvents).values({
      escalationId: e.id,
      incidentId: e.incidentId,
      orgId: e.orgId,
      kind: "acknowledged",
      tier: e.tier,
      round: e.round,
      detail: `Acknowledged by ${by} (tier ${e.tier}${e.round > 1 ? `, round ${e.round}` : ""} was paged); escalation stopped`,
      createdAt: now,
    });
    signalOnCommit(tx, { type: "stopped", escalationId: e.id });
  }
  return acked.map((e) => e.id);
}

function endedWords(e: { status: string; acknowledgedBy: string | null }): string {
  if (e.status === "acknowledged")
    return `already acknowledged by ${e.acknowledgedBy ?? "someone"}`;
  if (e.status === "unacknowledged") return "the escalation already ran out unacknowledged";
  return "the escalation has already stopped (resolved)";
}

/** What an acknowledge link names, for the page that asks before acknowledging (GET). */
export async function describeAckLink(db: Db, token: string, now = new Date()) {
  const v = verifyAckToken(token);
  if (!v) return null;
  const [row] = await db
    .select({ page: escalationPages, e: escalations })
    .from(escalationPages)
    .innerJoin(escalations, eq(escalations.id, escalationPages.escalationId))
    .where(eq(escalationPages.nonce, v.nonce));
  if (!row || row.page.expiresAt.getTime() !== v.expiresAt.getTime()) return null;
  return {
    title: row.e.title,
    policyName: row.e.policyName,
    tier: row.page.tier,
    round: row.page.round,
    expired: now.getTime() >= row.page.expiresAt.getTime(),
    used: row.page.usedAt !== null,
    ended: row.e.status === "active" ? null : endedWords(row.e),
  };
}

// verb-no-permission: public one-click link; the signed, single-use, expiring token is the credential.
export async function acknowledgeByToken({
  db,
  input,
  now = new Date(),
}: {
  db: Db;
  input: { token: string };
  now?: Date;
}): Promise<AckResult> {
  const v = verifyAckToken(typeof input.token === "string" ? input.token : "");
  // Forged or altered: not a link we signed.
  if (!v) throw new NotFoundError("Acknowledge link");
  return withTransaction({ db }, async (tx) => {
    const [row] = await tx
      .select({ page: escalationPages, e: escalations })
      .from(escalationPages)
      .innerJoin(escalations, eq(escalations.id, escalationPages.escalationId))
      .where(eq(escalationPages.nonce, v.nonce))
      .for("update", { of: escalationPages });
    if (!row || row.page.expiresAt.getTime() !== v.expiresAt.getTime())
      throw new NotFoundError("Acknowledge link");
    if (row.page.usedAt) throw new ConflictError("This acknowledge link has already been used");
    if (now.getTime() >= row.page.expiresAt.getTime())
      throw new ConflictError("This acknowledge link has expired; acknowledge from the console");
    await tx
      .update(escalationPages)
      .set({ usedAt: now })
      .where(
        and(
          eq(escalationPages.escalationId, row.page.escalationId),
          eq(escalationPages.tier, row.page.tier),
          eq(escalationPages.round, row.page.round),
        ),
      );
    const e = row.e;
    const by = `the link in the tier ${row.page.tier}${row.page.round > 1 ? ` (round ${row.page.round})` : ""} page`;
    const ids = await acknowledgeRows(
      tx,
      e.incidentId
        ? or(eq(escalations.id, e.id), eq(escalations.incidentId, e.incidentId))
        : eq(escalations.id, e.id),
      by,
      now,
    );
    await recordAudit(
      tx,
      { actor: SYSTEM_ACTOR, org: { id: e.orgId } },
      {
        action: "escalation.acknowledged",
        targetType: "escalation",
        targetId: e.id,
        data: { via: "link", tier: row.page.tier, round: row.page.round, escalationIds: ids },
      },
    );
    return {
      acknowledged: ids.length,
      title: e.title,
      incidentId: e.incidentId,
      already: ids.length ? undefined : endedWords(e),
    };
  });
}

/** The console's Acknowledge button and `POST /api/v1/incidents/{id}/acknowledge`. */
export async function acknowledgeIncident({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: Ctx;
  input: unknown;
  now?: Date;
}): Promise<AckResult> {
  requirePermission(ctx, "incidents:write");
  const { incidentId } = parseTargetInput(IncidentIdInput, input, {
    field: "incidentId",
    notFound: "Incident",
  });
  return withTransaction(ctx, async (tx) => {
    const [incident] = await tx
      .select({ id: incidents.id, title: incidents.title })
      .from(incidents)
      .where(and(eq(incidents.id, incidentId), eq(incidents.orgId, ctx.org.id)));
    if (!incident) throw new NotFoundError("Incident");
    const by =
      ctx.actor.type === "user"
        ? ctx.actor.name || ctx.actor.email
        : ctx.actor.type === "api_key"
          ? `API key "${ctx.actor.name}"`
          : "Beacon";
    const ids = await acknowledgeRows(
      tx,
      and(eq(escalations.incidentId, incident.id), eq(escalations.orgId, ctx.org.id)),
      by,
      now,
    );
    if (ids.length === 0) {
      const [last] = await tx
        .select()
        .from(escalations)
        .where(and(eq(escalations.incidentId, incident.id), eq(escalations.orgId, ctx.org.id)))
        .limit(1);
      throw new ConflictError(
        last
          ? `Nothing to acknowledge: ${endedWords(last)}`
          : "Nothing to acknowledge: no escalation policy paged anyone for this incident",
      );
    }
    await recordAudit(tx, ctx, {
      action: "escalation.acknowledged",
      targetType: "incident",
      targetId: incident.id,
      data: { via: ctx.actor.type === "api_key" ? "api" : "console", escalationIds: ids },
    });
    return { acknowledged: ids.length, title: incident.title, incidentId: incident.id };
  });
}
