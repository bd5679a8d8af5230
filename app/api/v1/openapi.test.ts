import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { Validator } from "@seriousme/openapi-schema-validator";
import {
  ConflictError,
  DatabaseUnavailableError,
  ErrorBodySchema,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  toHttpResponse,
  UnauthorizedError,
  ValidationError,
  type ServiceError,
} from "@/lib/errors";
import { PayloadTooLargeError } from "@/lib/body";

vi.mock("server-only", () => ({}));
// No key reaches the database: the route refuses before reading it.
vi.mock("@/server/database", () => ({ getDb: async () => ({}) }));
const { OPERATIONS, errorBodyOf, openApiDocument } = await import("@/app/_server/openapi");
const route = await import("./openapi.json/route");

type Doc = {
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { responses: Record<string, { content: Record<string, { example: unknown }> }> };
};
const doc = openApiDocument() as unknown as Doc;
const ROOT = path.resolve(import.meta.dirname);
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/** Every route.ts under app/api/v1, as "get /endpoints/{id}" for each method it exports. */
function routeOperations(dir = ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return routeOperations(full);
    if (d.name !== "route.ts") return [];
    const urlPath =
      "/" +
      path
        .relative(ROOT, path.dirname(full))
        .split(path.sep)
        .map((s) => s.replace(/^\[(\w+)\]$/, "{$1}"))
        .join("/");
    const found = new Set<string>();
    for (const line of readFileSync(full, "utf8").split("\n")) {
      const head = /^export\s+(?:async\s+)?(?:const|function|let)\s+([^=(]*)/.exec(line)?.[1];
      if (!head) continue;
      for (const m of METHODS) if (new RegExp(`\\b${m}\\b`).test(head)) found.add(m);
    }
    return [...found].map((m) => `${m.toLowerCase()} ${urlPath}`);
  });
}

const documented = () =>
  Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m} ${p}`));

describe("the OpenAPI document of /api/v1", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const res = await validator.validate(structuredClone(openApiDocument()));
    expect(res.errors ?? []).toEqual([]);
    expect(res.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("describes every route handler in app/api/v1, and nothing else", () => {
    const real = routeOperations().sort();
    expect(real.length).toBeGreaterThan(30);
    expect(real).toContain("patch /endpoints/{id}");
    expect(documented().sort()).toEqual(real);
  });

  it("the coverage check sees a route that is not described", () => {
    // The walk reads the same files Next serves: a method the document lacks shows up missing.
    const real = new Set(routeOperations());
    const withoutOne = documented().filter((o) => o !== "delete /endpoints/{id}");
    expect([...real].filter((o) => !withoutOne.includes(o))).toEqual(["delete /endpoints/{id}"]);
  });

  it("takes request bodies from the verbs' own schemas", () => {
    const body = (
      doc.paths["/endpoints/{id}"]!.patch!.requestBody as {
        content: { "application/json": { schema: { properties: Record<string, unknown> } } };
      }
    ).content["application/json"].schema;
    expect(Object.keys(body.properties).sort()).toEqual(
      ["filters", "name", "roleGroup", "type", "url"].sort(),
    );
    expect(body.properties.filters).toMatchObject({
      properties: { minImpact: { enum: ["none", "minor", "major", "critical"] } },
    });
    // The id comes from the path, never the body.
    const update = (
      doc.paths["/components/{id}"]!.patch!.requestBody as {
        content: { "application/json": { schema: { properties: Record<string, unknown> } } };
      }
    ).content["application/json"].schema;
    expect(update.properties.id).toBeUndefined();
    const audit = doc.paths["/audit"]!.get!.parameters as { name: string }[];
    expect(audit.map((p) => p.name)).toEqual(
      expect.arrayContaining(["actor", "action", "from", "to", "after", "limit"]),
    );
  });

  it("has examples that the schemas validating requests accept", () => {
    let checked = 0;
    for (const op of OPERATIONS) {
      const bodies = op.body ? (Array.isArray(op.body) ? op.body : [op.body]) : [];
      for (const b of bodies) {
        const { reopen: _reopen, ...example } = b.example;
        const input = {
          ...example,
          ...Object.fromEntries(
            [b.fromPath ?? []].flat().map((f) => [f, "4f6c0f5e-2a8e-4c1b-9d7a-3b1e2f4a5c6d"]),
          ),
        };
        const result = b.schema.safeParse(input);
        expect(result.error?.issues ?? [], `${op.method} ${op.path}`).toEqual([]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it("says which permission each operation needs and uses the bearer key scheme", () => {
    const full = openApiDocument() as Record<string, unknown> & {
      components: { securitySchemes: Record<string, Record<string, unknown>> };
    };
    expect(full.security).toEqual([{ apiKey: [] }]);
    expect(full.components.securitySchemes.apiKey).toMatchObject({
      type: "http",
      scheme: "bearer",
    });
    expect(doc.paths["/endpoints/{id}"]!.patch).toMatchObject({
      "x-permission": "alerts:manage",
      responses: {
        "403": { $ref: "#/components/responses/Forbidden" },
        "404": { $ref: "#/components/responses/NotFound" },
        "422": { $ref: "#/components/responses/ValidationFailed" },
      },
    });
  });

  it.each<[string, ServiceError]>([
    ["401", new UnauthorizedError("Invalid or revoked API key")],
    ["403", new ForbiddenError()],
    ["404", new NotFoundError("Endpoint")],
    ["409", new ConflictError("resolved")],
    ["413", new PayloadTooLargeError("(body): too large")],
    ["422", new ValidationError([{ field: "name", message: "is required" }])],
    ["429", new RateLimitedError("slow down", 30)],
    ["503", new DatabaseUnavailableError("database timed out")],
  ])("describes the %s error body exactly as the server sends it", async (_code, err) => {
    const sent = await toHttpResponse(err).json();
    expect(ErrorBodySchema.safeParse(sent).success).toBe(true);
    expect(errorBodyOf(err)).toEqual(sent);
  });

  it("gives every error response an example of the shape", () => {
    for (const [name, r] of Object.entries(doc.components.responses)) {
      const example = r.content["application/json"]!.example;
      expect(ErrorBodySchema.safeParse(example).success, name).toBe(true);
    }
  });

  it("is served at GET /api/v1/openapi.json, to a key like every /api/v1 route", async () => {
    const res = await route.GET(new Request("http://localhost/api/v1/openapi.json"), {
      params: Promise.resolve({}),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: "unauthorized" } });
  });
});
