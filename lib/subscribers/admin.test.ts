import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { auditLog, components, publicSubscribers, regions } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { navFor } from "@/lib/auth/nav";
import type { Ctx } from "@/lib/context";
import { ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { listSubscribers } from "./list";
import { removeSubscriber } from "./remove";
import { rotateSubscriberSecret } from "./rotate-secret";
import { decryptSecret, encryptSecret } from "@/lib/crypto/secrets";

let t: TestDb;
let admin: Ctx;
let responder: Ctx;
let tenantAdmin: Ctx;
let api: { id: string; name: string };
let mumbai: { id: string; name: string };

const day = 24 * 60 * 60 * 1000;
const now = new Date("2026-11-22T10:00:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms);

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  admin = await ctxFor(t.db, "admin@beacon.test");
  responder = await ctxFor(t.db, "oncall@beacon.test");
  tenantAdmin = await ctxFor(t.db, "admin@acme.test");
  const [c] = await t.db.select().from(components).where(eq(components.name, "API"));
  const [r] = await t.db.select().from(regions).where(eq(regions.code, "BOM"));
  api = { id: c!.id, name: c!.name };
  mumbai = { id: r!.id, name: r!.name };
});
beforeEach(async () => {
  await t.db.delete(publicSubscribers).where(sql`true`);
});
afterAll(() => t.close());

/** Two confirmed emails, one awaiting, one expired, two webhooks (one narrowed). */
async function seedSubscribers() {
  const rows = await t.db
    .insert(publicSubscribers)
    .values([
      {
        kind: "email",
        email: "alice@example.com",
        confirmedAt: ago(9 * day),
        createdAt: ago(10 * day),
      },
      {
        kind: "email",
        email: "bob_ops@corp.example",
        componentIds: [api.id],
        regionIds: [mumbai.id, "00000000-0000-4000-8000-000000000000"],
        confirmedAt: ago(day),
        createdAt: ago(2 * day),
      },
      { kind: "email", email: "carol@example.com", confirmTokenHash: "c", createdAt: ago(day) },
      { kind: "email", email: "dave@example.com", confirmTokenHash: "d", createdAt: ago(8 * day) },
      {
        kind: "webhook",
        urlHint: "hooks.example.com",
        urlEncrypted: "enc-url",
        secretEncrypted: "enc-secret",
        confirmedAt: ago(3 * day),
        createdAt: ago(3 * day),
      },
      {
        kind: "webhook",
        urlHint: "status.partner.test:8443",
        urlEncrypted: "enc-url",
        secretEncrypted: "enc-secret",
        componentIds: [api.id],
        confirmedAt: ago(4 * day),
        createdAt: ago(4 * day),
      },
    ])
    .returning();
  return Object.fromEntries(rows.map((r) => [r.email ?? r.urlHint!, r]));
}

