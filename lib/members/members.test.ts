import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import { auditLog, memberships, users } from "@/db/schema";
import { DEMO_PASSWORD } from "@/db/seed";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { inviteMember } from "./invite";
import { acceptInvitation, describeInvitation } from "./accept-invitation";
import { changeMemberRole, removeMember, revokeInvitation, setMemberGrants } from "./manage";
import { listMembers } from "./list";
import { loadUserCtx } from "@/lib/auth/session-ctx";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
});
afterAll(async () => t?.close());

async function membershipOf(email: string) {
  const [row] = await t.db
    .select({ id: memberships.id, role: memberships.role, orgId: memberships.orgId })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(users.email, email));
  return row!;
}

describe("invitations", () => {
  it("invites, then the invitee sets a password and joins with the role", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    const { invitation, token } = await inviteMember({
      ctx: admin,
      input: { email: " New.Person@Acme.test ", role: "tech_devops" },
    });
    expect(invitation.email).toBe("new.person@acme.test");
    expect(invitation.tokenHash).not.toContain(token);

    const seen = await describeInvitation(t.db, token);
    expect(seen).toMatchObject({ orgName: "Acme Telecom", role: "tech_devops", hasAccount: false });

    await expect(
      acceptInvitation({ db: t.db, input: { token, password: "short" } }),
    ).rejects.toThrowError(/password: must be at least 10 characters/);
    const joined = await acceptInvitation({
      db: t.db,
      input: { token, name: "New Person", password: "a-long-password" },
    });
    expect(joined.orgId).toBe(admin.org.id);
    const ctx = await loadUserCtx(t.db, joined.userId, undefined);
    expect(ctx?.role).toBe("tech_devops");

    // A token works once.
    await expect(
      acceptInvitation({ db: t.db, input: { token, name: "X", password: "a-long-password" } }),
    ).rejects.toBeInstanceOf(NotFoundError);
    const audit = await t.db.select().from(auditLog).where(eq(auditLog.orgId, admin.org.id));
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(["member.invited", "member.joined"]),
    );
  });

  it("lets an existing account join a second organization with its own password", async () => {
    const globex = await ctxFor(t.db, "admin@globex.test");
    const { token } = await inviteMember({
      ctx: globex,
      input: { email: "devops@acme.test", role: "support_manager" },
    });
    expect((await describeInvitation(t.db, token)).hasAccount).toBe(true);
    await expect(
      acceptInvitation({ db: t.db, input: { token, password: "wrong-password!" } }),
    ).rejects.toThrowError(/password: is not the password of this account/);
    await acceptInvitation({ db: t.db, input: { token, password: DEMO_PASSWORD } });
    const [user] = await t.db.select().from(users).where(eq(users.email, "devops@acme.test"));
    const inGlobex = await loadUserCtx(t.db, user!.id, globex.org.id);
    expect(inGlobex?.org.slug).toBe("globex");
    expect(inGlobex?.role).toBe("support_manager");
  });

  it("refuses a platform role in a tenant, an existing member, and a caller without members:manage", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    await expect(
      inviteMember({ ctx: admin, input: { email: "x@acme.test", role: "responder" } }),
    ).rejects.toThrowError(/role: Responder is not a role in this organization/);
    await expect(
      inviteMember({ ctx: admin, input: { email: "billing@acme.test", role: "org_admin" } }),
    ).rejects.toBeInstanceOf(ConflictError);
    await expect(
      inviteMember({ ctx: admin, input: { email: "not-an-email", role: "org_admin" } }),
    ).rejects.toThrowError(/email: must be an email address/);
    const support = await ctxFor(t.db, "support@acme.test");
    await expect(
      inviteMember({ ctx: support, input: { email: "y@acme.test", role: "org_admin" } }),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });

  it("revokes a pending invitation, scoped to the organization", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    const globex = await ctxFor(t.db, "admin@globex.test");
    const { invitation, token } = await inviteMember({
      ctx: admin,
      input: { email: "temp@acme.test", role: "support_manager" },
    });
    await expect(
      revokeInvitation({ ctx: globex, input: { invitationId: invitation.id } }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await revokeInvitation({ ctx: admin, input: { invitationId: invitation.id } });
    await expect(describeInvitation(t.db, token)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("managing members", () => {
  it("changes a role and grants Manage Alerts & Notifications, with audit rows", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    const support = await membershipOf("support@acme.test");
    await setMemberGrants({
      ctx: admin,
      input: { membershipId: support.id, grants: ["alerts:manage"] },
    });
    let supportCtx = await ctxFor(t.db, "support@acme.test");
    expect(supportCtx.permissions.has("alerts:manage")).toBe(true);
    expect(supportCtx.permissions.has("members:manage")).toBe(false);

    await changeMemberRole({
      ctx: admin,
      input: { membershipId: support.id, role: "billing_admin" },
    });
    supportCtx = await ctxFor(t.db, "support@acme.test");
    expect(supportCtx.role).toBe("billing_admin");
    await changeMemberRole({
      ctx: admin,
      input: { membershipId: support.id, role: "support_manager" },
    });
    await setMemberGrants({ ctx: admin, input: { membershipId: support.id, grants: [] } });

    const actions = (
      await t.db.select().from(auditLog).where(eq(auditLog.targetId, support.id))
    ).map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining(["member.grants_changed", "member.role_changed"]),
    );
    await expect(
      setMemberGrants({
        ctx: admin,
        input: { membershipId: support.id, grants: ["members:manage"] },
      }),
    ).rejects.toThrowError(/grants.0: is not a permission that can be granted/);
  });

  it("answers 404 for another tenant's member and changes nothing", async () => {
    const globex = await ctxFor(t.db, "admin@globex.test");
    const billing = await membershipOf("billing@acme.test");
    for (const attempt of [
      () =>
        changeMemberRole({ ctx: globex, input: { membershipId: billing.id, role: "org_admin" } }),
      () =>
        setMemberGrants({
          ctx: globex,
          input: { membershipId: billing.id, grants: ["alerts:manage"] },
        }),
      () => removeMember({ ctx: globex, input: { membershipId: billing.id } }),
    ]) {
      await expect(attempt()).rejects.toBeInstanceOf(NotFoundError);
    }
    const after = await membershipOf("billing@acme.test");
    expect(after.role).toBe("billing_admin");
    const { members } = await listMembers({ ctx: globex });
    expect(members.map((m) => m.email)).not.toContain("billing@acme.test");
  });

  it("answers 403 to a role without members:manage and changes nothing", async () => {
    const devops = await ctxFor(t.db, "devops@acme.test");
    const billing = await membershipOf("billing@acme.test");
    await expect(
      changeMemberRole({ ctx: devops, input: { membershipId: billing.id, role: "org_admin" } }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect((await membershipOf("billing@acme.test")).role).toBe("billing_admin");
  });

  it("keeps at least one admin", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    const self = await membershipOf("admin@acme.test");
    await expect(
      changeMemberRole({ ctx: admin, input: { membershipId: self.id, role: "tech_devops" } }),
    ).rejects.toBeInstanceOf(ConflictError);
    await expect(
      removeMember({ ctx: admin, input: { membershipId: self.id } }),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it("removes a member", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    const { token } = await inviteMember({
      ctx: admin,
      input: { email: "leaver@acme.test", role: "support_manager" },
    });
    const joined = await acceptInvitation({
      db: t.db,
      input: { token, name: "Leaver", password: "a-long-password" },
    });
    const [m] = await t.db
      .select()
      .from(memberships)
      .where(and(eq(memberships.userId, joined.userId), eq(memberships.orgId, admin.org.id)));
    await removeMember({ ctx: admin, input: { membershipId: m!.id } });
    expect(await loadUserCtx(t.db, joined.userId, undefined)).toBeNull();
  });

  it("rejects a malformed id with the field named", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    const err = await removeMember({ ctx: admin, input: { membershipId: "nope" } }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues).toEqual([
      { field: "membershipId", message: "must be an id" },
    ]);
  });
});
