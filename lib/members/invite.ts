import { and, eq, isNull } from "drizzle-orm";
import { invitations, memberships, users } from "@/db/schema";
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
  const token = randomToken();
  const invitation = await withTransaction(ctx, async (tx) => {
    const existing = await tx
      .select({ id: memberships.id })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.orgId, ctx.org.id), eq(users.email, email)));
    if (existing.length) throw new ConflictError(`${email} is already a member`);
    // A new invitation replaces any pending one for the same address.
    await tx
      .update(invitations)
      .set({ revokedAt: new Date() })
      .where(
        and(
          eq(invitations.orgId, ctx.org.id),
          eq(invitations.email, email),
          isNull(invitations.acceptedAt),
          isNull(invitations.revokedAt),
        ),
      );
    const [inv] = await tx
      .insert(invitations)
      .values({
        orgId: ctx.org.id,
        email,
        role,
        tokenHash: sha256(token),
        invitedBy: ctx.actor.type === "user" ? ctx.actor.id : null,
        expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
      })
      .returning();
    await recordAudit(tx, ctx, {
      action: "member.invited",
      targetType: "invitation",
      targetId: inv!.id,
      data: { email, role },
    });
    return inv!;
  });
  return { invitation, token };
}