describe("listSubscribers", () => {
  it("counts by channel and status, newest first, the webhook shown by its host only", async () => {
    await seedSubscribers();
    const list = await listSubscribers({ ctx: admin, input: {}, now });
    expect(list.counts).toEqual({
      email: { confirmed: 2, awaiting: 1, expired: 1 },
      webhook: { confirmed: 2, awaiting: 0, expired: 0 },
    });
    expect(list.matching).toBe(6);
    expect(list.subscribers.map((s) => s.address)).toEqual([
      "carol@example.com",
      "bob_ops@corp.example",
      "hooks.example.com",
      "status.partner.test:8443",
      "dave@example.com",
      "alice@example.com",
    ]);
    const bob = list.subscribers.find((s) => s.address === "bob_ops@corp.example")!;
    expect(bob).toMatchObject({
      channel: "email",
      status: "confirmed",
      components: [api],
      regions: [
        { ...mumbai, label: "BOM · Mumbai" },
        { id: "00000000-0000-4000-8000-000000000000", name: "(deleted)", label: "(deleted)" },
      ],
      confirmedAt: ago(day),
      confirmExpiresAt: null,
    });
    const carol = list.subscribers.find((s) => s.address === "carol@example.com")!;
    expect(carol).toMatchObject({
      status: "awaiting",
      confirmedAt: null,
      confirmExpiresAt: new Date(ago(day).getTime() + 7 * day),
    });
    const hook = list.subscribers.find((s) => s.channel === "webhook")!;
    expect(JSON.stringify(hook)).not.toContain("enc-");
    expect(Object.keys(hook)).not.toContain("urlEncrypted");
  });

  it("filters by status, channel and a search on the address, and pages", async () => {
    await seedSubscribers();
    const addresses = async (input: object) =>
      (await listSubscribers({ ctx: admin, input, now })).subscribers.map((s) => s.address);
    expect(await addresses({ status: "awaiting" })).toEqual(["carol@example.com"]);
    expect(await addresses({ status: "expired" })).toEqual(["dave@example.com"]);
    expect(await addresses({ status: "confirmed", channel: "email" })).toEqual([
      "bob_ops@corp.example",
      "alice@example.com",
    ]);
    expect(await addresses({ channel: "webhook", q: "PARTNER" })).toEqual([
      "status.partner.test:8443",
    ]);
    // LIKE wildcards in the search are literal characters.
    expect(await addresses({ q: "_" })).toEqual(["bob_ops@corp.example"]);
    expect(await addresses({ q: "%" })).toEqual([]);

    const page2 = await listSubscribers({ ctx: admin, input: { limit: "4", page: "2" }, now });
    expect(page2.subscribers.map((s) => s.address)).toEqual([
      "dave@example.com",
      "alice@example.com",
    ]);
    expect(page2).toMatchObject({ matching: 6, page: 2, limit: 4 });
    // Counts are of everything, whatever the filter.
    const filtered = await listSubscribers({ ctx: admin, input: { channel: "webhook" }, now });
    expect(filtered.matching).toBe(2);
    expect(filtered.counts.email.confirmed).toBe(2);
  });

  it("names the field and the reason for a bad filter", async () => {
    const issues = async (input: object) => {
      try {
        await listSubscribers({ ctx: admin, input });
      } catch (e) {
        if (e instanceof ValidationError) return e.issues;
        throw e;
      }
      throw new Error("expected a validation error");
    };
    expect(await issues({ status: "pending" })).toEqual([
      { field: "status", message: "must be one of confirmed, awaiting, expired" },
    ]);
    expect(await issues({ channel: "sms" })).toEqual([
      { field: "channel", message: "must be one of email, webhook" },
    ]);
    expect(await issues({ page: "0" })).toEqual([{ field: "page", message: "must be 1 or more" }]);
    expect(await issues({ limit: "500" })).toEqual([
      { field: "limit", message: "must be between 1 and 200" },
    ]);
  });
});

describe("removeSubscriber", () => {
  it("removes one subscriber and audits it in the platform organization, without the address", async () => {
    const subs = await seedSubscribers();
    const alice = subs["alice@example.com"]!;
    expect(await removeSubscriber({ ctx: admin, input: { id: alice.id } })).toEqual({
      channel: "email",
      address: "alice@example.com",
    });
    const left = await t.db.select().from(publicSubscribers);
    expect(left).toHaveLength(5);
    expect(left.some((s) => s.id === alice.id)).toBe(false);
    const [audit] = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "subscriber.remove"), eq(auditLog.targetId, alice.id)));
    expect(audit).toMatchObject({
      orgId: admin.org.id,
      actorType: "user",
      actorId: admin.actor.id,
      targetType: "public_subscriber",
      data: { channel: "email", address: "a***@example.com", confirmed: true },
    });

    await expect(removeSubscriber({ ctx: admin, input: { id: alice.id } })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(removeSubscriber({ ctx: admin, input: { id: "nope" } })).rejects.toMatchObject({
      issues: [{ field: "id", message: "must be a subscriber id" }],
    });
    // The webhook's audit row keeps its host, never the URL.
    const hook = subs["hooks.example.com"]!;
    await removeSubscriber({ ctx: admin, input: { id: hook.id } });
    const [hookAudit] = await t.db.select().from(auditLog).where(eq(auditLog.targetId, hook.id));
    expect(hookAudit!.data).toEqual({
      channel: "webhook",
      address: "hooks.example.com",
      confirmed: true,
    });
  });
});

