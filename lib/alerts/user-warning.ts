import { and, eq } from "drizzle-orm";
import type { Tx } from "@/db";
import { memberships, type Impact } from "@/db/schema";
import { enqueueNotification } from "./outbox";

/**
 * A user-level warning: something about a member's own work in one organization needs their
 * attention (an endpoint they rely on was switched off, an API key they made was revoked). It goes
 * through the alert pipeline like any notification, so it is planned, traced and retried; routing
 * shows it in-app always and by email/SMS only to members who opted in (lib/alerts/plan/warnings.ts).
 */
export interface UserWarning {
  orgId: string;
  /** The members it is addressed to; ids that are not members of orgId are ignored at planning. */
  userIds: string[];
  title: string;
  message: string;
  /** Where to fix it, relative to the app (e.g. "/portal/alerts"). */
  url: string;
  /** Only "critical" changes anything: it passes digests and (if allowed) quiet hours. */
  impact?: Impact;
  data?: Record<string, unknown>;
}

/** Writes the warning's outbox row in the caller's transaction (the driver is woken on commit). */
export async function enqueueUserWarning(tx: Tx, w: UserWarning) {
  const userIds = [...new Set(w.userIds)];
  if (userIds.length === 0) return null;
  return enqueueNotification(tx, {
    orgId: w.orgId,
    kind: "user.warning",
    payload: {
      title: w.title,
      // Seed 000 lists user-level warnings beside Configurable; routing does not use it.
      category: "configurable",
      impact: w.impact ?? "minor",
      audience: { type: "tenant", orgId: w.orgId },
      componentIds: [],
      regionIds: [],
      userIds,
      message: w.message,
      url: w.url,
      data: w.data,
    },
  });
}

/** A user-level warning to every org admin of the organization (what to fix is theirs to fix). */
export async function warnOrgAdmins(tx: Tx, w: Omit<UserWarning, "userIds">) {
  const admins = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.orgId, w.orgId), eq(memberships.role, "org_admin")));
  return enqueueUserWarning(tx, { ...w, userIds: admins.map((a) => a.userId) });
}
