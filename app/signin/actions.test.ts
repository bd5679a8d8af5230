import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CredentialsSignin } from "next-auth";
import { eq } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import { organizations } from "@/db/schema";
import { DEMO_PASSWORD } from "@/server/seed";
import { seedDemo } from "@/test/fixtures";
import { CLIENT_ADDRESS_HEADER } from "@/lib/client-address";
import { GENERIC_SIGN_IN_ERROR, PAIR_FREE_FAILURES } from "@/lib/auth/credentials";

vi.mock("server-only", () => ({}));
let t: TestDb;
vi.mock("@/server/database", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/server/database")>()),
  getDb: async () => t.db,
}));

/** Where the next sign-in comes from (the socket address the server hook would set). */
let from = "203.0.113.50";
class SignedIn extends Error {}

// Auth.js's signIn, as it behaves for the Credentials provider: it calls `authorize` with the
// request's headers, throws CredentialsSignin for null and hands on any AuthError thrown (the
// very object); a success redirects.
vi.mock("@/app/_server/auth", () => ({
  signIn: async (_provider: string, fields: Record<string, unknown>) => {
    const { authorizePassword } = await import("@/app/_server/sign-in");
    const request = new Request("http://localhost/api/auth/callback/credentials", {
      method: "POST",
      headers: { [CLIENT_ADDRESS_HEADER]: from },
    });
    if (!(await authorizePassword(fields, request))) throw new CredentialsSignin();
    throw new SignedIn();
  },
}));

const { signInWithPassword } = await import("./actions");

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
});
afterAll(async () => t?.close());

function form(email: string, password: string): FormData {
  const f = new FormData();
  f.set("email", email);
  f.set("password", password);
  return f;
}

describe("the sign-in page's password form", () => {
  it("tells a blocked address when to try again, while the owner signs in from elsewhere", async () => {
    from = "203.0.113.50";
    for (let i = 0; i < PAIR_FREE_FAILURES; i++) {
      expect(await signInWithPassword({}, form("billing@acme.test", `guess-${i}`))).toEqual({
        error: GENERIC_SIGN_IN_ERROR,
      });
    }
    const refused = await signInWithPassword({}, form("billing@acme.test", DEMO_PASSWORD));
    expect(refused.error).toMatch(
      /^Too many attempts from this address; try again in 1 minute( or use the email link)?\.$/,
    );
    from = "198.51.100.50";
    await expect(
      signInWithPassword({}, form("billing@acme.test", DEMO_PASSWORD)),
    ).rejects.toBeInstanceOf(SignedIn);
  });

  it("tells a member of a suspended tenant why they cannot sign in, and lets them in once it is restored", async () => {
    from = "192.0.2.77";
    const suspend = (at: Date | null) =>
      t.db.update(organizations).set({ suspendedAt: at }).where(eq(organizations.slug, "globex"));
    await suspend(new Date());
    try {
      expect(await signInWithPassword({}, form("admin@globex.test", DEMO_PASSWORD))).toEqual({
        error:
          "Globex Communications is suspended, so you cannot sign in to it. Contact the status page operator.",
      });
      // A wrong password is still just a wrong password: nothing said about the organization.
      expect(await signInWithPassword({}, form("admin@globex.test", "wrong-password"))).toEqual({
        error: GENERIC_SIGN_IN_ERROR,
      });
    } finally {
      await suspend(null);
    }
    await expect(
      signInWithPassword({}, form("admin@globex.test", DEMO_PASSWORD)),
    ).rejects.toBeInstanceOf(SignedIn);
  });
});
