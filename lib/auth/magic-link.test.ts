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

  it("shows the inviter the raw invitation link only when the email could not be sent", async () => {
    const { deliverInvitation } = await import("@/lib/members/invitation-email");
    const invite = {
      email: "linkless@acme.test",
      role: "support_manager" as const,
      token: "a-secret-invitation-token",
      orgName: "Acme Telecom",
    };
    const sent = await deliverInvitation(invite);
    expect(sent).toEqual({ email: "linkless@acme.test", emailed: true });
    expect(JSON.stringify(sent)).not.toContain(invite.token);
    const mail = JSON.parse(resend.received.at(-1)!.body) as { to: string; text: string };
    expect([mail.to].flat()).toEqual(["linkless@acme.test"]);
    expect(mail.text).toContain(`/invite/${invite.token}`);

    vi.stubEnv("RESEND_BASE_URL", `${resend.url}/broken`);
    vi.resetModules();
    try {
      const broken = await import("@/lib/members/invitation-email");
      const failed = await broken.deliverInvitation(invite);
      expect(failed).toMatchObject({ emailed: false, url: expect.stringContaining(invite.token) });
      expect(failed.emailed === false && failed.emailError).toBeTruthy();
    } finally {
      vi.stubEnv("RESEND_BASE_URL", resend.url);
      vi.resetModules();
    }
  });

  it("emails the link that proves an invited address to that address, and says when it cannot", async () => {
    const { inviteMember } = await import("@/lib/members/invite");
    const { ctxFor } = await import("@/test/fixtures");
    const accept = await import("@/lib/members/accept-invitation");
    const { token } = await inviteMember({
      ctx: await ctxFor(t.db, "admin@acme.test"),
      input: { email: "proves@acme.test", role: "support_manager" },
    });
    const before = resend.received.length;
    await accept.requestInvitationVerification({
      db: t.db,
      input: { token },
      clientAddress: "192.0.2.7",
    });
    expect(resend.received).toHaveLength(before + 1);
    const mail = JSON.parse(resend.received.at(-1)!.body) as { to: string; text: string };
    expect([mail.to].flat()).toEqual(["proves@acme.test"]);
    const code = /\/invite\/verify\/([\w-]+)/.exec(mail.text)?.[1];
    expect(code).toBeTruthy();
    expect(mail.text).not.toContain(token);
    const joined = await accept.createAccountFromInvitation({
      db: t.db,
      input: { code, name: "Pat Proves", password: "a-long-password" },
    });
    expect(joined.email).toBe("proves@acme.test");

    const again = await inviteMember({
      ctx: await ctxFor(t.db, "admin@acme.test"),
      input: { email: "bounced@acme.test", role: "support_manager" },
    });
    vi.stubEnv("RESEND_BASE_URL", `${resend.url}/broken`);
    vi.resetModules();
    try {
      const broken = await import("@/lib/members/accept-invitation");
      const err = await broken
        .requestInvitationVerification({
          db: t.db,
          input: { token: again.token },
          clientAddress: "192.0.2.7",
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(broken.InvitationEmailFailedError);
      expect((err as Error).message).toMatch(/verification email could not be sent/);
    } finally {
      vi.stubEnv("RESEND_BASE_URL", resend.url);
      vi.resetModules();
    }
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
