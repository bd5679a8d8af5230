import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import { components, regions } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { createApiKey } from "@/lib/api-keys/keys";

// Issue 13: text PostgreSQL cannot store, dates it cannot store and unbounded strings each answered
// 500. Each must be a 422 naming the field and the reason.
vi.mock("server-only", () => ({}));
let t: TestDb;
vi.mock("@/server/database", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/server/database")>()),
  getDb: async () => t.db,
  getDbHandle: async () => t,
}));

const incidentsRoute = await import("./incidents/route");
const updatesRoute = await import("./incidents/[id]/updates/route");
const maintenancesRoute = await import("./maintenances/route");
const endpointsRoute = await import("./endpoints/route");
const settingsRoute = await import("./alert-settings/route");
const metricsRoute = await import("./metrics/route");

let responderKey: string;
let acmeKey: string;
let voice: string;
let bom: string;
let incidentId: string;

const req = (method: string, path: string, key: string, body?: unknown) =>
  new Request(`http://localhost${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const params = <P>(p: P) => ({ params: Promise.resolve(p) });

async function expectFieldError(res: Response, field: string, message: RegExp) {
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(422);
  expect(body.error.fields).toEqual(
    expect.arrayContaining([{ field, message: expect.stringMatching(message) }]),
  );
}

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  responderKey = (
    await createApiKey({
      ctx: await ctxFor(t.db, "admin@beacon.test"),
      input: { name: "pager", role: "responder" },
    })
  ).secret;
  acmeKey = (
    await createApiKey({
      ctx: await ctxFor(t.db, "admin@acme.test"),
      input: { name: "acme", role: "org_admin" },
    })
  ).secret;
  voice = (await t.db.select().from(components).where(eq(components.name, "Voice routing")))[0]!.id;
  bom = (await t.db.select().from(regions).where(eq(regions.code, "BOM")))[0]!.id;
  const res = await incidentsRoute.POST(
    req("POST", "/api/v1/incidents", responderKey, {
      title: "Calls failing",
      category: "infrastructure",
      impact: "minor",
      message: "Investigating",
    }),
    params({}),
  );
  expect(res.status).toBe(201);
  incidentId = (await res.json()).incident.id;
});
afterAll(() => t.close());

const NUL = "a\u0000b";
const LONE = "a\ud800b";
const MB = "x".repeat(1_000_000);

describe("text PostgreSQL cannot store is a 422 naming the field", () => {
  const open = { title: "t", category: "infrastructure", impact: "minor", message: "m" };
  for (const [what, bad, reason] of [
    ["NUL", NUL, /NUL/],
    ["a lone surrogate", LONE, /valid Unicode/],
  ] as const) {
    it(`${what} in an incident's title or message`, async () => {
      for (const field of ["title", "message"]) {
        const res = await incidentsRoute.POST(
          req("POST", "/api/v1/incidents", responderKey, { ...open, [field]: bad }),
          params({}),
        );
        await expectFieldError(res, field, reason);
      }
    });

    it(`${what} in an update's message`, async () => {
      const res = await updatesRoute.POST(
        req("POST", `/api/v1/incidents/${incidentId}/updates`, responderKey, {
          status: "identified",
          message: bad,
        }),
        params({ id: incidentId }),
      );
      await expectFieldError(res, "message", reason);
    });

    it(`${what} in an endpoint's name`, async () => {
      const res = await endpointsRoute.POST(
        req("POST", "/api/v1/endpoints", acmeKey, {
          type: "webhook",
          name: bad,
          url: "https://hooks.example.com/beacon",
        }),
        params({}),
      );
      await expectFieldError(res, "name", reason);
    });

    it(`${what} in a recipient's address`, async () => {
      const res = await settingsRoute.PUT(
        req("PUT", "/api/v1/alert-settings", acmeKey, {
          recipients: [{ channel: "email", address: `x${bad}@example.com`, roleGroup: "tech" }],
        }),
        params({}),
      );
      await expectFieldError(res, "recipients.0.address", reason);
    });
  }
});

describe("every string is bounded", () => {
  it("a 1 MB recipient address", async () => {
    const res = await settingsRoute.PUT(
      req("PUT", "/api/v1/alert-settings", acmeKey, {
        recipients: [{ channel: "email", address: `${MB}@example.com`, roleGroup: "tech" }],
      }),
      params({}),
    );
    await expectFieldError(res, "recipients.0.address", /at most 320 characters/);
  });

  it("a 1 MB endpoint URL", async () => {
    const res = await endpointsRoute.POST(
      req("POST", "/api/v1/endpoints", acmeKey, {
        type: "webhook",
        name: "big",
        url: `https://hooks.example.com/${MB}`,
      }),
      params({}),
    );
    await expectFieldError(res, "url", /at most 2048 characters/);
  });
});

describe("dates PostgreSQL cannot store are a 422 naming the range", () => {
  const RANGE = /between 2000-01-01 and 2100-01-01/;

  it("metrics at year 0000", async () => {
    const res = await metricsRoute.POST(
      req("POST", "/api/v1/metrics", acmeKey, {
        samples: [{ metric: "balance", value: 1, at: "0000-01-01T00:00:00Z" }],
      }),
      params({}),
    );
    await expectFieldError(res, "samples.0.at", RANGE);
  });

  it("GET /api/v1/incidents?before=0000-01-01", async () => {
    const res = await incidentsRoute.GET(
      req("GET", "/api/v1/incidents?before=0000-01-01", responderKey),
      params({}),
    );
    await expectFieldError(res, "before", RANGE);
  });

  it("maintenance windows of year 0000 or +275760", async () => {
    const window = {
      title: "Upgrade",
      message: "Planned",
      cells: [{ componentId: voice, regionId: bom }],
    };
    const early = await maintenancesRoute.POST(
      req("POST", "/api/v1/maintenances", responderKey, {
        ...window,
        scheduledFor: "0000-01-01T00:00:00Z",
        scheduledUntil: "2030-01-01T00:00:00Z",
      }),
      params({}),
    );
    await expectFieldError(early, "scheduledFor", RANGE);
    const late = await maintenancesRoute.POST(
      req("POST", "/api/v1/maintenances", responderKey, {
        ...window,
        scheduledFor: "2030-01-01T00:00:00Z",
        scheduledUntil: "+275760-09-13T00:00:00Z",
      }),
      params({}),
    );
    await expectFieldError(late, "scheduledUntil", RANGE);
  });
});
