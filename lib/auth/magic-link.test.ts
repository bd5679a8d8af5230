import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { seedDemo } from "@/test/fixtures";
import { fakeServer } from "@/test/fake-http";

let t: TestDb;
let resend: Awaited<ReturnType<typeof fakeServer>>;

beforeAll(async () => {
  resend = await fakeServer((req) =>
    req.url === "/emails"
      ? { body: { id: `email_${resend.received.length}` } }
      : { status: 404, body: { message: "no" } },
  );
  // lib/env.ts reads the environment when first imported, so configure email before importing.
  vi.stubEnv("RESEND_API_KEY", "re_test_key");
  vi.stubEnv("RESEND_BASE_URL", resend.url);
  vi.resetModules();
  t = await createTestDb();
  await seedDemo(t.db);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await t?.close();
  await resend?.close();
});

describe("magic-link sign-in email", () => {
  it("is sent through Resend to an existing account only", async () => {
    const { sendMagicLink } = await import("./magic-link");
    const link = "http://localhost:3000/api/auth/callback/resend?token=abc&email=admin%40acme.test";
    expect(await sendMagicLink(t.db, "Admin@Acme.test", link)).toBe(true);
    expect(await sendMagicLink(t.db, "nobody@acme.test", link)).toBe(false);

    expect(resend.received).toHaveLength(1);
    const [req] = resend.received;
    expect(req!.headers.authorization).toBe("Bearer re_test_key");
    const body = JSON.parse(req!.body) as { to: string | string[]; subject: string; text: string };
    expect([body.to].flat()).toEqual(["admin@acme.test"]);
    expect(body.text).toContain(link);
  });

  it("emails invitations when email is configured, and reports a provider failure", async () => {
    const { sendInvitationEmail } = await import("@/lib/members/invitation-email");
    const ok = await sendInvitationEmail({
      to: "new@acme.test",
      orgName: "Acme Telecom",
      url: "http://x/invite/t",
    });
    expect(ok).toEqual({ sent: true });
    const last = JSON.parse(resend.received.at(-1)!.body) as { subject: string };
    expect(last.subject).toContain("Acme Telecom");

    vi.stubEnv("RESEND_BASE_URL", `${resend.url}/broken`);
    vi.resetModules();
    const again = await import("@/lib/members/invitation-email");
    const failed = await again.sendInvitationEmail({
      to: "new@acme.test",
      orgName: "Acme",
      url: "http://x/invite/t",
    });
    expect(failed.sent).toBe(false);
    expect(failed.error).toBeTruthy();
  });
});
