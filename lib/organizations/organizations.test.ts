import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, inArray } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import {
  alertSettings,
  apiKeys,
  auditLog,
  deliveries,
  devMailbox,
  memberships,
  organizations,
  users,
} from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { enqueue, orgId } from "@/test/alerts";
import { createApiKey, authenticateApiKey } from "@/lib/api-keys/keys";
import {
  createAccountFromInvitation,
  requestInvitationVerification,
} from "@/lib/members/accept-invitation";
import { loadUserCtx, listUserOrgs, suspendedSignInRefusal } from "@/lib/auth/session-ctx";
import { enqueueUserWarning } from "@/lib/alerts/user-warning";
import { planJob } from "@/lib/alerts/plan";
import { withTransaction, type Ctx } from "@/lib/context";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import {
  createOrganization,
  inviteOrgAdmin,
  listOrganizations,
  updateOrganization,
} from "./organizations";

let t: TestDb;
let platformAdmin: Ctx;
let acme: string;
let globex: string;
let acmeKey: string;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  platformAdmin = await ctxFor(t.db, "admin@beacon.test");
  acme = await orgId(t.db, "acme");
  globex = await orgId(t.db, "globex");
  acmeKey = (
    await createApiKey({
      ctx: await ctxFor(t.db, "admin@acme.test"),
      input: { name: "acme ci", role: "org_admin" },
    })
  ).secret;
});
afterAll(() => t?.close());

async function userId(email: string) {
  const [u] = await t.db.select().from(users).where(eq(users.email, email));
  return u!.id;
}

async function fieldErrors(p: Promise<unknown>) {
  const e = await p.catch((x: unknown) => x);
  expect(e).toBeInstanceOf(ValidationError);
  return Object.fromEntries((e as ValidationError).issues.map((i) => [i.field, i.message]));
}

