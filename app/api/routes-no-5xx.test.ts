import { readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import { createTestDb, type TestDb } from "@/db/test-db";
import { components, regions } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { createApiKey } from "@/lib/api-keys/keys";

// Issue 13: no input may make an /api/v1 route or a public POST answer 5xx. Every route file is
// found on disk, so a new route is covered without touching this test; each exported method is
// called with generated paths, query strings and JSON bodies full of what broke before (NUL, lone
// surrogates, huge strings, dates PostgreSQL cannot store, wrong types, deep nesting).
// Providers configured (set before lib/env.ts is first imported), so their callbacks check
// signatures rather than answer 503; Twilio points at a closed local port, never the network.
vi.hoisted(() => {
  vi.stubEnv("RESEND_WEBHOOK_SECRET", `whsec_${Buffer.from("no 5xx").toString("base64")}`);
  vi.stubEnv("TWILIO_ACCOUNT_SID", `AC${"cd".repeat(16)}`);
  vi.stubEnv("TWILIO_AUTH_TOKEN", "no-5xx-auth-token");
  vi.stubEnv("TWILIO_FROM", "+15550001111");
  vi.stubEnv("TWILIO_BASE_URL", "http://127.0.0.1:9");
});
vi.mock("server-only", () => ({}));
let t: TestDb;
vi.mock("@/server/database", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/server/database")>()),
  getDb: async () => t.db,
  getDbHandle: async () => t,
}));

const API = path.join(import.meta.dirname);
/** The public (no session) POST routes beside /api/v1. */
const PUBLIC_POST_DIRS = ["subscribers", "alerts", "providers"];
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
const RUNS = 40;

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return routeFiles(p);
    return e.name === "route.ts" ? [p] : [];
  });
}

interface Route {
  file: string;
  /** Path segments under /api, `[id]` and `[...path]` kept as written. */
  segments: string[];
  methods: readonly (typeof METHODS)[number][];
}

const routes: Route[] = [
  ...routeFiles(path.join(API, "v1")).map((file) => ({ file, methods: METHODS })),
  ...PUBLIC_POST_DIRS.flatMap((d) => routeFiles(path.join(API, d))).map((file) => ({
    file,
    methods: ["POST"] as const,
  })),
].map((r) => ({
  ...r,
  segments: path.relative(API, path.dirname(r.file)).split(path.sep),
}));

// Field names the schemas in lib/ read, so generated bodies reach past "unknown key".
const FIELDS = [
  "title",
  "message",
  "category",
  "impact",
  "status",
  "cells",
  "componentId",
  "regionId",
  "notify",
  "audienceOrgId",
  "scheduledFor",
  "scheduledUntil",
  "reopen",
  "postmortem",
  "samples",
  "metric",
  "value",
  "at",
  "recipients",
  "channel",
  "address",
  "roleGroup",
  "name",
  "url",
  "type",
  "filters",
  "componentIds",
  "regionIds",
  "minImpact",
  "matrix",
  "categories",
  "digestMode",
  "quietHours",
  "start",
  "end",
  "timeZone",
  "enabled",
  "to",
  "endpointId",
  "before",
  "limit",
  "q",
  "page",
  "token",
  "email",
  "kind",
  "incidentId",
  "jobId",
  "role",
  "actor",
  "action",
  "from",
  "after",
  "code",
  "description",
  "groupId",
  "position",
  "showcase",
  "onlyShowIfDegraded",
];
// What broke before, and what a schema must turn away with a 4xx.
const nastyString = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(
    "\u0000",
    "a\u0000b",
    "\ud800",
    "x\udc00y",
    "",
    " ",
    "%",
    "-".repeat(36),
    "f".repeat(36),
    "00000000-0000-0000-0000-000000000000",
    "0000-01-01",
    "0000-01-01T00:00:00Z",
    "+275760-09-13T00:00:00Z",
    "-271821-04-20T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "2026-13-45T25:61:61Z",
    "NaN",
    "Infinity",
    "https://example.com/" + "x".repeat(5000),
    "x".repeat(200_000),
    "> ".repeat(6000) + "deep",
    "a@b.co",
    "+919812345678",
    "https://hooks.example.com/beacon",
  ),
);
const leaf = fc.oneof(
  nastyString,
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1e308, Number.MAX_SAFE_INTEGER, true, false, null),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("v"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...FIELDS), tie("v"), { maxKeys: 3 }),
  ),
})).v;

