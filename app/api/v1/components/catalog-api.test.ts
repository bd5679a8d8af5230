import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { createApiKey } from "@/lib/api-keys/keys";

// The catalogue API as a platform admin's key uses it, and as others are refused.
vi.mock("server-only", () => ({}));
let t: TestDb;
vi.mock("@/server/database", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/server/database")>()),
  getDb: async () => t.db,
  getDbHandle: async () => t,
}));

const componentsRoute = await import("./route");
const componentRoute = await import("./[id]/route");
const regionsRoute = await import("../regions/route");
const regionRoute = await import("../regions/[id]/route");
const groupsRoute = await import("../component-groups/route");
const groupRoute = await import("../component-groups/[id]/route");
const v2Route = await import("@/app/api/v2/[...path]/route");

let adminKey: string;
let responderKey: string;
let acmeKey: string;

const req = (method: string, path: string, key: string, body?: unknown) =>
  new Request(`http://localhost${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const params = <P>(p: P) => ({ params: Promise.resolve(p) });

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  const platformAdmin = await ctxFor(t.db, "admin@beacon.test");
  adminKey = (
    await createApiKey({ ctx: platformAdmin, input: { name: "catalog", role: "platform_admin" } })
  ).secret;
  responderKey = (
    await createApiKey({ ctx: platformAdmin, input: { name: "pager", role: "responder" } })
  ).secret;
  acmeKey = (
    await createApiKey({
      ctx: await ctxFor(t.db, "admin@acme.test"),
      input: { name: "acme", role: "org_admin" },
    })
  ).secret;
});
afterAll(() => t?.close());

describe("/api/v1/components and /api/v1/regions", () => {
  it("creates a region and a component in it, shown on the public summary at once", async () => {
    const r = await regionsRoute.POST(
      req("POST", "/api/v1/regions", adminKey, {
        code: "hyd",
        name: "Hyderabad",
        componentIds: [],
      }),
      params({}),
    );
    expect(r.status).toBe(201);
    const { region } = (await r.json()) as { region: { id: string; code: string } };
    expect(region.code).toBe("HYD");
    const c = await componentsRoute.POST(
      req("POST", "/api/v1/components", adminKey, { name: "Video", regionIds: [region.id] }),
      params({}),
    );
    expect(c.status).toBe(201);
    const { component } = (await c.json()) as { component: { id: string; regionIds: string[] } };
    expect(component.regionIds).toEqual([region.id]);

    const summary = (await (
      await v2Route.GET(
        new Request("http://localhost/api/v2/summary.json"),
        params({ path: ["summary.json"] }),
      )
    ).json()) as {
      components: { id: string; name: string; regions?: { code: string }[] }[];
    };
    const listed = summary.components.find((x) => x.id === component.id)!;
    expect(listed.name).toBe("Video");
    expect(listed.regions!.map((x) => x.code)).toEqual(["HYD"]);

    const list = (await (
      await componentsRoute.GET(req("GET", "/api/v1/components", adminKey), params({}))
    ).json()) as { components: { id: string }[]; groups: unknown[] };
    expect(list.components.map((x) => x.id)).toContain(component.id);
    const regs = (await (
      await regionsRoute.GET(req("GET", "/api/v1/regions", adminKey), params({}))
    ).json()) as { regions: { id: string; componentIds: string[] }[] };
    expect(regs.regions.find((x) => x.id === region.id)!.componentIds).toEqual([component.id]);

    const renamed = await componentRoute.PATCH(
      req("PATCH", `/api/v1/components/${component.id}`, adminKey, { name: "Video rooms" }),
      params({ id: component.id }),
    );
    expect(renamed.status).toBe(200);
    const gone = await componentRoute.DELETE(
      req("DELETE", `/api/v1/components/${component.id}`, adminKey),
      params({ id: component.id }),
    );
    expect(await gone.json()).toEqual({ archived: false, deleted: true });
    const regionGone = await regionRoute.DELETE(
      req("DELETE", `/api/v1/regions/${region.id}`, adminKey),
      params({ id: region.id }),
    );
    expect(await regionGone.json()).toEqual({ archived: false, deleted: true });
  });

  it("creates, renames and deletes a group, and puts a component in it", async () => {
    const g = await groupsRoute.POST(
      req("POST", "/api/v1/component-groups", adminKey, { name: "Video" }),
      params({}),
    );
    expect(g.status).toBe(201);
    const { group } = (await g.json()) as { group: { id: string } };
    const c = await componentsRoute.POST(
      req("POST", "/api/v1/components", adminKey, { name: "Rooms", groupId: group.id }),
      params({}),
    );
    const { component } = (await c.json()) as { component: { id: string; groupId: string } };
    expect(component.groupId).toBe(group.id);
    const renamed = await groupRoute.PATCH(
      req("PATCH", `/api/v1/component-groups/${group.id}`, adminKey, { name: "Video & rooms" }),
      params({ id: group.id }),
    );
    expect(((await renamed.json()) as { group: { name: string } }).group.name).toBe(
      "Video & rooms",
    );
    const listed = (await (
      await groupsRoute.GET(req("GET", "/api/v1/component-groups", adminKey), params({}))
    ).json()) as { groups: { id: string }[] };
    expect(listed.groups.map((x) => x.id)).toContain(group.id);
    const gone = await groupRoute.DELETE(
      req("DELETE", `/api/v1/component-groups/${group.id}`, adminKey),
      params({ id: group.id }),
    );
    expect(gone.status).toBe(200);
  });

  it("answers 422 naming the field", async () => {
    const dup = await componentsRoute.POST(
      req("POST", "/api/v1/components", adminKey, { name: "API" }),
      params({}),
    );
    expect(dup.status).toBe(422);
    const body = (await dup.json()) as { error: { fields: { field: string }[] } };
    expect(body.error.fields.map((f) => f.field)).toEqual(["name"]);
    const order = await regionsRoute.POST(
      req("POST", "/api/v1/regions", adminKey, { code: "XYZ", name: "X", position: 99_999 }),
      params({}),
    );
    expect(order.status).toBe(422);
    expect(
      ((await order.json()) as { error: { fields: { field: string }[] } }).error.fields,
    ).toEqual([{ field: "position", message: "must be between 0 and 10000" }]);
  });

  it("refuses keys without components:manage", async () => {
    for (const key of [responderKey, acmeKey]) {
      expect(
        (
          await componentsRoute.POST(
            req("POST", "/api/v1/components", key, { name: "N" }),
            params({}),
          )
        ).status,
      ).toBe(403);
      expect((await regionsRoute.GET(req("GET", "/api/v1/regions", key), params({}))).status).toBe(
        403,
      );
    }
  });
});
