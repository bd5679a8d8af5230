import { and, asc, eq, gt, isNull } from "drizzle-orm";
import { invitations, memberships, users } from "@/db/schema";
import { requirePermission, type Ctx } from "@/lib/context";
import { NotFoundError } from "@/lib/errors";
import { parseTargetInput } from "@/lib/ids";
import { MembershipIdInput } from "./schemas";

export async function listMembers({ ctx }: { ctx: Ctx }) {
  requirePermission(ctx, "org:read");
  const members = await ctx.db
    .select({
      membershipId: memberships.id,
      userId: users.id,
      email: users.email,
      name: users.name,
      role: memberships.role,
      grants: memberships.grants,
      since: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.orgId, ctx.org.id))
    .orderBy(asc(users.email));
  const pending = ctx.permissions.has("members:manage")
    ? await ctx.db
        .select({
          id: invitations.id,
          email: invitations.email,
          role: invitations.role,
          expiresAt: invitations.expiresAt,
          createdAt: invitations.createdAt,
        })
        .from(invitations)
        .where(
          and(
            eq(invitations.orgId, ctx.org.id),
            isNull(invitations.acceptedAt),
            isNull(invitations.revokedAt),
            gt(invitations.expiresAt, new Date()),
          ),
        )
        .orderBy(asc(invitations.createdAt))
    : [];
  return { members, pending };
}

/** One member of the caller's organization; a malformed id is not found, like an unknown one. */
export async function getMember({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "org:read");
  const { membershipId } = parseTargetInput(MembershipIdInput, input, {
    field: "membershipId",
    notFound: "Member",
  });
  const { members } = await listMembers({ ctx });
  const member = members.find((m) => m.membershipId === membershipId);
  if (!member) throw new NotFoundError("Member");
  return member;
}
