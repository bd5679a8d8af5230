import { and, asc, eq, gt, isNull } from "drizzle-orm";
import { invitations, memberships, users } from "@/db/schema";
import { requirePermission, type Ctx } from "@/lib/context";
import { NotFoundError } from "@/lib/errors";

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

export async function getMember({ ctx, input }: { ctx: Ctx; input: { membershipId: string } }) {
  requirePermission(ctx, "org:read");
  const { members } = await listMembers({ ctx });
  const member = members.find((m) => m.membershipId === input.membershipId);
  if (!member) throw new NotFoundError("Member");
  return member;
}
