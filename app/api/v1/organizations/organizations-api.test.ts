import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { createApiKey } from "@/lib/api-keys/keys";

// The route handlers run here as plain functions against this file's own database.
vi.mock("server-only", () => ({}));
let t: TestDb;
vi.mock("@/server/database", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/server/database")>()),
  getDb: async () => t.db,
  getDbHandle: async () => t,
}));

const collection = await import("./route");
const one = await import("./[id]/route");
const invite = await import("./[id]/invitations/route");
const me = await import("../me/route");

let adminKey: string;
let tenantKey: string;

function req(method: string, path: string, key: string, body?: unknown) {
  return new Request(`http://localhost${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}
const params = (): { params: Promise<Record<string, string>> } => ({
  params: Promise.resolve({}),
});
const idParams = (id: string) => ({ params: Promise.resolve({ id }) });

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  adminKey = (
    await createApiKey({
      ctx: await ctxFor(t.db, "admin@beacon.test"),
      input: { name: "ops", role: "platform_admin" },
    })
  ).secret;
  tenantKey = (
    await createApiKey({
      ctx: await ctxFor(t.db, "admin@acme.test"),
      input: { name: "acme", role: "org_admin" },
    })
  ).secret;
});
afterAll(() => t?.close());

describe("/api/v1/organizations", () => {
  it("creates, renames, invites the org admin, suspends and restores a tenant", async () => {
    const refused = await collection.POST(
      req("POST", "/api/v1/organizations", adminKey, { slug: "Bad Slug", name: "X" }),
      params(),
    );
    expect(refused.status).toBe(422);
    const body = (await refused.json()) as { error: { fields: { field: string }[] } };
    expect(body.error.fields.map((f) => f.field)).toEqual(["slug"]);

    const taken = await collection.POST(
      req("POST", "/api/v1/organizations", adminKey, { slug: "acme", name: "Acme 2" }),
      params(),
    );
    expect(taken.status).toBe(422);
    expect(JSON.stringify(await taken.json())).toContain("already used by another organization");

    const created = await collection.POST(
      req("POST", "/api/v1/organizations", adminKey, { slug: "initech", name: "Initech" }),
      params(),
    );
    expect(created.status).toBe(201);
    const org = (await created.json()) as { id: string; slug: string };
    expect(org.slug).toBe("initech");

    const renamed = await one.PATCH(
      req("PATCH", `/api/v1/organizations/${org.id}`, adminKey, { name: "Initech Corp" }),
      idParams(org.id),
    );
    expect(await renamed.json()).toMatchObject({ name: "Initech Corp", suspendedAt: null });

    const invited = await invite.POST(
      req("POST", `/api/v1/organizations/${org.id}/invitations`, adminKey, {
        email: "boss@initech.test",
      }),
      idParams(org.id),
    );
    expect(invited.status).toBe(201);
    const inv = (await invited.json()) as { email: string; emailed: boolean; url?: string };
    expect(inv.email).toBe("boss@initech.test");
    // No email provider in tests: the link is handed back.
    expect(inv.emailed).toBe(false);
    expect(inv.url).toMatch(/\/invite\//);

    const listed = await collection.GET(req("GET", "/api/v1/organizations", adminKey), params());
    expect(await listed.json()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          slug: "initech",
          members: 0,
          pendingInvitations: 1,
          // Its activation checklist: nothing done yet (lib/activation).
          activation: { done: 0, total: 7, live: false },
        }),
      ]),
    );

    const acme = (
      (await (await collection.GET(req("GET", "/", adminKey), params())).json()) as {
        id: string;
        slug: string;
      }[]
    ).find((o) => o.slug === "acme")!;
    const suspended = await one.PATCH(
      req("PATCH", `/api/v1/organizations/${acme.id}`, adminKey, { suspended: true }),
      idParams(acme.id),
    );
    expect(suspended.status).toBe(200);
    const refusedKey = await me.GET(req("GET", "/api/v1/me", tenantKey), params());
    expect(refusedKey.status).toBe(403);
    expect(JSON.stringify(await refusedKey.json())).toContain("Acme Telecom is suspended");

    const badFlag = await one.PATCH(
      req("PATCH", `/api/v1/organizations/${acme.id}`, adminKey, { suspended: "yes" }),
      idParams(acme.id),
    );
    expect(badFlag.status).toBe(422);

    await one.PATCH(
      req("PATCH", `/api/v1/organizations/${acme.id}`, adminKey, { suspended: false }),
      idParams(acme.id),
    );
    expect((await me.GET(req("GET", "/api/v1/me", tenantKey), params())).status).toBe(200);

    const unknown = await one.GET(
      req("GET", "/api/v1/organizations/nope", adminKey),
      idParams("nope"),
    );
    expect(unknown.status).toBe(404);
  });
});
