import { eq } from "drizzle-orm";
import type { Db } from "@/db";
import { invitations, memberships, organizations, users } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { withTransaction } from "@/lib/context";
import { hashPassword } from "@/lib/auth/password";
import { sha256 } from "@/lib/auth/tokens";
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  parseInput,
  ValidationError,
} from "@/lib/errors";
import { AcceptInvitationInput } from "./schemas";

const GONE = "Invitation (it may have expired or been used)";

/** What the invitation page shows before the invitee accepts. */
export async function describeInvitation(db: Db, token: string) {
  const [row] = await db
    .select({ inv: invitations, org: organizations })
    .from(invitations)
    .innerJoin(organizations, eq(organizations.id, invitations.orgId))
    .where(eq(invitations.tokenHash, sha256(token)));
  if (!row || row.inv.revokedAt || row.inv.acceptedAt || row.inv.expiresAt <= new Date()) {
    throw new NotFoundError(GONE);
  }
  return { email: row.inv.email, role: row.inv.role, orgName: row.org.name };
}

/**
 * Accepts an invitation. Someone signed in joins with their own account, which must be the
 * invited address; nobody proves an existing account by typing its password here, so the form
 * cannot be used to guess passwords. Without a session, a new account is created for the invited
 * address; its email stays unverified until the owner signs in by email link.
 * verb-no-permission: there is no membership yet; the emailed invitation token is the credential.
 */
export async function acceptInvitation({
  db,
  input,
  signedInUserId,
}: {
  db: Db;
  input: unknown;
  signedInUserId?: string;
}) {
  const { token, name, password } = parseInput(AcceptInvitationInput, input);
  return withTransaction({ db }, async (tx) => {
    const [row] = await tx
      .select({ inv: invitations, org: organizations })
      .from(invitations)
      .innerJoin(organizations, eq(organizations.id, invitations.orgId))
      .where(eq(invitations.tokenHash, sha256(token)))
      .for("update");
    if (!row || row.inv.revokedAt || row.inv.acceptedAt || row.inv.expiresAt <= new Date()) {
      throw new NotFoundError(GONE);
    }
    const { inv, org } = row;
    let user: typeof users.$inferSelect | undefined;
    if (signedInUserId) {
      [user] = await tx.select().from(users).where(eq(users.id, signedInUserId));
      if (!user || user.email !== inv.email) {
        throw new ForbiddenError(
          `This invitation is for ${inv.email}; sign in as that address to accept it`,
        );
      }
    } else {
      const missing = [
        ...(name ? [] : [{ field: "name", message: "is required" }]),
        ...(password ? [] : [{ field: "password", message: "is required" }]),
      ];
      if (missing.length) throw new ValidationError(missing);
      [user] = await tx
        .insert(users)
        .values({ email: inv.email, name: name!, passwordHash: await hashPassword(password!) })
        .onConflictDoNothing({ target: users.email })
        .returning();
      if (!user) {
        throw new ConflictError(
          `${inv.email} already has a Beacon account: sign in as it to accept the invitation`,
        );
      }
    }
    const inserted = await tx
      .insert(memberships)
      .values({ orgId: inv.orgId, userId: user.id, role: inv.role })
      .onConflictDoNothing()
      .returning();
    if (!inserted.length) throw new ConflictError("You are already a member of this organization");
    await tx.update(invitations).set({ acceptedAt: new Date() }).where(eq(invitations.id, inv.id));
    await recordAudit(
      tx,
      { org, actor: { type: "user", id: user.id, email: user.email, name: user.name } },
      {
        action: "member.joined",
        targetType: "membership",
        targetId: inserted[0]!.id,
        data: { role: inv.role },
      },
    );
    return { userId: user.id, email: user.email, orgId: org.id };
  });
}
