import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { auditLog, memberships, organizations, users } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { createApiKey, authenticateApiKey } from "@/lib/api-keys/keys";
import { ForbiddenError, ValidationError } from "@/lib/errors";
import { getMyNotifications, updateMyNotifications } from "./my-notifications";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
});
afterAll(async () => t?.close());

async function row(email: string, orgSlug: string) {
  const [r] = await t.db
    .select({ m: memberships, phone: users.phone })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(and(eq(users.email, email), eq(organizations.slug, orgSlug)));
  return r!;
}

function fieldsOf(e: unknown): Record<string, string> {
  expect(e).toBeInstanceOf(ValidationError);
  return Object.fromEntries((e as ValidationError).issues.map((i) => [i.field, i.message]));
}

describe("My notifications", () => {
  it("starts opted out: user-level warnings in-app only", async () => {
    const ctx = await ctxFor(t.db, "devops@acme.test");
    expect(await getMyNotifications({ ctx })).toEqual({
      email: "devops@acme.test",
      phone: null,
      warningEmail: false,
      warningSms: false,
      otherOrgs: 0,
    });
  });

  it("a member saves their own opt-in and phone (normalised to E.164), with an audit row", async () => {
    const ctx = await ctxFor(t.db, "devops@acme.test");
    const saved = await updateMyNotifications({
      ctx,
      input: { phone: " +91 98123-45678 ", warningEmail: true, warningSms: true },
    });
    expect(saved).toMatchObject({ phone: "+919812345678", warningEmail: true, warningSms: true });
    const r = await row("devops@acme.test", "acme");
    expect(r.m.warningEmail).toBe(true);
    expect(r.phone).toBe("+919812345678");
    const [audit] = await t.db
      .select()
      .from(auditLog)
      .where(
        and(eq(auditLog.action, "member.notifications_changed"), eq(auditLog.targetId, r.m.id)),
      );
    expect(audit!.actorId).toBe(ctx.actor.id);
    expect(audit!.data).toEqual({ warningEmail: true, warningSms: true, phone: "changed" });
    expect(JSON.stringify(audit!.data)).not.toContain("98123");
  });

  it("changes only the caller's own membership: a user id in the input is refused, others are untouched", async () => {
    const devops = await ctxFor(t.db, "devops@acme.test");
    const admin = await ctxFor(t.db, "admin@acme.test");
    const before = await row("admin@acme.test", "acme");
    const err = await updateMyNotifications({
      ctx: devops,
      input: { phone: "", warningEmail: true, warningSms: false, userId: admin.actor.id },
    }).catch((e: unknown) => e);
    expect(fieldsOf(err)["(body)"]).toMatch(/userId/);

    await updateMyNotifications({
      ctx: devops,
      input: { phone: "", warningEmail: false, warningSms: false },
    });
    const after = await row("admin@acme.test", "acme");
    expect(after.m).toEqual(before.m);
    expect(after.phone).toBe(before.phone);
    expect((await row("devops@acme.test", "acme")).phone).toBeNull();
  });

  it("the opt-in is per organization; the phone is the person's", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    const globex = await ctxFor(t.db, "admin@globex.test");
    await t.db
      .insert(memberships)
      .values({ orgId: globex.org.id, userId: admin.actor.id!, role: "support_manager" });
    await updateMyNotifications({
      ctx: admin,
      input: { phone: "+15550001111", warningEmail: true, warningSms: false },
    });
    const [atGlobex] = await t.db
      .select()
      .from(memberships)
      .where(and(eq(memberships.userId, admin.actor.id!), eq(memberships.orgId, globex.org.id)));
    expect(atGlobex!.warningEmail).toBe(false);
    expect(await getMyNotifications({ ctx: admin })).toMatchObject({
      phone: "+15550001111",
      otherOrgs: 1,
    });
  });

  it("names the field and the reason for every bad input", async () => {
    const ctx = await ctxFor(t.db, "support@acme.test");
    const bad = (input: unknown) =>
      updateMyNotifications({ ctx, input }).then(
        () => ({}),
        (e: unknown) => fieldsOf(e),
      );
    expect(await bad({ phone: "98123 45678", warningEmail: false, warningSms: false })).toEqual({
      phone: "must be a phone number in E.164 form with the country code, e.g. +919812345678",
    });
    expect(
      await bad({ phone: "+0123456789", warningEmail: false, warningSms: false }),
    ).toHaveProperty("phone");
    expect(await bad({ phone: "", warningEmail: false, warningSms: true })).toEqual({
      warningSms: "needs a phone number: add one in Phone, or leave SMS off",
    });
    expect(await bad({ phone: "", warningEmail: "yes", warningSms: false })).toEqual({
      warningEmail: "must be true or false",
    });
    // Nothing was saved by any of them.
    expect(await getMyNotifications({ ctx })).toMatchObject({
      phone: null,
      warningEmail: false,
      warningSms: false,
    });
  });

  it("an API key has no notification preferences to read or change", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    const { secret } = await createApiKey({
      ctx: admin,
      input: { name: "bot", role: "org_admin" },
    });
    const key = await authenticateApiKey(t.db, `Bearer ${secret}`);
    await expect(getMyNotifications({ ctx: key })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      updateMyNotifications({
        ctx: key,
        input: { phone: "", warningEmail: true, warningSms: false },
      }),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });
});
