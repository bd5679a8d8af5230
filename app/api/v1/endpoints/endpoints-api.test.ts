import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { and, eq } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import { alertEndpoints, auditLog, components, regions } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { createApiKey } from "@/lib/api-keys/keys";
import { createEndpoint, updateEndpoint } from "@/lib/alerts/endpoints";
import { decryptSecret } from "@/lib/crypto/secrets";
import type { Ctx } from "@/lib/context";

// The route handler runs here as a plain function against this file's own database.
vi.mock("server-only", () => ({}));
let t: TestDb;
vi.mock("@/server/database", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/server/database")>()),
  getDb: async () => t.db,
  getDbHandle: async () => t,
}));

const route = await import("./[id]/route");

let acmeAdmin: Ctx;
let acmeAdminKey: string;
let acmeDevopsKey: string;
let globexAdminKey: string;
let endpointId: string;
let voiceId: string;
let bomId: string;

const patch = (id: string, body: unknown, key?: string) =>
  route.PATCH(
    new Request(`http://localhost/api/v1/endpoints/${id}`, {
      method: "PATCH",
      headers: {
        "content-type": "application/json",
        ...(key ? { authorization: `Bearer ${key}` } : {}),
      },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
    { params: Promise.resolve({ id }) },
  );

const stored = async () =>
  (await t.db.select().from(alertEndpoints).where(eq(alertEndpoints.id, endpointId)))[0]!;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  acmeAdmin = await ctxFor(t.db, "admin@acme.test");
  const key = async (email: string, role: "org_admin" | "tech_devops") =>
    (await createApiKey({ ctx: await ctxFor(t.db, email), input: { name: "k", role } })).secret;
  acmeAdminKey = await key("admin@acme.test", "org_admin");
  acmeDevopsKey = await key("admin@acme.test", "tech_devops");
  globexAdminKey = await key("admin@globex.test", "org_admin");
  const { endpoint } = await createEndpoint({
    ctx: acmeAdmin,
    input: { type: "webhook", name: "NOC hook", url: "http://127.0.0.1:9/hook" },
    channelSettings: { allowPrivate: true },
  });
  endpointId = endpoint.id;
  voiceId = (await t.db.select().from(components).where(eq(components.name, "Voice routing")))[0]!
    .id;
  bomId = (await t.db.select().from(regions).where(eq(regions.code, "BOM")))[0]!.id;
});
afterAll(() => t.close());

