import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { seedDemo } from "@/test/fixtures";
import { testSettings } from "@/test/alerts";
import { subscribe } from "@/lib/subscribers/subscribe";

// The route handler runs here as a plain function against this file's own database.
vi.mock("server-only", () => ({}));
let t: TestDb;
vi.mock("@/server/database", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/server/database")>()),
  getDb: async () => t.db,
  getDbHandle: async () => t,
}));

const route = await import("./route");

const post = (authorization?: string) =>
  route.POST(
    new Request("http://localhost/api/subscribers/rotate-secret", {
      method: "POST",
      headers: authorization ? { authorization, "x-forwarded-for": "10.20.30.40" } : {},
    }),
  );

let manageToken: string;
let secret: string;

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
  secret = res.secret;
});
afterAll(() => t.close());

describe("POST /api/subscribers/rotate-secret", () => {
  it("answers a new secret to the management token, not cached", async () => {
    const res = await post(`Bearer ${manageToken}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as { secret: string; previousValidUntil: string };
    expect(body.secret).toMatch(/^whsec_/);
    expect(body.secret).not.toBe(secret);
    expect(Date.parse(body.previousValidUntil)).toBeGreaterThan(Date.now() + 23 * 60 * 60 * 1000);
  });

  it("names what is wrong: no header (401), not a token (422), an unknown token (401)", async () => {
    const none = await post();
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({
      error: { message: "Send the management token in the Authorization header: Bearer bsm_…" },
    });
    const wrong = await post("Bearer whsec_nope");
    expect(wrong.status).toBe(422);
    expect(await wrong.json()).toMatchObject({
      error: {
        fields: [
          {
            field: "token",
            message: "must be the management token (bsm_…) shown when you subscribed",
          },
        ],
      },
    });
    const unknown = await post(`Bearer bsm_${"B".repeat(43)}`);
    expect(unknown.status).toBe(401);
  });
});
