import { and, eq, isNull } from "drizzle-orm";
import { invitations, memberships } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { assertRoleForOrg, requirePermission, type Ctx, withTransaction } from "@/lib/context";
import { NotFoundError, parseInput, ValidationError } from "@/lib/errors";
import { bumpSessionEpoch } from "@/lib/auth/session-epoch";
import { keepsApiKeys, revokeKeysCreatedBy } from "@/lib/api-keys/keys";
import { ensureAnotherAdmin, lockMembership } from "./guards";
import { ChangeRoleInput, InvitationIdInput, MembershipIdInput, SetGrantsInput } from "./schemas";

/**
 * Changes a member's role. A role that may not create API keys revokes the keys the member
 * created for this organization, in the same transaction (the confirmation lists them first).
 */
export async function changeMemberRole({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "members:manage");
  const { membershipId, role } = parseInput(ChangeRoleInput, input);
  assertRoleForOrg(ctx, role);
  return withTransaction(ctx, async (tx) => {
    const m = await lockMembership(tx, ctx, membershipId);
    if (m.role === role) return m;
    await ensureAnotherAdmin(tx, ctx, m);
    const [updated] = await tx
      .update(memberships)
      .set({ role })
      .where(and(eq(memberships.id, m.id), eq(memberships.orgId, ctx.org.id)))
      .returning();
    const revokedApiKeys = keepsApiKeys(role)
      ? []
      : await revokeKeysCreatedBy(tx, ctx, m.userId, "member_demoted");
    await recordAudit(tx, ctx, {
      action: "member.role_changed",
      targetType: "membership",
      targetId: m.id,
      data: { from: m.role, to: role, ...(revokedApiKeys.length > 0 && { revokedApiKeys }) },
    });
    return updated!;
  });
}

export async function setMemberGrants({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "members:manage");
  const { membershipId, grants } = parseInput(SetGrantsInput, input);
  if (ctx.org.kind !== "tenant" && grants.length > 0) {
    throw new ValidationError([
      { field: "grants", message: "extra permissions exist only in tenant organizations" },
    ]);
  }
  const unique = [...new Set(grants)].sort();
  return withTransaction(ctx, async (tx) => {
    const m = await lockMembership(tx, ctx, membershipId);
    const [updated] = await tx
      .update(memberships)
      .set({ grants: unique })
      .where(and(eq(memberships.id, m.id), eq(memberships.orgId, ctx.org.id)))
      .returning();
    await recordAudit(tx, ctx, {
      action: "member.grants_changed",
      targetType: "membership",
      targetId: m.id,
      data: { from: m.grants, to: unique },
    });
    return updated!;
  });
}

/** Removes a member, and revokes the API keys they created for this organization with it. */
export async function removeMember({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "members:manage");
  const { membershipId } = parseInput(MembershipIdInput, input);
  await withTransaction(ctx, async (tx) => {
    const m = await lockMembership(tx, ctx, membershipId);
    await ensureAnotherAdmin(tx, ctx, m);
    await tx
      .delete(memberships)
      .where(and(eq(memberships.id, m.id), eq(memberships.orgId, ctx.org.id)));
    // Every session the removed person holds ends, in whichever organization it acts.
    await bumpSessionEpoch(tx, m.userId);
    const revokedApiKeys = await revokeKeysCreatedBy(tx, ctx, m.userId, "member_removed");
    await recordAudit(tx, ctx, {
      action: "member.removed",
      targetType: "membership",
      targetId: m.id,
      data: { userId: m.userId, role: m.role, revokedApiKeys },
    });
  });
}

export async function revokeInvitation({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "members:manage");
  const { invitationId } = parseInput(InvitationIdInput, input);
  await withTransaction(ctx, async (tx) => {
    const [inv] = await tx
      .update(invitations)
      .set({ revokedAt: new Date() })
      .where(
        and(
          eq(invitations.id, invitationId),
          eq(invitations.orgId, ctx.org.id),
          isNull(invitations.acceptedAt),
          isNull(invitations.revokedAt),
        ),
      )
      .returning();
    if (!inv) throw new NotFoundError("Invitation");
    await recordAudit(tx, ctx, {
      action: "member.invitation_revoked",
      targetType: "invitation",
      targetId: inv.id,
      data: { email: inv.email },
    });
  });
}
