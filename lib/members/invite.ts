import { and, eq, isNull } from "drizzle-orm";
import type { Tx } from "@/db";
import { invitations, memberships, users, type Role } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { randomToken, sha256 } from "@/lib/auth/tokens";
import { assertRoleForOrg, requirePermission, type Ctx, withTransaction } from "@/lib/context";
import { ConflictError, parseInput } from "@/lib/errors";
import { InviteMemberInput } from "./schemas";

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export function invitationUrl(appUrl: string, token: string): string {
  return new URL(`/invite/${token}`, appUrl).toString();
}

/**
 * Creates an invitation and returns its one-time token. The token is shown to the admin (and
 * emailed by the caller when email is configured); only its hash is stored.
 */
export async function inviteMember({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "members:manage");
  const { email, role } = parseInput(InviteMemberInput, input);
  assertRoleForOrg(ctx, role);
  return withTransaction(ctx, async (tx) => {
    const out = await insertInvitation(tx, ctx.org.id, {
      email,
      role,
      invitedBy: ctx.actor.type === "user" ? ctx.actor.id : null,
    });
    await recordAudit(tx, ctx, {
      action: "member.invited",
      targetType: "invitation",
      targetId: out.invitation.id,
      data: { email, role },
    });
    return out;
  });
}

/**
 * Writes an invitation to `orgId` inside the caller's transaction and returns it with its
 * one-time token (only the hash is stored). Refuses an address that is already a member, and
 * replaces a pending invitation for the same address. Part of the invite verbs (which check the
 * permission and write the audit row), not a verb itself.
 */
export async function insertInvitation(
  tx: Tx,
  orgId: string,
  { email, role, invitedBy }: { email: string; role: Role; invitedBy: string | null },
) {
  const token = randomToken();
  const existing = await tx
    .select({ id: memberships.id })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), eq(users.email, email)));
  if (existing.length) throw new ConflictError(`${email} is already a member`);
  // A new invitation replaces any pending one for the same address.
  await tx
    .update(invitations)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(invitations.orgId, orgId),
        eq(invitations.email, email),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
      ),
    );
  const [invitation] = await tx
    .insert(invitations)
    .values({
      orgId,
      email,
      role,
      tokenHash: sha256(token),
      invitedBy,
      expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
    })
    .returning();
  return { invitation: invitation!, token };
}
