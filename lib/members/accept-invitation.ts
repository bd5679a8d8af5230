import { eq } from "drizzle-orm";
import type { Db } from "@/db";
import { invitations, memberships, organizations, users } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { hashPassword, verifyPassword } from "@/lib/auth/password";
import { sha256 } from "@/lib/auth/tokens";
import { ConflictError, NotFoundError, parseInput, ValidationError } from "@/lib/errors";
import { AcceptInvitationInput } from "./schemas";

/** What the invitation page shows before the invitee accepts. */
export async function describeInvitation(db: Db, token: string) {
  const [row] = await db
    .select({ inv: invitations, org: organizations })
    .from(invitations)
    .innerJoin(organizations, eq(organizations.id, invitations.orgId))
    .where(eq(invitations.tokenHash, sha256(token)));
  if (!row || row.inv.revokedAt || row.inv.acceptedAt || row.inv.expiresAt <= new Date()) {
    throw new NotFoundError("Invitation (it may have expired or been used)");
  }
  const [existing] = await db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.email, row.inv.email));
  return {
    email: row.inv.email,
    role: row.inv.role,
    orgName: row.org.name,
    hasAccount: Boolean(existing),
  };
}

/**
 * Accepts an invitation. A new address sets a name and password; an existing account proves
 * itself with its password. The token is the only authority, and it works once.
 */
export async function acceptInvitation({ db, input }: { db: Db; input: unknown }) {
  const { token, name, password } = parseInput(AcceptInvitationInput, input);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ inv: invitations, org: organizations })
      .from(invitations)
      .innerJoin(organizations, eq(organizations.id, invitations.orgId))
      .where(eq(invitations.tokenHash, sha256(token)))
      .for("update");
    if (!row || row.inv.revokedAt || row.inv.acceptedAt || row.inv.expiresAt <= new Date()) {
      throw new NotFoundError("Invitation (it may have expired or been used)");
    }
    const { inv, org } = row;
    let [user] = await tx.select().from(users).where(eq(users.email, inv.email));
    if (user) {
      if (!user.passwordHash || !(await verifyPassword(user.passwordHash, password))) {
        throw new ValidationError([
          { field: "password", message: "is not the password of this account" },
        ]);
      }
    } else {
      if (!name) throw new ValidationError([{ field: "name", message: "is required" }]);
      [user] = await tx
        .insert(users)
        .values({
          email: inv.email,
          name,
          passwordHash: await hashPassword(password),
          emailVerifiedAt: new Date(),
        })
        .returning();
    }
    const inserted = await tx
      .insert(memberships)
      .values({ orgId: inv.orgId, userId: user!.id, role: inv.role })
      .onConflictDoNothing()
      .returning();
    if (!inserted.length) throw new ConflictError("You are already a member of this organization");
    await tx.update(invitations).set({ acceptedAt: new Date() }).where(eq(invitations.id, inv.id));
    await recordAudit(
      tx,
      { org, actor: { type: "user", id: user!.id, email: user!.email, name: user!.name } },
      {
        action: "member.joined",
        targetType: "membership",
        targetId: inserted[0]!.id,
        data: { role: inv.role },
      },
    );
    return { userId: user!.id, email: user!.email, orgId: org.id };
  });
}
