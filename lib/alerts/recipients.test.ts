import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { alertRecipients, auditLog, memberships, users } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import type { Ctx } from "@/lib/context";
import { ForbiddenError, ValidationError } from "@/lib/errors";
import { addRecipient, removeRecipient } from "./recipients";
import { getAlertSettings } from "./settings";

let t: TestDb;
let admin: Ctx;
let secondAdmin: Ctx;
let support: Ctx;
let globexAdmin: Ctx;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  // A second member who may manage alerts: Tech/DevOps with the grant.
  const [devops] = await t.db.select().from(users).where(eq(users.email, "devops@acme.test"));
  await t.db
    .update(memberships)
    .set({ grants: ["alerts:manage"] })
    .where(eq(memberships.userId, devops!.id));
  admin = await ctxFor(t.db, "admin@acme.test");
  secondAdmin = await ctxFor(t.db, "devops@acme.test");
  support = await ctxFor(t.db, "support@acme.test");
  globexAdmin = await ctxFor(t.db, "admin@globex.test");
});
afterAll(async () => t?.close());

const listed = async (ctx: Ctx) =>
  (await getAlertSettings({ ctx })).recipients.map(
    (r) => `${r.channel}:${r.address}:${r.roleGroup}`,
  );

describe("addRecipient / removeRecipient", () => {
  it("two admins adding at the same moment both keep their recipient", async () => {
    const adds = Array.from({ length: 6 }, (_, i) =>
      addRecipient({
        ctx: i % 2 ? secondAdmin : admin,
        input: { channel: "email", address: `noc-${i}@acme.test`, roleGroup: "tech_devops" },
      }),
    );
    await Promise.all(adds);
    expect(await listed(admin)).toEqual(
      expect.arrayContaining(
        Array.from({ length: 6 }, (_, i) => `email:noc-${i}@acme.test:tech_devops`),
      ),
    );
    const audits = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.orgId, admin.org.id), eq(auditLog.action, "recipient.added")));
    expect(audits.filter((a) => String(a.data.address).startsWith("noc-"))).toHaveLength(6);
  });

  it("a remove and an add at the same moment both take effect", async () => {
    const [gone] = (await getAlertSettings({ ctx: admin })).recipients.filter(
      (r) => r.address === "noc-0@acme.test",
    );
    await Promise.all([
      removeRecipient({ ctx: admin, input: { id: gone!.id } }),
      addRecipient({
        ctx: secondAdmin,
        input: { channel: "sms", address: "+919800000001", roleGroup: "org_admin" },
      }),
    ]);
    const now = await listed(admin);
    expect(now).not.toContain("email:noc-0@acme.test:tech_devops");
    expect(now).toContain("sms:+919800000001:org_admin");
    expect(now).toContain("email:noc-1@acme.test:tech_devops");
  });

  it("stores an email address in lower case; listing it again changes nothing", async () => {
    const first = await addRecipient({
      ctx: admin,
      input: { channel: "email", address: "Oncall@Acme.test", roleGroup: "billing_admin" },
    });
    expect(first.address).toBe("oncall@acme.test");
    const again = await addRecipient({
      ctx: secondAdmin,
      input: { channel: "email", address: "ONCALL@acme.test", roleGroup: "billing_admin" },
    });
    expect(again.id).toBe(first.id);
    expect((await listed(admin)).filter((r) => r.includes("oncall@acme.test"))).toHaveLength(1);
  });

  it("an address marked unreachable is marked under a new role group too", async () => {
    const marked = await addRecipient({
      ctx: admin,
      input: { channel: "sms", address: "+919800000002", roleGroup: "org_admin" },
    });
    const at = new Date("2026-01-02T03:04:05Z");
    await t.db
      .update(alertRecipients)
      .set({ undeliverableAt: at, undeliverableReason: "unknown number" })
      .where(eq(alertRecipients.id, marked.id));
    const added = await addRecipient({
      ctx: admin,
      input: { channel: "sms", address: "+919800000002", roleGroup: "tech_devops" },
    });
    expect(added.undeliverable).toEqual({ at: at.toISOString(), reason: "unknown number" });
    await removeRecipient({ ctx: admin, input: { id: marked.id } });
    const kept = (await getAlertSettings({ ctx: admin })).recipients.find((r) => r.id === added.id);
    expect(kept?.undeliverable?.reason).toBe("unknown number");
  });

  it("names the field and reason of a bad address, and lists nothing", async () => {
    const before = await listed(admin);
    const err = await addRecipient({
      ctx: admin,
      input: { channel: "sms", address: "12345", roleGroup: "org_admin" },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.issues.map((i: { field: string }) => i.field)).toEqual(["address"]);
    await expect(
      addRecipient({
        ctx: admin,
        input: { channel: "slack", address: "x", roleGroup: "org_admin" },
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await listed(admin)).toEqual(before);
  });

  it("checks the permission and the id, and never touches another tenant's recipient", async () => {
    await expect(
      addRecipient({
        ctx: support,
        input: { channel: "email", address: "x@acme.test", roleGroup: "org_admin" },
      }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    const [someone] = (await getAlertSettings({ ctx: admin })).recipients;
    await expect(
      removeRecipient({ ctx: support, input: { id: someone!.id } }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(removeRecipient({ ctx: admin, input: { id: "nope" } })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(await removeRecipient({ ctx: globexAdmin, input: { id: someone!.id } })).toEqual({
      removed: false,
    });
    const rows = await t.db
      .select()
      .from(alertRecipients)
      .where(inArray(alertRecipients.id, [someone!.id]));
    expect(rows).toHaveLength(1);
  });
});
