import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, desc, eq } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import { apiKeys, auditLog, devMailbox, memberships, notificationJobs, users } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  UnauthorizedError,
  ValidationError,
} from "@/lib/errors";
import { inviteMember } from "./invite";
import {
  acceptInvitation,
  createAccountFromInvitation,
  describeInvitation,
  describeInvitationVerification,
  INVITATION_VERIFY_LIMITS,
  InvitationEmailUnavailableError,
  requestInvitationVerification,
} from "./accept-invitation";
import { changeMemberRole, removeMember, revokeInvitation, setMemberGrants } from "./manage";
import { listMembers } from "./list";
import { deliverInvitation } from "./invitation-email";
import { loadUserCtx } from "@/lib/auth/session-ctx";
import {
  apiKeysByCreator,
  authenticateApiKey,
  createApiKey,
  keysRevokedNotice,
} from "@/lib/api-keys/keys";

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

/** No provider: the verification email lands in the inviting organization's dev mailbox. */
const DEV_MAIL = {
  appUrl: "http://beacon.test",
  emailConfigured: false,
  devMailbox: true,
  from: "Beacon <alerts@beacon.test>",
};

/** The code in the newest verification link emailed to `email`. */
async function emailedCode(email: string): Promise<string> {
  const [mail] = await t.db
    .select()
    .from(devMailbox)
    .where(eq(devMailbox.to, email))
    .orderBy(desc(devMailbox.createdAt))
    .limit(1);
  const code = /\/invite\/verify\/([\w-]+)/.exec(mail?.text ?? "")?.[1];
  if (!code) throw new Error(`no verification link emailed to ${email}`);
  return code;
}

/** The whole anonymous path: ask for the email, follow its link, create the account. */
async function joinByEmail(token: string, name: string, password = "a-long-password") {
  const { email } = await requestInvitationVerification(
    { db: t.db, input: { token }, clientAddress: "192.0.2.1" },
    DEV_MAIL,
  );
  return createAccountFromInvitation({
    db: t.db,
    input: { code: await emailedCode(email), name, password },
  });
}

