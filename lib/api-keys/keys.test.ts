import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import { apiKeys, auditLog, deliveries, memberships, notificationJobs, users } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { ForbiddenError, NotFoundError, UnauthorizedError } from "@/lib/errors";
import { planJob } from "@/lib/alerts/plan";
import { authenticateApiKey, createApiKey, listApiKeys, revokeApiKey } from "./keys";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
});
afterAll(async () => t?.close());

describe("API keys", () => {
  it("is shown once, stored hashed, and authenticates as its organization and role", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    const { apiKey, secret } = await createApiKey({
      ctx: admin,
      input: { name: "CI", role: "tech_devops" },
    });
    expect(secret).toMatch(/^bk_[A-Za-z0-9_-]{40,}$/);
    const [row] = await t.db.select().from(apiKeys).where(eq(apiKeys.id, apiKey.id));
    expect(row!.keyHash).not.toContain(secret.slice(3));
    expect(JSON.stringify(await listApiKeys({ ctx: admin }))).not.toContain(secret);

    const ctx = await authenticateApiKey(t.db, `Bearer ${secret}`);
    expect(ctx.org.slug).toBe("acme");
    expect(ctx.role).toBe("tech_devops");
    expect(ctx.permissions.has("members:manage")).toBe(false);
    expect(ctx.actor).toMatchObject({ type: "api_key", id: apiKey.id });

    await revokeApiKey({ ctx: admin, input: { apiKeyId: apiKey.id } });
    await expect(authenticateApiKey(t.db, `Bearer ${secret}`)).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
    const actions = (
      await t.db.select().from(auditLog).where(eq(auditLog.targetId, apiKey.id))
    ).map((a) => a.action);
    expect(actions.sort()).toEqual(["api_key.created", "api_key.revoked"]);
  });

  it("rejects missing, malformed and unknown keys", async () => {
    await expect(authenticateApiKey(t.db, null)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(authenticateApiKey(t.db, "Basic abc")).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(authenticateApiKey(t.db, "Bearer bk_unknown")).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
  });

  it("cannot be revoked from another tenant, or created without apikeys:manage", async () => {
    const acme = await ctxFor(t.db, "admin@acme.test");
    const globex = await ctxFor(t.db, "admin@globex.test");
    const { apiKey, secret } = await createApiKey({
      ctx: acme,
      input: { name: "Acme bot", role: "org_admin" },
    });
    await expect(
      revokeApiKey({ ctx: globex, input: { apiKeyId: apiKey.id } }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect((await authenticateApiKey(t.db, `Bearer ${secret}`)).org.slug).toBe("acme");
    expect((await listApiKeys({ ctx: globex })).map((k) => k.id)).not.toContain(apiKey.id);

    const devops = await ctxFor(t.db, "devops@acme.test");
    await expect(
      createApiKey({ ctx: devops, input: { name: "x", role: "tech_devops" } }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      createApiKey({ ctx: acme, input: { name: "", role: "tech_devops" } }),
    ).rejects.toThrowError(/name: is required/);
    await expect(
      createApiKey({ ctx: acme, input: { name: "p", role: "platform_admin" } }),
    ).rejects.toThrowError(/role: Platform Admin is not a role in this organization/);
  });

  it("warns the creator, through the alert pipeline, when someone else revokes their key", async () => {
    const acme = await ctxFor(t.db, "admin@acme.test");
    const warnings = () =>
      t.db.select().from(notificationJobs).where(eq(notificationJobs.kind, "user.warning"));
    // Revoking your own key tells nobody.
    const own = await createApiKey({ ctx: acme, input: { name: "Mine", role: "org_admin" } });
    await revokeApiKey({ ctx: acme, input: { apiKeyId: own.apiKey.id } });
    expect(await warnings()).toHaveLength(0);

    // A second admin revokes Asha's key: Asha is warned, nobody else.
    const [other] = await t.db
      .insert(users)
      .values({ email: "second-admin@acme.test", name: "Second Admin" })
      .returning();
    await t.db
      .insert(memberships)
      .values({ orgId: acme.org.id, userId: other!.id, role: "org_admin" });
    const second = await ctxFor(t.db, "second-admin@acme.test");
    const { apiKey } = await createApiKey({
      ctx: acme,
      input: { name: "Billing sync", role: "billing_admin" },
    });
    await revokeApiKey({ ctx: second, input: { apiKeyId: apiKey.id } });
    const [job] = await warnings();
    expect(job!.orgId).toBe(acme.org.id);
    expect(job!.payload.userIds).toEqual([acme.actor.id]);
    expect(job!.payload.title).toBe('API key "Billing sync" was revoked');
    expect(job!.payload.message).toMatch(/^Second Admin revoked the API key "Billing sync" \(bk_/);

    await planJob(t.db, job!.id);
    const planned = await t.db.select().from(deliveries).where(eq(deliveries.jobId, job!.id));
    expect(
      planned.map((d) => `${d.recipientId === acme.actor.id}:${d.channel}:${d.status}`).sort(),
    ).toEqual(["true:email:suppressed", "true:in_app:pending", "true:sms:suppressed"]);
  });
});