describe("tenant organizations", () => {
  it("only platform admins manage them", async () => {
    for (const email of ["admin@acme.test", "oncall@beacon.test"]) {
      const ctx = await ctxFor(t.db, email);
      await expect(listOrganizations({ ctx })).rejects.toBeInstanceOf(ForbiddenError);
      await expect(
        createOrganization({ ctx, input: { slug: "nope", name: "Nope" } }),
      ).rejects.toBeInstanceOf(ForbiddenError);
      await expect(
        updateOrganization({ ctx, input: { id: acme, suspended: true } }),
      ).rejects.toBeInstanceOf(ForbiddenError);
      await expect(
        inviteOrgAdmin({ ctx, input: { id: acme, email: "x@example.test" } }),
      ).rejects.toBeInstanceOf(ForbiddenError);
    }
  });

  it("creates a tenant with default alert settings, and says why a slug is refused", async () => {
    const org = await createOrganization({
      ctx: platformAdmin,
      input: { slug: "initech", name: "Initech" },
    });
    expect(org).toMatchObject({ slug: "initech", name: "Initech", kind: "tenant" });
    expect(
      await t.db.select().from(alertSettings).where(eq(alertSettings.orgId, org.id)),
    ).toHaveLength(1);
    const audit = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "organization.created"), eq(auditLog.targetId, org.id)));
    expect(audit).toHaveLength(1);
    expect((await listOrganizations({ ctx: platformAdmin })).map((o) => o.slug)).toEqual(
      expect.arrayContaining(["acme", "globex", "initech"]),
    );

    const refused: [string, RegExp][] = [
      ["acme", /already used by another organization/],
      ["Acme-2", /lowercase letters/],
      ["-acme", /start and end with a letter or digit/],
      ["ac--me", /two hyphens/],
      ["a", /at least 2/],
      ["x".repeat(41), /at most 40/],
      ["platform", /reserved/],
      ["setup", /reserved/],
      ["ac me", /lowercase letters/],
    ];
    for (const [slug, why] of refused) {
      const fields = await fieldErrors(
        createOrganization({ ctx: platformAdmin, input: { slug, name: "X" } }),
      );
      expect(fields.slug, slug).toMatch(why);
    }
    expect(
      await fieldErrors(createOrganization({ ctx: platformAdmin, input: { slug: "okay" } })),
    ).toEqual({ name: "is required" });
  });

  it("two creations of one slug at once: one tenant, the other refused naming the slug", async () => {
    const results = await Promise.allSettled([
      createOrganization({ ctx: platformAdmin, input: { slug: "hooli", name: "Hooli 1" } }),
      createOrganization({ ctx: platformAdmin, input: { slug: "hooli", name: "Hooli 2" } }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const failed = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(failed.reason).toBeInstanceOf(ValidationError);
    expect((failed.reason as ValidationError).issues[0]!.field).toBe("slug");
    expect(
      await t.db.select().from(organizations).where(eq(organizations.slug, "hooli")),
    ).toHaveLength(1);
  });

  it("renames a tenant (audited); the platform and unknown or malformed ids are not found", async () => {
    const org = await createOrganization({
      ctx: platformAdmin,
      input: { slug: "vandelay", name: "Vandelay" },
    });
    const renamed = await updateOrganization({
      ctx: platformAdmin,
      input: { id: org.id, name: "Vandelay Industries" },
    });
    expect(renamed.name).toBe("Vandelay Industries");
    const [row] = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "organization.renamed"), eq(auditLog.targetId, org.id)));
    expect(row!.data).toEqual({ from: "Vandelay", to: "Vandelay Industries" });
    for (const id of [platformAdmin.org.id, "00000000-0000-4000-8000-000000000000", "nope"]) {
      await expect(
        updateOrganization({ ctx: platformAdmin, input: { id, name: "X" } }),
      ).rejects.toBeInstanceOf(NotFoundError);
    }
    expect(
      await fieldErrors(
        updateOrganization({ ctx: platformAdmin, input: { id: org.id, name: "" } }),
      ),
    ).toEqual({ name: "is required" });
  });

  it("invites a tenant's first org admin through the invitation flow", async () => {
    const org = await createOrganization({
      ctx: platformAdmin,
      input: { slug: "umbrella", name: "Umbrella" },
    });
    const { invitation, token } = await inviteOrgAdmin({
      ctx: platformAdmin,
      input: { id: org.id, email: "Boss@Umbrella.test" },
    });
    expect(token.length).toBeGreaterThan(20);
    expect(invitation).toMatchObject({
      orgId: org.id,
      email: "boss@umbrella.test",
      role: "org_admin",
    });
    const audits = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "member.invited"), eq(auditLog.targetId, invitation.id)));
    expect(audits.map((a) => a.orgId).sort()).toEqual([org.id, platformAdmin.org.id].sort());
    const listed = (await listOrganizations({ ctx: platformAdmin })).find((o) => o.id === org.id);
    expect(listed).toMatchObject({ members: 0, pendingInvitations: 1 });
    expect(
      await fieldErrors(
        inviteOrgAdmin({ ctx: platformAdmin, input: { id: org.id, email: "not-an-address" } }),
      ),
    ).toHaveProperty("email");
    await expect(
      inviteOrgAdmin({ ctx: platformAdmin, input: { id: "x", email: "a@b.test" } }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("a new tenant's first org admin", () => {
  it("follows the invitation, proves the address through the platform's dev mailbox and lands in the tenant as org admin", async () => {
    const org = await createOrganization({
      ctx: platformAdmin,
      input: { slug: "cyberdyne", name: "Cyberdyne" },
    });
    const { token } = await inviteOrgAdmin({
      ctx: platformAdmin,
      input: { id: org.id, email: "first@cyberdyne.test" },
    });
    await requestInvitationVerification(
      { db: t.db, input: { token }, clientAddress: "192.0.2.9" },
      { appUrl: "http://beacon.test", emailConfigured: false, devMailbox: true, from: "b@b.test" },
    );
    // The tenant has no one to read its own mailbox yet: the platform admin who invited reads it.
    const [mail] = await t.db
      .select()
      .from(devMailbox)
      .where(eq(devMailbox.to, "first@cyberdyne.test"));
    expect(mail!.orgId).toBe(platformAdmin.org.id);
    const code = /\/invite\/verify\/([\w-]+)/.exec(mail!.text)![1]!;
    const joined = await createAccountFromInvitation({
      db: t.db,
      input: { code, name: "First Admin", password: "a-long-password" },
    });
    const ctx = await loadUserCtx(t.db, joined.userId, org.id);
    expect(ctx).toMatchObject({ org: { id: org.id }, role: "org_admin" });
  });
});

describe("a suspended tenant", () => {
  async function countsOf(jobId: string) {
    const rows = await t.db
      .select({ orgId: deliveries.orgId })
      .from(deliveries)
      .where(eq(deliveries.jobId, jobId));
    return {
      acme: rows.filter((r) => r.orgId === acme).length,
      globex: rows.filter((r) => r.orgId === globex).length,
    };
  }

  async function warnAcmeAdmin() {
    const admin = await userId("admin@acme.test");
    return withTransaction({ db: t.db }, (tx) =>
      enqueueUserWarning(tx, {
        orgId: acme,
        userIds: [admin],
        title: "Something of yours",
        message: "needs attention",
        url: "/portal",
      }),
    );
  }

  it("is refused everywhere (sign-in, sessions, API keys, alerts), keeps everything, and is restored", async () => {
    const before = {
      members: await t.db.select().from(memberships).where(eq(memberships.orgId, acme)),
      keys: await t.db.select().from(apiKeys).where(eq(apiKeys.orgId, acme)),
    };
    const acmeAdmin = await userId("admin@acme.test");
    // Globex's admin also belongs to Acme: they keep Globex.
    const globexAdmin = await userId("admin@globex.test");
    await t.db.insert(memberships).values({ orgId: acme, userId: globexAdmin, role: "org_admin" });

    const suspended = await updateOrganization({
      ctx: platformAdmin,
      input: { id: acme, suspended: true },
    });
    expect(suspended.suspendedAt).toBeInstanceOf(Date);
    const audits = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "organization.suspended"), eq(auditLog.targetId, acme)));
    expect(audits.map((a) => a.orgId).sort()).toEqual([acme, platformAdmin.org.id].sort());

    // Sign-in: told why; an existing session no longer acts in it.
    expect(await suspendedSignInRefusal(t.db, acmeAdmin)).toMatch(
      /^Acme Telecom is suspended, so you cannot sign in to it/,
    );
    expect(await loadUserCtx(t.db, acmeAdmin, acme)).toBeNull();
    // A member of another organization too: signs in there, and cannot switch into Acme.
    expect(await suspendedSignInRefusal(t.db, globexAdmin)).toBeNull();
    const fallback = await loadUserCtx(t.db, globexAdmin, acme);
    expect(fallback?.org.id).toBe(globex);
    expect((await listUserOrgs(t.db, globexAdmin)).map((o) => o.orgId)).toEqual([globex]);

    // API keys: a clear 403.
    const e = await authenticateApiKey(t.db, `Bearer ${acmeKey}`).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ForbiddenError);
    expect((e as Error).message).toMatch(/Acme Telecom is suspended: its API keys are refused/);

    // Alerts: a public incident reaches Globex, not Acme; Acme's own job and warnings reach no one.
    const pub = await enqueue(t.db, { category: "infrastructure", impact: "major" });
    await planJob(t.db, pub.id);
    const pubCounts = await countsOf(pub.id);
    expect(pubCounts.acme).toBe(0);
    expect(pubCounts.globex).toBeGreaterThan(0);
    const own = await enqueue(t.db, {
      category: "infrastructure",
      impact: "major",
      audience: { type: "tenant", orgId: acme },
    });
    expect((await planJob(t.db, own.id)).planned).toBe(true);
    expect(await countsOf(own.id)).toEqual({ acme: 0, globex: 0 });
    const warning = await warnAcmeAdmin();
    await planJob(t.db, warning!.id);
    expect((await countsOf(warning!.id)).acme).toBe(0);

    // Nothing deleted.
    expect(await t.db.select().from(memberships).where(eq(memberships.orgId, acme))).toHaveLength(
      before.members.length + 1,
    );
    expect(await t.db.select().from(apiKeys).where(eq(apiKeys.orgId, acme))).toHaveLength(
      before.keys.length,
    );
    // No new admin can be invited meanwhile.
    await expect(
      inviteOrgAdmin({ ctx: platformAdmin, input: { id: acme, email: "new@acme.test" } }),
    ).rejects.toBeInstanceOf(ConflictError);

    // Restored: everything works again.
    await updateOrganization({ ctx: platformAdmin, input: { id: acme, suspended: false } });
    expect(
      await t.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, "organization.restored"), eq(auditLog.targetId, acme))),
    ).toHaveLength(2);
    expect(await suspendedSignInRefusal(t.db, acmeAdmin)).toBeNull();
    expect((await loadUserCtx(t.db, acmeAdmin, acme))?.org.id).toBe(acme);
    expect((await authenticateApiKey(t.db, `Bearer ${acmeKey}`)).org.id).toBe(acme);
    const again = await enqueue(t.db, { category: "infrastructure", impact: "major" });
    await planJob(t.db, again.id);
    expect((await countsOf(again.id)).acme).toBeGreaterThan(0);
    const warnedAgain = await warnAcmeAdmin();
    await planJob(t.db, warnedAgain!.id);
    expect((await countsOf(warnedAgain!.id)).acme).toBeGreaterThan(0);

    await t.db
      .delete(memberships)
      .where(and(eq(memberships.orgId, acme), inArray(memberships.userId, [globexAdmin])));
  });
});
