import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { seedDemo } from "@/test/fixtures";
import { testSettings } from "@/test/alerts";
import { subscribe } from "@/lib/subscribers/subscribe";
import { ROTATE_LIMIT } from "@/lib/subscribers/rotate-secret";
import { CLIENT_ADDRESS_HEADER } from "@/lib/client-address";
import { installClientAddress } from "./client-address";

vi.mock("server-only", () => ({}));
let t: TestDb;
vi.mock("@/app/_server/auth", () => ({ auth: async () => null }));
let requestHeaders = new Headers();
vi.mock("next/headers", () => ({ headers: async () => requestHeaders }));
vi.mock("@/server/database", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/server/database")>()),
  getDb: async () => t.db,
  getDbHandle: async () => t,
}));

const rotateRoute = await import("@/app/api/subscribers/rotate-secret/route");
const subscribeActions = await import("@/app/(public)/subscribe/actions");

// What the route saw: Next builds its Request headers from the Node request's headers.
const seen: Record<string, string | undefined>[] = [];
let server: http.Server;
let base: string;
let uninstall: () => void;
let manageToken: string;

function toHeaders(req: http.IncomingMessage): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") h.set(k, v);
  return h;
}

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  const res = await subscribe(
    t.db,
    { input: { kind: "webhook", url: "http://127.0.0.1:9/hook" }, clientAddress: "10.1.2.3" },
    { settings: testSettings(), emailConfigured: false },
  );
  if (res.kind !== "webhook") throw new Error("expected a webhook subscription");
  manageToken = res.manageToken;
  uninstall = installClientAddress();
  server = http.createServer((req, res) => {
    const headers = toHeaders(req);
    seen.push({
      address: headers.get(CLIENT_ADDRESS_HEADER) ?? undefined,
      raw: req.rawHeaders.join("|"),
    });
    void rotateRoute
      .POST(new Request(`http://localhost${req.url}`, { method: "POST", headers }))
      .then(async (out) => {
        res.writeHead(out.status, { "content-type": "application/json" });
        res.end(await out.text());
      });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 180_000);
afterAll(async () => {
  uninstall?.();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await t.close();
});

describe("the client-address hook", () => {
  it("replaces a client-sent address header with the socket address", async () => {
    seen.length = 0;
    await fetch(`${base}/api/subscribers/rotate-secret`, {
      method: "POST",
      headers: { [CLIENT_ADDRESS_HEADER]: "6.6.6.6" },
    });
    expect(seen[0]!.address).toBe("127.0.0.1");
    expect(seen[0]!.raw).not.toContain("6.6.6.6");
  });

  it("rotate-secret's per-address limit cannot be bypassed by varying X-Forwarded-For", async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= ROTATE_LIMIT.max; i++) {
      const res = await fetch(`${base}/api/subscribers/rotate-secret`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${manageToken}`,
          "x-forwarded-for": `198.51.100.${i + 1}`,
          "x-real-ip": `203.0.113.${i + 1}`,
          [CLIENT_ADDRESS_HEADER]: `192.0.2.${i + 1}`,
        },
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([...Array(ROTATE_LIMIT.max).fill(200), 429]);
  });
});

describe("the subscribe action", () => {
  it("limits by the socket address, whatever X-Forwarded-For says", async () => {
    const { subscribeAction } = subscribeActions;
    const results: unknown[] = [];
    for (let i = 0; i < 6; i++) {
      requestHeaders = new Headers({
        [CLIENT_ADDRESS_HEADER]: "203.0.113.50",
        "x-forwarded-for": `198.51.100.${i + 1}`,
      });
      const form = new FormData();
      form.set("kind", "email");
      form.set("email", `reader${i}@example.com`);
      results.push(await subscribeAction({}, form));
    }
    expect(results.slice(0, 5)).toEqual(Array(5).fill(expect.objectContaining({ ok: true })));
    expect(results[5]).toMatchObject({ ok: false, error: expect.stringMatching(/Too many/) });
  });
});
