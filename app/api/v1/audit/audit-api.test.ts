import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { createApiKey } from "@/lib/api-keys/keys";
import { inviteMember } from "@/lib/members/invite";

// The route handler runs here as a plain function against this file's own database.
vi.mock("server-only", () => ({}));
let t: TestDb;
vi.mock("@/server/database", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/server/database")>()),
  getDb: async () => t.db,
  getDbHandle: async () => t,
}));

const { GET } = await import("./route");

let acmeKey: string;
let globexKey: string;
let supportKey: string;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  const acme = await ctxFor(t.db, "admin@acme.test");
  const globex = await ctxFor(t.db, "admin@globex.test");
  acmeKey = (await createApiKey({ ctx: acme, input: { name: "audit", role: "org_admin" } })).secret;
  supportKey = (
    await createApiKey({ ctx: acme, input: { name: "support", role: "support_manager" } })
  ).secret;
  globexKey = (await createApiKey({ ctx: globex, input: { name: "audit", role: "org_admin" } }))
    .secret;
  await inviteMember({
    ctx: acme,
    input: { email: "acme-secret-hire@example.test", role: "billing_admin" },
  });
  await inviteMember({
    ctx: globex,
    input: { email: "globex-hire@example.test", role: "billing_admin" },
  });
});
afterAll(async () => t?.close());

const get = (query: string, key?: string) =>
  GET(
    new Request(`http://localhost/api/v1/audit${query}`, {
      headers: key ? { authorization: `Bearer ${key}` } : {},
    }),
    { params: Promise.resolve({}) },
  );

describe("GET /api/v1/audit", () => {
  it("lists the key's organization's rows only, with a cursor for the next page", async () => {
    const res = await get("?action=member.invited", acmeKey);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      entries: { action: string; data: Record<string, unknown>; actor: { label: string } }[];
      next: string | null;
    };
    expect(body.entries.length).toBeGreaterThan(0);
    expect(body.entries.every((e) => e.action === "member.invited")).toBe(true);
    const text = JSON.stringify(body);
    expect(text).toContain("acme-secret-hire@example.test");
    expect(text).not.toContain("globex-hire@example.test");
    // Globex's key never sees Acme's rows, nor pages into them.
    const globex = await (await get("", globexKey)).text();
    expect(globex).toContain("globex-hire@example.test");
    expect(globex).not.toContain("acme-secret-hire");

    const first = (await (await get("?limit=1", acmeKey)).json()) as { next: string };
    expect(first.next).toEqual(expect.any(String));
    const fromGlobex = (await (await get(`?after=${first.next}`, globexKey)).json()) as {
      entries: unknown[];
    };
    expect(fromGlobex.entries).toEqual([]);
  });

  it("answers 422 naming a bad filter, 403 without audit:read, 401 without a key", async () => {
    const bad = await get("?from=yesterday", acmeKey);
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({
      error: { fields: [{ field: "from", message: "must be a date and time (ISO 8601)" }] },
    });
    const unknown = await get("?colour=red", acmeKey);
    expect(unknown.status).toBe(422);
    expect(await unknown.text()).toContain("colour");
    expect((await get("", supportKey)).status).toBe(403);
    expect((await get("")).status).toBe(401);
  });
});
