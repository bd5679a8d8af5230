import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import { components, incidents, notificationJobs, organizations, regions } from "@/db/schema";
import { createIncidentTemplate } from "@/lib/incidents/templates";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { createApiKey } from "@/lib/api-keys/keys";

// Route handlers run here as plain functions against this file's own database.
vi.mock("server-only", () => ({}));
let t: TestDb;
vi.mock("@/server/database", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/server/database")>()),
  getDb: async () => t.db,
  getDbHandle: async () => t,
}));

const incidentsRoute = await import("./route");
const incidentRoute = await import("./[id]/route");
const updatesRoute = await import("./[id]/updates/route");
const updateRoute = await import("./[id]/updates/[updateId]/route");
const templatesRoute = await import("../incident-templates/route");
const maintenancesRoute = await import("../maintenances/route");
const v2Route = await import("@/app/api/v2/[...path]/route");
const badgeRoute = await import("@/app/badge.svg/route");

let responderKey: string;
let acmeKey: string;
let globexKey: string;
let voice: string;
let bom: string;
let acmeId: string;

const req = (
  method: string,
  path: string,
  key?: string,
  body?: unknown,
  headers: Record<string, string> = {},
) =>
  new Request(`http://localhost${path}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      "content-type": "application/json",
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
const params = <P>(p: P) => ({ params: Promise.resolve(p) });

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  const platformAdmin = await ctxFor(t.db, "admin@beacon.test");
  responderKey = (
    await createApiKey({ ctx: platformAdmin, input: { name: "pager", role: "responder" } })
  ).secret;
  acmeKey = (
    await createApiKey({
      ctx: await ctxFor(t.db, "admin@acme.test"),
      input: { name: "acme", role: "org_admin" },
    })
  ).secret;
  globexKey = (
    await createApiKey({
      ctx: await ctxFor(t.db, "admin@globex.test"),
      input: { name: "globex", role: "org_admin" },
    })
  ).secret;
  voice = (await t.db.select().from(components).where(eq(components.name, "Voice routing")))[0]!.id;
  bom = (await t.db.select().from(regions).where(eq(regions.code, "BOM")))[0]!.id;
  acmeId = (await t.db.select().from(organizations).where(eq(organizations.slug, "acme")))[0]!.id;
});
afterAll(() => t.close());

const openBody = {
  title: "Calls failing in Mumbai",
  category: "infrastructure",
  impact: "major",
  message: "Investigating",
  cells: [] as unknown[],
};

describe("/api/v1/incidents", () => {
  it("opens an incident with a responder key and answers 201", async () => {
    const res = await incidentsRoute.POST(
      req("POST", "/api/v1/incidents", responderKey, {
        ...openBody,
        cells: [{ componentId: voice, regionId: bom, status: "major_outage" }],
      }),
      params({}),
    );
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.incident).toMatchObject({
      title: "Calls failing in Mumbai",
      status: "investigating",
    });
  });

  it("answers 401 without a key, 403 for a tenant key, and writes nothing", async () => {
    const before = (await t.db.select().from(incidents)).length;
    expect(
      (await incidentsRoute.POST(req("POST", "/api/v1/incidents", undefined, openBody), params({})))
        .status,
    ).toBe(401);
    const res = await incidentsRoute.POST(
      req("POST", "/api/v1/incidents", acmeKey, openBody),
      params({}),
    );
    expect(res.status).toBe(403);
    expect((await t.db.select().from(incidents)).length).toBe(before);
  });

  it("answers 422 naming each bad field", async () => {
    const res = await incidentsRoute.POST(
      req("POST", "/api/v1/incidents", responderKey, {
        title: "",
        category: "weather",
        impact: "major",
        message: "x",
      }),
      params({}),
    );
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(error.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      "category",
      "title",
    ]);
    const bad = await incidentsRoute.POST(
      req("POST", "/api/v1/incidents", responderKey, "{not json"),
      params({}),
    );
    expect(bad.status).toBe(422);
  });

  it("refuses an invalid transition with 409 and a clear message", async () => {
    const opened = await (
      await incidentsRoute.POST(
        req("POST", "/api/v1/incidents", responderKey, { ...openBody, status: "monitoring" }),
        params({}),
      )
    ).json();
    const id = opened.incident.id;
    const res = await updatesRoute.POST(
      req("POST", `/api/v1/incidents/${id}/updates`, responderKey, {
        status: "investigating",
        message: "x",
      }),
      params({ id }),
    );
    expect(res.status).toBe(409);
    expect((await res.json()).error.message).toMatch(
      /cannot go back from monitoring to investigating/,
    );
    const pm = await incidentRoute.PATCH(
      req("PATCH", `/api/v1/incidents/${id}`, responderKey, { postmortem: "Too early" }),
      params({ id }),
    );
    expect(pm.status).toBe(409);
    const resolved = await updatesRoute.POST(
      req("POST", `/api/v1/incidents/${id}/updates`, responderKey, {
        status: "resolved",
        message: "ok",
      }),
      params({ id }),
    );
    expect(resolved.status).toBe(201);
    const reopened = await updatesRoute.POST(
      req("POST", `/api/v1/incidents/${id}/updates`, responderKey, {
        reopen: true,
        message: "back",
      }),
      params({ id }),
    );
    expect(reopened.status).toBe(201);
    expect((await reopened.json()).update.kind).toBe("reopen");
    const renamed = await incidentRoute.PATCH(
      req("PATCH", `/api/v1/incidents/${id}`, responderKey, { title: "Calls failing (renamed)" }),
      params({ id }),
    );
    expect((await renamed.json()).incident.title).toBe("Calls failing (renamed)");
  });

  it("keeps tenant-only incidents to their tenant: 404 for another tenant, 403 to write", async () => {
    const created = await (
      await incidentsRoute.POST(
        req("POST", "/api/v1/incidents", responderKey, {
          ...openBody,
          title: "Acme only",
          category: "configurable",
          audienceOrgId: acmeId,
        }),
        params({}),
      )
    ).json();
    const id = created.incident.id;
    const acmeList = await (
      await incidentsRoute.GET(req("GET", "/api/v1/incidents", acmeKey), params({}))
    ).json();
    expect(acmeList.incidents.map((i: { id: string }) => i.id)).toContain(id);
    const globexList = await (
      await incidentsRoute.GET(req("GET", "/api/v1/incidents", globexKey), params({}))
    ).json();
    expect(globexList.incidents.map((i: { id: string }) => i.id)).not.toContain(id);
    expect(
      (await incidentRoute.GET(req("GET", `/api/v1/incidents/${id}`, globexKey), params({ id })))
        .status,
    ).toBe(404);
    expect(
      (await incidentRoute.GET(req("GET", `/api/v1/incidents/${id}`, acmeKey), params({ id })))
        .status,
    ).toBe(200);

    const write = await updatesRoute.POST(
      req("POST", `/api/v1/incidents/${id}/updates`, acmeKey, { status: "resolved", message: "x" }),
      params({ id }),
    );
    expect(write.status).toBe(403);
    const [row] = await t.db.select().from(incidents).where(eq(incidents.id, id));
    expect(row!.status).toBe("investigating");

    const missing = "00000000-0000-4000-8000-000000000000";
    const res = await updatesRoute.POST(
      req("POST", `/api/v1/incidents/${missing}/updates`, responderKey, {
        status: "resolved",
        message: "x",
      }),
      params({ id: missing }),
    );
    expect(res.status).toBe(404);
  });

  it("schedules maintenance and validates its window", async () => {
    const bad = await maintenancesRoute.POST(
      req("POST", "/api/v1/maintenances", responderKey, {
        title: "x",
        message: "y",
        scheduledFor: "tomorrow",
        scheduledUntil: "2030-01-01T00:00:00Z",
        cells: [],
      }),
      params({}),
    );
    expect(bad.status).toBe(422);
    const fields = (await bad.json()).error.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(["scheduledFor", "cells"]));
    const ok = await maintenancesRoute.POST(
      req("POST", "/api/v1/maintenances", responderKey, {
        title: "Upgrade",
        message: "Planned",
        scheduledFor: "2030-01-01T00:00:00Z",
        scheduledUntil: "2030-01-01T02:00:00Z",
        cells: [{ componentId: voice, regionId: bom }],
      }),
      params({}),
    );
    expect(ok.status).toBe(201);
  });
});

describe("templates, corrections and back-fill over the API", () => {
  const open = async (body: Record<string, unknown>) => {
    const res = await incidentsRoute.POST(
      req("POST", "/api/v1/incidents", responderKey, body),
      params({}),
    );
    return { status: res.status, body: await res.json() };
  };

  it("opens an incident from templateId, the body's fields winning; 422 on an unknown template", async () => {
    const template = await createIncidentTemplate({
      ctx: await ctxFor(t.db, "admin@beacon.test"),
      input: {
        name: "API template",
        title: "Template title",
        body: "Template body",
        category: "billing",
        impact: "minor",
        cells: [{ componentId: voice, regionId: bom, status: "degraded_performance" }],
      },
    });
    const list = await templatesRoute.GET(
      req("GET", "/api/v1/incident-templates", responderKey),
      params({}),
    );
    expect(list.status).toBe(200);
    expect((await list.json()).templates.map((x: { id: string }) => x.id)).toContain(template.id);
    expect(
      (await templatesRoute.GET(req("GET", "/api/v1/incident-templates", acmeKey), params({})))
        .status,
    ).toBe(403);

    const made = await open({ templateId: template.id, impact: "major" });
    expect(made.status).toBe(201);
    expect(made.body.incident).toMatchObject({
      title: "Template title",
      category: "billing",
      impact: "major",
    });
    expect(made.body.update.message).toBe("Template body");

    const unknown = await open({ templateId: "00000000-0000-4000-8000-000000000000" });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.fields.map((f: { field: string }) => f.field)).toEqual([
      "templateId",
    ]);
  });

  it("corrects an update's message with PATCH .../updates/{updateId}", async () => {
    const made = await open({ ...openBody, message: "Investigatng" });
    const id = made.body.incident.id as string;
    const updateId = made.body.update.id as string;
    const patch = (key: string, body: unknown, uid = updateId) =>
      updateRoute.PATCH(
        req("PATCH", `/api/v1/incidents/${id}/updates/${uid}`, key, body),
        params({ id, updateId: uid }),
      );
    expect((await patch(acmeKey, { message: "x" })).status).toBe(403);
    expect(
      (await patch(responderKey, { message: "x" }, "00000000-0000-4000-8000-000000000000")).status,
    ).toBe(404);
    const bad = await patch(responderKey, { message: "" });
    expect(bad.status).toBe(422);
    expect((await bad.json()).error.fields[0].field).toBe("message");
    const ok = await patch(responderKey, { message: "Investigating" });
    expect(ok.status).toBe(200);
    expect((await ok.json()).update).toMatchObject({ message: "Investigating" });
    const got = await incidentRoute.GET(
      req("GET", `/api/v1/incidents/${id}`, responderKey),
      params({ id }),
    );
    const { incident } = await got.json();
    expect(incident.updates[0].message).toBe("Investigating");
    expect(incident.updates[0].editedAt).toEqual(expect.any(String));
  });

  it("back-fills a resolved incident's times with PATCH, and publishes a postmortem with notify", async () => {
    const made = await open(openBody);
    const id = made.body.incident.id as string;
    const patch = (body: unknown) =>
      incidentRoute.PATCH(
        req("PATCH", `/api/v1/incidents/${id}`, responderKey, body),
        params({ id }),
      );
    const startedAt = new Date(Date.now() - 3_600_000).toISOString();
    expect((await patch({ startedAt })).status).toBe(409);
    await updatesRoute.POST(
      req("POST", `/api/v1/incidents/${id}/updates`, responderKey, {
        status: "resolved",
        message: "Fixed",
      }),
      params({ id }),
    );
    const future = await patch({ resolvedAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(future.status).toBe(422);
    expect((await future.json()).error.fields).toEqual([
      { field: "resolvedAt", message: "must not be in the future" },
    ]);
    expect((await patch({ startedAt, title: "x" })).status).toBe(422);
    const ok = await patch({ startedAt });
    expect(ok.status).toBe(200);
    expect((await ok.json()).incident.startedAt).toBe(startedAt);

    const pm = await patch({ postmortem: "What happened", notify: true });
    expect(pm.status).toBe(200);
    const jobs = await t.db
      .select()
      .from(notificationJobs)
      .where(eq(notificationJobs.kind, "incident.postmortem"));
    expect(jobs.filter((j) => j.payload.incidentId === id)).toHaveLength(1);
  });
});

describe("public documents over HTTP", () => {
  it("serves v2 JSON with CORS, Cache-Control and an ETag that answers 304, without tenant-only incidents", async () => {
    const res = await v2Route.GET(
      req("GET", "/api/v2/summary.json"),
      params({ path: ["summary.json"] }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("cache-control")).toMatch(/public, max-age=\d+/);
    const etag = res.headers.get("etag")!;
    expect(etag).toMatch(/^".+"$/);
    const body = await res.text();
    expect(body).not.toContain("Acme only");
    expect(JSON.parse(body).incidents.length).toBeGreaterThan(0);
    const again = await v2Route.GET(
      req("GET", "/api/v2/summary.json", undefined, undefined, { "if-none-match": etag }),
      params({ path: ["summary.json"] }),
    );
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    const unknown = await v2Route.GET(
      req("GET", "/api/v2/secrets.json"),
      params({ path: ["secrets.json"] }),
    );
    expect(unknown.status).toBe(404);
  });

  it("answers a badge for an unknown component with 404", async () => {
    expect((await badgeRoute.GET(req("GET", "/badge.svg?component=nope"))).status).toBe(404);
    const ok = await badgeRoute.GET(req("GET", "/badge.svg"));
    expect(ok.headers.get("content-type")).toMatch(/^image\/svg\+xml/);
  });
});
