import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { seedDemo } from "@/test/fixtures";
import { testSettings } from "@/test/alerts";
import { answerChallenge, startReceiver, type Receiver } from "@/test/fake-receiver";
import { subscribe } from "@/lib/subscribers/subscribe";

// The route sends the challenge with the app's settings: allow the local receiver (set before
// lib/env.ts is first imported).
vi.hoisted(() => {
  vi.stubEnv("ALLOW_PRIVATE_WEBHOOKS", "true");
});
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
    new Request("http://localhost/api/subscribers/verify", {
      method: "POST",
      headers: authorization ? { authorization, "x-forwarded-for": "10.20.30.41" } : {},
    }),
  );

let receiver: Receiver;
let ready = false;
let manageToken: string;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  receiver = await startReceiver({
    handler: (req) => (ready ? answerChallenge(req) : { status: 404, body: "no such hook" }),
  });
  const res = await subscribe(
    t.db,
    { input: { kind: "webhook", url: `${receiver.url}/hook` }, clientAddress: "10.1.2.4" },
    { settings: testSettings(), emailConfigured: false },
  );
  if (res.kind !== "webhook") throw new Error("expected a webhook subscription");
  manageToken = res.manageToken;
});
afterAll(async () => {
  await receiver?.close();
  await t.close();
});

describe("POST /api/subscribers/verify", () => {
  it("answers 422 naming url and why while the URL fails the challenge, then 200 once it echoes it", async () => {
    const failing = await post(`Bearer ${manageToken}`);
    expect(failing.status).toBe(422);
    expect(await failing.json()).toMatchObject({
      error: {
        code: "validation_failed",
        fields: [
          {
            field: "url",
            message: "did not answer the verification challenge: answered HTTP 404 instead of 2xx",
          },
        ],
      },
    });

    ready = true;
    const ok = await post(`Bearer ${manageToken}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("cache-control")).toBe("no-store");
    expect(await ok.json()).toEqual({
      verified: true,
      host: new URL(receiver.url).host,
      alreadyVerified: false,
    });
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
    expect((await post(`Bearer bsm_${"D".repeat(43)}`)).status).toBe(401);
  });
});
