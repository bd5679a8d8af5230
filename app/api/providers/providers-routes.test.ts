import { createHmac, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { deliveries, organizations } from "@/db/schema";
import { seedDemo } from "@/test/fixtures";

// Route handlers run here as plain functions, with this configuration (set before lib/env.ts is
// first imported) and this file's database.
const { SECRET, ACCOUNT, TOKEN } = vi.hoisted(() => {
  const config = {
    SECRET: `whsec_${Buffer.from("route test webhook secret").toString("base64")}`,
    ACCOUNT: `AC${"cd".repeat(16)}`,
    TOKEN: "route-test-auth-token",
  };
  vi.stubEnv("APP_URL", "https://status.example.test/");
  vi.stubEnv("RESEND_WEBHOOK_SECRET", config.SECRET);
  vi.stubEnv("TWILIO_ACCOUNT_SID", config.ACCOUNT);
  vi.stubEnv("TWILIO_AUTH_TOKEN", config.TOKEN);
  vi.stubEnv("TWILIO_FROM", "+15550001111");
  return config;
});
vi.mock("server-only", () => ({}));
let t: TestDb;
vi.mock("@/server/database", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/server/database")>()),
  getDb: async () => t.db,
  getDbHandle: async () => t,
}));

const resendRoute = await import("./resend/route");
const twilioRoute = await import("./twilio/status/route");

let acme: string;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  const [o] = await t.db.select().from(organizations).where(eq(organizations.slug, "acme"));
  acme = o!.id;
});
afterAll(() => t.close());

/** A delivery the provider accepted, as the sender leaves it. */
async function accepted(channel: "email" | "sms", providerId: string, destination: string) {
  const [d] = await t.db
    .insert(deliveries)
    .values({
      orgId: acme,
      channel,
      recipientType: "recipient",
      destination,
      idempotencyKey: `route-test:${randomUUID()}`,
      status: "delivered",
      attempts: 1,
      providerId,
      responseCode: 200,
      deliveredAt: new Date(),
    })
    .returning();
  return d!;
}

function resendRequest(event: unknown, sign = true) {
  const body = JSON.stringify(event);
  const id = `msg_${randomUUID()}`;
  const ts = String(Math.floor(Date.now() / 1000));
  const key = Buffer.from(SECRET.slice(6), "base64");
  const mac = createHmac("sha256", key).update(`${id}.${ts}.${body}`).digest("base64");
  return new Request("http://127.0.0.1:3000/api/providers/resend", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(sign ? { "svix-id": id, "svix-timestamp": ts, "svix-signature": `v1,${mac}` } : {}),
    },
    body,
  });
}

function twilioRequest(params: Record<string, string>, signedFor: string, requestUrl: string) {
  const data =
    signedFor +
    Object.keys(params)
      .sort()
      .map((k) => k + params[k])
      .join("");
  return new Request(requestUrl, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      host: new URL(requestUrl).host,
      "x-forwarded-host": new URL(requestUrl).host,
      "x-twilio-signature": createHmac("sha1", TOKEN).update(data).digest("base64"),
    },
    body: new URLSearchParams(params).toString(),
  });
}

describe("POST /api/providers/resend", () => {
  it("401 with a clear message for an unsigned request", async () => {
    const res = await resendRoute.POST(resendRequest({ type: "email.delivered" }, false));
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("unauthorized");
    expect(body.error.message).toMatch(
      /svix-id, svix-timestamp, svix-signature headers are missing/,
    );
  });

  it("applies a signed bounce to the delivery with that email id", async () => {
    const emailId = randomUUID();
    const d = await accepted("email", emailId, "ops@example.test");
    const res = await resendRoute.POST(
      resendRequest({
        type: "email.bounced",
        created_at: new Date().toISOString(),
        data: {
          email_id: emailId,
          bounce: { type: "Permanent", subType: "General", message: "550 unknown user" },
        },
      }),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ outcome: "applied", deliveryId: d.id, status: "failed" });
    const [after] = await t.db.select().from(deliveries).where(eq(deliveries.id, d.id));
    expect(after!.error).toBe("Bounced (Permanent, General): 550 unknown user");
  });

  it("422 naming the field for a signed but malformed event; 413 for an oversized body", async () => {
    const res = await resendRoute.POST(resendRequest({ type: "email.bounced", data: {} }));
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { fields: { field: string }[] } };
    expect(body.error.fields.map((f) => f.field)).toContain("data.email_id");

    const big = await resendRoute.POST(
      new Request("http://127.0.0.1:3000/api/providers/resend", {
        method: "POST",
        body: "x".repeat(300 * 1024),
      }),
    );
    expect(big.status).toBe(413);
  });
});

describe("POST /api/providers/twilio/status", () => {
  const callbackUrl = "https://status.example.test/api/providers/twilio/status";

  it("verifies against the URL built from APP_URL, whatever host the request came to", async () => {
    const messageSid = `SM${randomUUID().replace(/-/g, "")}`;
    const d = await accepted("sms", messageSid, "+919800000001");
    const params = {
      AccountSid: ACCOUNT,
      MessageSid: messageSid,
      MessageStatus: "undelivered",
      ErrorCode: "30003",
    };
    // Behind a proxy the app sees another host; the signature still covers APP_URL's address.
    const res = await twilioRoute.POST(
      twilioRequest(params, callbackUrl, "http://10.0.0.5:3000/api/providers/twilio/status"),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: "applied", status: "failed" });
    const [after] = await t.db.select().from(deliveries).where(eq(deliveries.id, d.id));
    expect(after!.error).toBe("SMS undelivered (error 30003: unreachable destination handset)");
  });

  it("401 when the signature covers the request's own host instead of APP_URL", async () => {
    const messageSid = `SM${randomUUID().replace(/-/g, "")}`;
    await accepted("sms", messageSid, "+919800000002");
    const own = "https://evil.example/api/providers/twilio/status";
    const res = await twilioRoute.POST(
      twilioRequest(
        { AccountSid: ACCOUNT, MessageSid: messageSid, MessageStatus: "failed" },
        own,
        own,
      ),
    );
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/X-Twilio-Signature: does not match/);
    expect(body.error.message).toContain(callbackUrl);
  });
});
