import { and, eq } from "drizzle-orm";
import type { Tx } from "@/db";
import { memberships, type Membership } from "@/db/schema";
import type { Ctx } from "@/lib/context";
import { ConflictError, NotFoundError } from "@/lib/errors";

/** Loads a membership of the caller's organization, locked for update; another org's id is a 404. */
export async function lockMembership(tx: Tx, ctx: Ctx, membershipId: string): Promise<Membership> {
  const [m] = await tx
    .select()
    .from(memberships)
    .where(and(eq(memberships.id, membershipId), eq(memberships.orgId, ctx.org.id)))
    .for("update");
  if (!m) throw new NotFoundError("Member");
  return m;
}

const ADMIN_ROLE = { platform: "platform_admin", tenant: "org_admin" } as const;

/** An organization must keep at least one admin, or nobody could manage it any more. */
export async function ensureAnotherAdmin(tx: Tx, ctx: Ctx, leaving: Membership): Promise<void> {
  const adminRole = ADMIN_ROLE[ctx.org.kind];
  if (leaving.role !== adminRole) return;
  const admins = await tx
    .select({ id: memberships.id })
    .from(memberships)
    .where(and(eq(memberships.orgId, ctx.org.id), eq(memberships.role, adminRole)))
    .for("update");
  if (admins.filter((a) => a.id !== leaving.id).length === 0) {
    throw new ConflictError(
      "The organization needs at least one admin; make someone else admin first",
    );
  }
}