describe("PATCH /api/v1/endpoints/{id}", () => {
  it("edits the name, role group and filters in place, keeping the URL and secret, and audits it", async () => {
    const before = await stored();
    const res = await patch(
      endpointId,
      {
        name: "NOC hook (voice, Mumbai)",
        roleGroup: "tech_devops",
        filters: { componentIds: [voiceId], regionIds: [bomId], minImpact: "major" },
      },
      acmeAdminKey,
    );
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      id: endpointId,
      name: "NOC hook (voice, Mumbai)",
      roleGroup: "tech_devops",
      urlHint: "127.0.0.1:9",
      filters: { componentIds: [voiceId], regionIds: [bomId], minImpact: "major" },
    });
    const after = await stored();
    expect(after.id).toBe(before.id);
    expect(after.secretEncrypted).toBe(before.secretEncrypted);
    expect(decryptSecret(after.urlEncrypted)).toBe("http://127.0.0.1:9/hook");
    expect(after.minImpact).toBe("major");
    const [audit] = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "endpoint.update"), eq(auditLog.targetId, endpointId)));
    expect(audit).toMatchObject({ orgId: acmeAdmin.org.id });
    expect(audit!.data).toMatchObject({
      name: "NOC hook (voice, Mumbai)",
      previousName: "NOC hook",
      roleGroup: "tech_devops",
      filters: { minImpact: "major" },
    });
  });

  it("keeps fields that are left out", async () => {
    const res = await patch(endpointId, { name: "NOC hook" }, acmeAdminKey);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      name: "NOC hook",
      roleGroup: "tech_devops",
      filters: { minImpact: "major" },
    });
  });

  it.each([
    [{ name: "" }, "name", "is required"],
    [{ url: "not a url" }, "url", "must be a URL"],
    [{ roleGroup: "ceo" }, "roleGroup", "must be one of"],
    [{ type: "slack" }, "type", "cannot be changed"],
    [{ filters: { minImpact: "huge" } }, "filters.minImpact", "must be one of"],
    [{ filters: { componentIds: ["nope"] } }, "filters.componentIds.0", "must be a component id"],
    [{ colour: "red" }, "(body)", "colour"],
  ])("refuses %j with 422 naming %s", async (body, field, message) => {
    const before = await stored();
    const res = await patch(endpointId, body, acmeAdminKey);
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as {
      error: { code: string; fields: { field: string; message: string }[] };
    };
    expect(error.code).toBe("validation_failed");
    expect(error.fields).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field, message: expect.stringContaining(message) }),
      ]),
    );
    expect(await stored()).toEqual(before);
  });

  it("refuses a component that is not in the catalogue, naming it", async () => {
    const res = await patch(
      endpointId,
      { filters: { componentIds: ["00000000-0000-4000-8000-000000000000"] } },
      acmeAdminKey,
    );
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as { error: { fields: { field: string }[] } };
    expect(error.fields[0]!.field).toMatch(/^filters\.componentIds/);
  });

  it("refuses a URL that is not allowed for the endpoint's type", async () => {
    const res = await patch(endpointId, { url: "http://10.0.0.8/hook" }, acmeAdminKey);
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as { error: { fields: { field: string }[] } };
    expect(error.fields.map((f) => f.field)).toEqual(["url"]);
    expect(decryptSecret((await stored()).urlEncrypted)).toBe("http://127.0.0.1:9/hook");
  });

  it("refuses a key without alerts:manage (403) and changes nothing", async () => {
    const before = await stored();
    const res = await patch(endpointId, { name: "devops rename" }, acmeDevopsKey);
    expect(res.status).toBe(403);
    expect(await stored()).toEqual(before);
    expect((await patch(endpointId, { name: "x" })).status).toBe(401);
  });

  it("answers 404 for another tenant's endpoint, an unknown id and a malformed one", async () => {
    const before = await stored();
    const res = await patch(endpointId, { name: "globex was here" }, globexAdminKey);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain("NOC hook");
    expect(await stored()).toEqual(before);
    expect(
      (await patch("00000000-0000-4000-8000-000000000000", { name: "x" }, acmeAdminKey)).status,
    ).toBe(404);
    expect((await patch("not-an-id", { name: "x" }, acmeAdminKey)).status).toBe(404);
  });

  it("refuses a body that is not a JSON object", async () => {
    const res = await patch(endpointId, "[1,2]", acmeAdminKey);
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ error: { fields: [{ field: "(body)" }] } });
  });
});

describe("updateEndpoint", () => {
  it("changes the URL after checking it against the endpoint's type", async () => {
    const view = await updateEndpoint({
      ctx: acmeAdmin,
      input: { id: endpointId, url: "https://hooks.example.com/beacon" },
      channelSettings: {
        allowPrivate: false,
        resolver: async () => [{ address: "93.184.216.34", family: 4 }],
      },
    });
    expect(view.urlHint).toBe("hooks.example.com");
    expect(decryptSecret((await stored()).urlEncrypted)).toBe("https://hooks.example.com/beacon");
    const { endpoint: slack } = await createEndpoint({
      ctx: acmeAdmin,
      input: { type: "slack", name: "Slack", url: "https://hooks.slack.com/services/T/B/x" },
      channelSettings: {
        allowPrivate: false,
        resolver: async () => [{ address: "93.184.216.34", family: 4 }],
      },
    });
    await expect(
      updateEndpoint({
        ctx: acmeAdmin,
        input: { id: slack.id, url: "https://hooks.example.com/beacon" },
        channelSettings: {
          allowPrivate: false,
          resolver: async () => [{ address: "93.184.216.34", family: 4 }],
        },
      }),
    ).rejects.toMatchObject({ issues: [{ field: "url" }] });
  });
});
