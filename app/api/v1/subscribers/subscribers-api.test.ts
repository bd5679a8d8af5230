import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { publicSubscribers } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { createApiKey } from "@/lib/api-keys/keys";

// The route handler runs here as a plain function against this file's own database.
vi.mock("server-only", () => ({}));
let t: TestDb;
vi.mock("@/server/database", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/server/database")>()),
  getDb: async () => t.db,
  getDbHandle: async () => t,
}));

const route = await import("./route");

let adminKey: string;
let responderKey: string;
let tenantKey: string;

const get = (query: string, key?: string) =>
  route.GET(
    new Request(`http://localhost/api/v1/subscribers${query}`, {
      headers: key ? { authorization: `Bearer ${key}` } : {},
    }),
    { params: Promise.resolve({}) },
  );

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  const platformAdmin = await ctxFor(t.db, "admin@beacon.test");
  adminKey = (
    await createApiKey({ ctx: platformAdmin, input: { name: "ops", role: "platform_admin" } })
  ).secret;
  responderKey = (
    await createApiKey({ ctx: platformAdmin, input: { name: "pager", role: "responder" } })
  ).secret;
  tenantKey = (
    await createApiKey({
      ctx: await ctxFor(t.db, "admin@acme.test"),
      input: { name: "acme", role: "org_admin" },
    })
  ).secret;
  await t.db.insert(publicSubscribers).values([
    { kind: "email", email: "reader@example.com", confirmedAt: new Date() },
    { kind: "email", email: "pending@example.com", confirmTokenHash: "h" },
    { kind: "webhook", urlHint: "hooks.example.com", urlEncrypted: "enc", confirmedAt: new Date() },
  ]);
});
afterAll(() => t.close());

describe("GET /api/v1/subscribers", () => {
  it("lists the status page's subscribers for a platform admin key, filtered", async () => {
    const res = await get("?channel=email&status=", adminKey);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      counts: Record<string, Record<string, number>>;
      matching: number;
      subscribers: { channel: string; address: string; status: string; createdAt: string }[];
    };
    expect(body.counts).toEqual({
      email: { confirmed: 1, awaiting: 1, expired: 0 },
      webhook: { confirmed: 1, awaiting: 0, expired: 0 },
    });
    expect(body.matching).toBe(2);
    expect(body.subscribers.map((s) => [s.address, s.status]).sort()).toEqual([
      ["pending@example.com", "awaiting"],
      ["reader@example.com", "confirmed"],
    ]);
    const hooks = (await (await get("?channel=webhook", adminKey)).json()) as {
      subscribers: Record<string, unknown>[];
    };
    expect(hooks.subscribers).toHaveLength(1);
    expect(hooks.subscribers[0]).toMatchObject({ address: "hooks.example.com" });
    expect(JSON.stringify(hooks)).not.toContain("enc");
  });

  it("answers a bad filter with 422 naming the field", async () => {
    const res = await get("?status=pending", adminKey);
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({
      error: {
        code: "validation_failed",
        fields: [{ field: "status", message: "must be one of confirmed, awaiting, expired" }],
      },
    });
  });

  it("refuses tenant keys (403), responder keys (403) and no key (401)", async () => {
    const tenant = await get("", tenantKey);
    expect(tenant.status).toBe(403);
    expect(JSON.stringify(await tenant.json())).not.toContain("example.com");
    expect((await get("", responderKey)).status).toBe(403);
    expect((await get("")).status).toBe(401);
  });
});