describe("invitations", () => {
  it("invites, then the invitee proves the address by email, sets a password and joins with the role", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    const { invitation, token } = await inviteMember({
      ctx: admin,
      input: { email: " New.Person@Acme.test ", role: "tech_devops" },
    });
    expect(invitation.email).toBe("new.person@acme.test");
    expect(invitation.tokenHash).not.toContain(token);

    const seen = await describeInvitation(t.db, token);
    expect(seen).toEqual({
      orgName: "Acme Telecom",
      role: "tech_devops",
      email: "new.person@acme.test",
    });

    await requestInvitationVerification(
      { db: t.db, input: { token }, clientAddress: "192.0.2.1" },
      DEV_MAIL,
    );
    const code = await emailedCode("new.person@acme.test");
    expect(await describeInvitationVerification(t.db, code)).toEqual(seen);
    await expect(
      createAccountFromInvitation({ db: t.db, input: { code, name: "N", password: "short" } }),
    ).rejects.toThrowError(/password: must be at least 10 characters/);
    await expect(createAccountFromInvitation({ db: t.db, input: { code } })).rejects.toThrowError(
      /name: is required; password: is required/,
    );
    const joined = await createAccountFromInvitation({
      db: t.db,
      input: { code, name: "New Person", password: "a-long-password" },
    });
    expect(joined.orgId).toBe(admin.org.id);
    const ctx = await loadUserCtx(t.db, joined.userId, undefined);
    expect(ctx?.role).toBe("tech_devops");
    const [user] = await t.db.select().from(users).where(eq(users.id, joined.userId));
    expect(user!.emailVerifiedAt).not.toBeNull();

    // The code and the invitation work once.
    await expect(
      createAccountFromInvitation({
        db: t.db,
        input: { code, name: "X", password: "a-long-password" },
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(describeInvitation(t.db, token)).rejects.toBeInstanceOf(NotFoundError);
    const audit = await t.db.select().from(auditLog).where(eq(auditLog.orgId, admin.org.id));
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        "member.invited",
        "member.invitation_verification_requested",
        "member.joined",
      ]),
    );
  });

  it("gives an anonymous holder of the link no account without the emailed verification", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    const { token } = await inviteMember({
      ctx: admin,
      input: { email: "victim@acme.test", role: "billing_admin" },
    });
    // The inviting admin (or whoever else has seen the link) tries to set the account up.
    await expect(
      acceptInvitation({
        db: t.db,
        input: { token, name: "Not the victim", password: "a-long-password" },
      }),
    ).rejects.toThrowError(/Sign in as victim@acme.test, or confirm that address by email/);
    await expect(acceptInvitation({ db: t.db, input: { token } })).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
    // The link's token is not a verification code, nor is a guessed one.
    for (const code of [token, "a-guessed-code-that-is-long"]) {
      await expect(
        createAccountFromInvitation({
          db: t.db,
          input: { code, name: "Not the victim", password: "a-long-password" },
        }),
      ).rejects.toBeInstanceOf(NotFoundError);
    }
    // Asking for the email sends it to the invited address only, and answers nothing usable.
    const answer = await requestInvitationVerification(
      { db: t.db, input: { token }, clientAddress: "192.0.2.2" },
      DEV_MAIL,
    );
    expect(answer).toEqual({ email: "victim@acme.test" });
    const first = await emailedCode("victim@acme.test");
    // A newer request replaces the older code.
    await requestInvitationVerification(
      { db: t.db, input: { token }, clientAddress: "192.0.2.2" },
      DEV_MAIL,
    );
    const second = await emailedCode("victim@acme.test");
    expect(second).not.toBe(first);
    await expect(describeInvitationVerification(t.db, first)).rejects.toBeInstanceOf(NotFoundError);
    expect(await t.db.select().from(users).where(eq(users.email, "victim@acme.test"))).toEqual([]);

    // Only the owner of the address, following the emailed link, gets the account.
    const joined = await createAccountFromInvitation({
      db: t.db,
      input: { code: second, name: "Victor Victim", password: "the-owners-password" },
    });
    const [user] = await t.db.select().from(users).where(eq(users.id, joined.userId));
    expect(user).toMatchObject({ email: "victim@acme.test", name: "Victor Victim" });
  });

  it("refuses to email a code without a provider or dev mailbox, for an existing account, or too often", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    const { token } = await inviteMember({
      ctx: admin,
      input: { email: "nomail@acme.test", role: "support_manager" },
    });
    await expect(
      requestInvitationVerification(
        { db: t.db, input: { token }, clientAddress: "192.0.2.3" },
        { ...DEV_MAIL, devMailbox: false },
      ),
    ).rejects.toBeInstanceOf(InvitationEmailUnavailableError);
    await expect(
      requestInvitationVerification(
        { db: t.db, input: { token: "not-a-real-invitation" }, clientAddress: "192.0.2.3" },
        DEV_MAIL,
      ),
    ).rejects.toBeInstanceOf(NotFoundError);

    const globex = await ctxFor(t.db, "admin@globex.test");
    const existing = await inviteMember({
      ctx: globex,
      input: { email: "billing@acme.test", role: "support_manager" },
    });
    await expect(
      requestInvitationVerification(
        { db: t.db, input: { token: existing.token }, clientAddress: "192.0.2.3" },
        DEV_MAIL,
      ),
    ).rejects.toThrowError(/already has a Beacon account: sign in as it/);

    for (let i = 0; i < INVITATION_VERIFY_LIMITS.invitation.max; i++) {
      await requestInvitationVerification(
        { db: t.db, input: { token }, clientAddress: `192.0.2.${10 + i}` },
        DEV_MAIL,
      );
    }
    await expect(
      requestInvitationVerification(
        { db: t.db, input: { token }, clientAddress: "192.0.2.99" },
        DEV_MAIL,
      ),
    ).rejects.toBeInstanceOf(RateLimitedError);
  });

  it("shows the inviter the raw link when no email provider is configured", async () => {
    expect(
      await deliverInvitation({
        email: "x@acme.test",
        role: "support_manager",
        token: "the-token-to-share",
        orgName: "Acme Telecom",
      }),
    ).toEqual({
      email: "x@acme.test",
      emailed: false,
      url: expect.stringMatching(/\/invite\/the-token-to-share$/),
      emailError: undefined,
    });
  });

  it("lets an existing account join only while signed in as the invited address", async () => {
    const globex = await ctxFor(t.db, "admin@globex.test");
    const { token } = await inviteMember({
      ctx: globex,
      input: { email: "devops@acme.test", role: "support_manager" },
    });
    const [devops] = await t.db.select().from(users).where(eq(users.email, "devops@acme.test"));
    const [other] = await t.db.select().from(users).where(eq(users.email, "billing@acme.test"));
    // Without a session the address cannot be claimed, and no password is checked here.
    await expect(
      acceptInvitation({
        db: t.db,
        input: { token, name: "Impostor", password: "a-long-password" },
      }),
    ).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(
      acceptInvitation({ db: t.db, input: { token }, signedInUserId: other!.id }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await acceptInvitation({ db: t.db, input: { token }, signedInUserId: devops!.id });
    const inGlobex = await loadUserCtx(t.db, devops!.id, globex.org.id);
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
    const joined = await joinByEmail(token, "Leaver");
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

describe("API keys of a member who leaves or is demoted", () => {
  /** A second org admin of Acme, who creates keys, and whose keys are revoked when they go. */
  async function secondAdmin(email: string) {
    const admin = await ctxFor(t.db, "admin@acme.test");
    const [user] = await t.db.insert(users).values({ email, name: email }).returning();
    const [m] = await t.db
      .insert(memberships)
      .values({ orgId: admin.org.id, userId: user!.id, role: "org_admin" })
      .returning();
    return { admin, membershipId: m!.id, userId: user!.id, ctx: await ctxFor(t.db, email) };
  }

  async function keyState(id: string) {
    const [k] = await t.db.select().from(apiKeys).where(eq(apiKeys.id, id));
    return k!.revokedAt ? "revoked" : "active";
  }

  it("removing a member revokes the keys they created for that organization, audited, in the same transaction", async () => {
    const leaver = await secondAdmin("key-leaver@acme.test");
    const a = await createApiKey({
      ctx: leaver.ctx,
      input: { name: "Deploy bot", role: "org_admin" },
    });
    const b = await createApiKey({ ctx: leaver.ctx, input: { name: "CI", role: "tech_devops" } });
    const others = await createApiKey({
      ctx: leaver.admin,
      input: { name: "Admin's own", role: "org_admin" },
    });
    // A key with no creator (made with `npm run apikey`) is nobody's to lose.
    const [cli] = await t.db
      .insert(apiKeys)
      .values({
        orgId: leaver.admin.org.id,
        name: "CLI key",
        role: "org_admin",
        prefix: "bk_cli0000",
        keyHash: "cli-hash-1",
      })
      .returning();
    // Their keys are what the removal dialog lists, beforehand.
    const listed = await apiKeysByCreator({ ctx: leaver.admin });
    expect(listed[leaver.userId]!.map((k) => k.name).sort()).toEqual(["CI", "Deploy bot"]);
    expect(keysRevokedNotice(listed[leaver.userId]!)).toBe(
      `These API keys will be revoked: ${listed[leaver.userId]!.map((k) => `${k.name} (${k.prefix}…)`).join(", ")}.`,
    );

    await removeMember({ ctx: leaver.admin, input: { membershipId: leaver.membershipId } });
    expect(await keyState(a.apiKey.id)).toBe("revoked");
    expect(await keyState(b.apiKey.id)).toBe("revoked");
    expect(await keyState(others.apiKey.id)).toBe("active");
    expect(await keyState(cli!.id)).toBe("active");
    await expect(authenticateApiKey(t.db, `Bearer ${a.secret}`)).rejects.toThrow(/revoked/);
    // Someone who has left is not warned through the organization they left.
    const warned = await t.db
      .select()
      .from(notificationJobs)
      .where(eq(notificationJobs.kind, "user.warning"));
    expect(warned.filter((w) => w.payload.userIds?.includes(leaver.userId))).toHaveLength(0);

    const audit = await t.db.select().from(auditLog).where(eq(auditLog.action, "api_key.revoked"));
    const mine = audit.filter((r) => [a.apiKey.id, b.apiKey.id].includes(r.targetId!));
    expect(mine).toHaveLength(2);
    for (const r of mine) {
      expect(r.actorId).toBe(leaver.admin.actor.id);
      expect(r.data).toMatchObject({ reason: "member_removed", createdBy: leaver.userId });
    }
    const [removed] = await t.db
      .select()
      .from(auditLog)
      .where(
        and(eq(auditLog.action, "member.removed"), eq(auditLog.targetId, leaver.membershipId)),
      );
    expect((removed!.data as { revokedApiKeys: string[] }).revokedApiKeys.sort()).toEqual(
      [a.apiKey.id, b.apiKey.id].sort(),
    );
  });

  it("a refused removal revokes nothing (one transaction)", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    const own = await createApiKey({
      ctx: admin,
      input: { name: "Last admin's", role: "org_admin" },
    });
    const self = await membershipOf("admin@acme.test");
    // Make the other admins non-admins for a moment, so Acme has one admin left.
    const others = await t.db
      .select()
      .from(memberships)
      .where(and(eq(memberships.orgId, admin.org.id), eq(memberships.role, "org_admin")));
    await t.db
      .update(memberships)
      .set({ role: "support_manager" })
      .where(and(eq(memberships.orgId, admin.org.id), eq(memberships.role, "org_admin")));
    await t.db.update(memberships).set({ role: "org_admin" }).where(eq(memberships.id, self.id));
    await expect(
      removeMember({ ctx: admin, input: { membershipId: self.id } }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(await keyState(own.apiKey.id)).toBe("active");
    for (const o of others)
      await t.db.update(memberships).set({ role: "org_admin" }).where(eq(memberships.id, o.id));
  });

  it("demoting below apikeys:manage revokes their keys; a change that keeps it does not", async () => {
    const member = await secondAdmin("key-demoted@acme.test");
    const k = await createApiKey({
      ctx: member.ctx,
      input: { name: "Metrics push", role: "tech_devops" },
    });
    // Still an org admin (same role): nothing changes.
    await changeMemberRole({
      ctx: member.admin,
      input: { membershipId: member.membershipId, role: "org_admin" },
    });
    expect(await keyState(k.apiKey.id)).toBe("active");
    await changeMemberRole({
      ctx: member.admin,
      input: { membershipId: member.membershipId, role: "tech_devops" },
    });
    expect(await keyState(k.apiKey.id)).toBe("revoked");
    const audit = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "api_key.revoked"), eq(auditLog.targetId, k.apiKey.id)));
    expect(audit[0]!.data).toMatchObject({ reason: "member_demoted", createdBy: member.userId });
    // They are still a member, and their integration now gets 401: they are told why.
    const warnings = await t.db
      .select()
      .from(notificationJobs)
      .where(eq(notificationJobs.kind, "user.warning"));
    const theirs = warnings.filter((w) => w.payload.userIds?.includes(member.userId));
    expect(theirs).toHaveLength(1);
    expect(theirs[0]!.payload.title).toBe("Your API key was revoked");
    expect(theirs[0]!.payload.message).toMatch(/"Metrics push" \(bk_/);
    expect(await apiKeysByCreator({ ctx: member.admin })).not.toHaveProperty(member.userId);
  });

  it("lists keys by creator only for those who manage members, and only the organization's own", async () => {
    const devops = await ctxFor(t.db, "devops@acme.test");
    await expect(apiKeysByCreator({ ctx: devops })).rejects.toBeInstanceOf(ForbiddenError);
    const globex = await ctxFor(t.db, "admin@globex.test");
    const acme = await ctxFor(t.db, "admin@acme.test");
    await createApiKey({ ctx: acme, input: { name: "Acme only", role: "org_admin" } });
    const listed = await apiKeysByCreator({ ctx: globex });
    expect(
      Object.values(listed)
        .flat()
        .map((k) => k.name),
    ).not.toContain("Acme only");
    expect(keysRevokedNotice([])).toBe("");
  });
});