/** Valid bodies with one field replaced, so generated values reach the database too. */
const cell = { componentId: "", regionId: "" };
const templates: ((v: unknown) => unknown)[] = [
  (v) => ({ title: v, category: "infrastructure", impact: "none", message: "m" }),
  (v) => ({ title: "t", category: "infrastructure", impact: "none", message: v }),
  (v) => ({ status: "identified", message: v }),
  (v) => ({ type: "webhook", name: v, url: "https://hooks.example.com/beacon" }),
  (v) => ({ type: "webhook", name: "n", url: v }),
  (v) => ({ recipients: [{ channel: "email", address: v, roleGroup: "tech_devops" }] }),
  (v) => ({ samples: [{ metric: "balance", value: 1, at: v }] }),
  (v) => ({
    title: "t",
    message: "m",
    scheduledFor: v,
    scheduledUntil: "2099-01-01T00:00:00Z",
    cells: [cell],
  }),
  (v) => ({
    title: "t",
    message: "m",
    scheduledFor: "2030-01-01T00:00:00Z",
    scheduledUntil: v,
    cells: [cell],
  }),
];
const body = fc.oneof(
  fc.tuple(fc.nat(templates.length - 1), leaf).map(([i, v]) => templates[i]!(v)),
  fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 8 }),
  value,
  fc.constantFrom("{", "[]", "null", '{"a":', "\u0000"),
);
const query = fc.oneof(
  fc.record({ before: nastyString }),
  fc.dictionary(fc.constantFrom(...FIELDS), nastyString, { maxKeys: 3 }),
);
const pathParam = nastyString;

let keys: string[];

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  cell.componentId = (await t.db.select().from(components).limit(1))[0]!.id;
  cell.regionId = (await t.db.select().from(regions).limit(1))[0]!.id;
  keys = [
    (
      await createApiKey({
        ctx: await ctxFor(t.db, "admin@beacon.test"),
        input: { name: "platform", role: "platform_admin" },
      })
    ).secret,
    (
      await createApiKey({
        ctx: await ctxFor(t.db, "admin@acme.test"),
        input: { name: "acme", role: "org_admin" },
      })
    ).secret,
  ];
});
afterAll(() => t.close());

describe("no generated input makes a route answer 5xx", () => {
  it("finds the routes on disk", () => {
    expect(routes.map((r) => r.segments.join("/"))).toEqual(
      expect.arrayContaining(["v1/incidents", "v1/incidents/[id]/updates", "v1/metrics"]),
    );
  });

  for (const route of routes) {
    const where = `/api/${route.segments.join("/")}`;
    it(`${where}`, { timeout: 240_000 }, async () => {
      const mod = (await import(route.file)) as Record<string, unknown>;
      const handlers = route.methods.filter((m) => typeof mod[m] === "function");
      expect(handlers.length, `${where} exports no handler`).toBeGreaterThan(0);
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...handlers),
          fc.constantFrom(...keys),
          pathParam,
          query,
          body,
          async (method, key, param, q, b) => {
            const params: Record<string, string | string[]> = {};
            const urlPath = route.segments
              .map((s) => {
                const m = /^\[(\.\.\.)?(\w+)\]$/.exec(s);
                if (!m) return s;
                params[m[2]!] = m[1] ? [param] : param;
                // A URL cannot carry a lone surrogate; the handler still gets it raw.
                return encodeURIComponent(param.replace(/[\ud800-\udfff]/g, "\ufffd"));
              })
              .join("/");
            const url = new URL(`http://localhost/api/${urlPath}`);
            for (const [k, v] of Object.entries(q)) url.searchParams.set(k, v);
            const hasBody = method !== "GET" && method !== "DELETE";
            const req = new Request(url, {
              method,
              headers: {
                authorization: `Bearer ${key}`,
                "content-type": "application/json",
                "x-forwarded-for": "203.0.113.7",
              },
              body: hasBody ? (typeof b === "string" ? b : JSON.stringify(b)) : undefined,
            });
            const handler = mod[method] as (
              req: Request,
              ctx: { params: Promise<typeof params> },
            ) => Promise<Response>;
            const res = await handler(req, { params: Promise.resolve(params) });
            if (res.status >= 500) {
              throw new Error(`${method} ${url} answered ${res.status}: ${await res.text()}`);
            }
          },
        ),
        { numRuns: RUNS },
      );
    });
  }
});