describe("rotateSubscriberSecret", () => {
  it("gives a webhook subscriber a new secret, the old one kept for 24 hours, audited", async () => {
    const [hook] = await t.db
      .insert(publicSubscribers)
      .values({
        kind: "webhook",
        urlHint: "hooks.example.com",
        urlEncrypted: encryptSecret("https://hooks.example.com/status"),
        secretEncrypted: encryptSecret("whsec_b2xk"),
        confirmedAt: ago(day),
        createdAt: ago(day),
      })
      .returning();
    const out = await rotateSubscriberSecret({ ctx: admin, input: { id: hook!.id }, now });
    expect(out).toEqual({
      secret: expect.stringMatching(/^whsec_/),
      previousValidUntil: new Date(now.getTime() + day).toISOString(),
    });
    const [row] = await t.db
      .select()
      .from(publicSubscribers)
      .where(eq(publicSubscribers.id, hook!.id));
    expect(decryptSecret(row!.secretEncrypted!)).toBe(out.secret);
    expect(decryptSecret(row!.previousSecretEncrypted!)).toBe("whsec_b2xk");
    expect(row!.previousSecretExpiresAt).toEqual(new Date(now.getTime() + day));
    const [audit] = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "subscriber.rotate_secret"), eq(auditLog.targetId, hook!.id)));
    expect(audit).toMatchObject({
      orgId: admin.org.id,
      actorType: "user",
      actorId: admin.actor.id,
    });
    expect(JSON.stringify(audit!.data)).not.toContain(out.secret);

    // The list shows the overlap until it ends, and that this subscriber cannot rotate by itself.
    const listed = async (at: Date) =>
      (await listSubscribers({ ctx: admin, input: { channel: "webhook" }, now: at }))
        .subscribers[0];
    expect(await listed(now)).toMatchObject({
      secretRotatingUntil: new Date(now.getTime() + day),
      selfService: false,
    });
    expect((await listed(new Date(now.getTime() + day + 1)))!.secretRotatingUntil).toBeNull();
  });

  it("refuses an email subscriber, an unknown id, tenants and responders", async () => {
    const subs = await seedSubscribers();
    await expect(
      rotateSubscriberSecret({ ctx: admin, input: { id: subs["alice@example.com"]!.id } }),
    ).rejects.toMatchObject({
      issues: [{ field: "id", message: "only webhook subscribers have a signing secret" }],
    });
    await expect(
      rotateSubscriberSecret({
        ctx: admin,
        input: { id: "00000000-0000-4000-8000-000000000000" },
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    const id = subs["hooks.example.com"]!.id;
    for (const ctx of [tenantAdmin, responder])
      await expect(rotateSubscriberSecret({ ctx, input: { id } })).rejects.toBeInstanceOf(
        ForbiddenError,
      );
    const misconfigured: Ctx = {
      ...tenantAdmin,
      permissions: new Set([...tenantAdmin.permissions, "subscribers:manage"]),
    };
    await expect(
      rotateSubscriberSecret({ ctx: misconfigured, input: { id } }),
    ).rejects.toBeInstanceOf(NotFoundError);
    const [row] = await t.db.select().from(publicSubscribers).where(eq(publicSubscribers.id, id));
    expect(row!.previousSecretEncrypted).toBeNull();
  });
});

describe("who may see and remove subscribers", () => {
  it("only platform admins: the nav shows it to them alone", () => {
    const hrefs = (ctx: Ctx) => navFor(ctx.permissions).map((n) => n.href);
    expect(hrefs(admin)).toContain("/portal/subscribers");
    expect(hrefs(responder)).not.toContain("/portal/subscribers");
    expect(hrefs(tenantAdmin)).not.toContain("/portal/subscribers");
  });

  it("a tenant admin and a responder are refused, and nothing is removed", async () => {
    const subs = await seedSubscribers();
    const id = subs["alice@example.com"]!.id;
    for (const ctx of [tenantAdmin, responder]) {
      await expect(listSubscribers({ ctx, input: {} })).rejects.toBeInstanceOf(ForbiddenError);
      await expect(removeSubscriber({ ctx, input: { id } })).rejects.toBeInstanceOf(ForbiddenError);
    }
    expect(await t.db.select().from(publicSubscribers)).toHaveLength(6);
  });

  it("a tenant never sees the platform's subscribers, even with the permission given by mistake", async () => {
    const subs = await seedSubscribers();
    const misconfigured: Ctx = {
      ...tenantAdmin,
      permissions: new Set([...tenantAdmin.permissions, "subscribers:manage"]),
    };
    await expect(listSubscribers({ ctx: misconfigured, input: {} })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      removeSubscriber({ ctx: misconfigured, input: { id: subs["alice@example.com"]!.id } }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(await t.db.select().from(publicSubscribers)).toHaveLength(6);
  });
});
