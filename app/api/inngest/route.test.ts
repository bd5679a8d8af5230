import { NextRequest } from "next/server";
import { afterEach, describe, expect, it, vi } from "vitest";

// The route reads its configuration when lib/env.ts is first imported: each test sets the
// environment, then imports a fresh copy of the route.
vi.mock("server-only", () => ({}));

const INNGEST_VARS = [
  "INNGEST_EVENT_KEY",
  "INNGEST_SIGNING_KEY",
  "INNGEST_DEV",
  "INNGEST_BASE_URL",
];

async function routeWith(config: Record<string, string>) {
  vi.resetModules();
  for (const name of INNGEST_VARS) vi.stubEnv(name, config[name] ?? "");
  return import("./route");
}

const request = (method: string) =>
  new NextRequest("http://localhost:3000/api/inngest", {
    method,
    headers: { "content-type": "application/json" },
    body: method === "GET" ? undefined : "{}",
  });

afterEach(() => vi.unstubAllEnvs());

describe("/api/inngest", () => {
  it("answers 404 saying the embedded driver is in use when Inngest is not configured", async () => {
    const route = await routeWith({});
    for (const [method, handler] of [
      ["GET", route.GET],
      ["POST", route.POST],
      ["PUT", route.PUT],
    ] as const) {
      const res = await handler(request(method), {});
      expect(res.status, method).toBe(404);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body).toMatchObject({ jobDriver: "embedded", error: { code: "not_found" } });
      expect(body.error.message).toMatch(/Inngest is not configured: the embedded job driver/);
      expect(body.error.message).toMatch(/INNGEST_EVENT_KEY/);
    }
  });

  it("is Inngest's own endpoint when Inngest is configured", async () => {
    const route = await routeWith({ INNGEST_DEV: "1" });
    const res = await route.GET(request("GET"), {});
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty("jobDriver");
    // The SDK's introspection: how many functions it serves, in development mode.
    expect(body).toMatchObject({ mode: "dev" });
    expect(body.function_count).toBeGreaterThan(0);
  });
});
