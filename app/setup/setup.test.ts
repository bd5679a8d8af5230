import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { seedDatabase } from "@/server/seed";
import { issueSetupToken } from "@/lib/setup/setup";

// The /setup page and its action as plain functions, against this file's own database.
vi.mock("server-only", () => ({}));
let t: TestDb;
vi.mock("@/server/database", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/server/database")>()),
  getDb: async () => t.db,
}));
class Redirected extends Error {
  constructor(readonly to: string) {
    super(`redirect to ${to}`);
  }
}
class NotFound extends Error {}
vi.mock("next/navigation", () => ({
  redirect: (to: string) => {
    throw new Redirected(to);
  },
  notFound: () => {
    throw new NotFound();
  },
}));
const signIns: Record<string, unknown>[] = [];
vi.mock("@/app/_server/auth", () => ({
  signIn: async (_provider: string, fields: Record<string, unknown>) => {
    signIns.push(fields);
  },
}));

const { completeSetupAction } = await import("./actions");
const { default: SetupPage } = await import("./page");

beforeAll(async () => {
  t = await createTestDb();
  await seedDatabase(t.db, { demo: false });
});
afterAll(() => t?.close());

function form(values: Record<string, string>) {
  const f = new FormData();
  for (const [k, v] of Object.entries(values)) f.set(k, v);
  return f;
}
const page = (token?: string) =>
  SetupPage({ searchParams: Promise.resolve(token === undefined ? {} : { token }) });

describe("/setup", () => {
  it("names each refused field, then creates the admin, signs them in, and is gone (404)", async () => {
    const token = (await issueSetupToken(t.db))!;
    // While setup is pending the page renders (with the form for a live token).
    await expect(page(token)).resolves.toBeTruthy();
    await expect(page("wrong-token-value")).resolves.toBeTruthy();

    const refused = await completeSetupAction(
      null,
      form({ token, email: "x", name: "", password: "short", pageName: "" }),
    );
    expect(refused).toMatchObject({ ok: false });
    expect(Object.keys((refused as { fields: Record<string, string> }).fields).sort()).toEqual([
      "email",
      "name",
      "pageName",
      "password",
    ]);
    const badToken = await completeSetupAction(
      null,
      form({
        token: "not-the-right-token",
        email: "ops@example.test",
        name: "Ops",
        password: "a-long-password",
        pageName: "Example Status",
      }),
    );
    expect((badToken as { fields: Record<string, string> }).fields.token).toMatch(
      /not a valid setup link/,
    );

    const done = await completeSetupAction(
      null,
      form({
        token,
        email: "ops@example.test",
        name: "Ops",
        password: "a-long-password",
        pageName: "Example Status",
      }),
    ).catch((e: unknown) => e);
    expect(done).toBeInstanceOf(Redirected);
    expect((done as Redirected).to).toBe("/portal");
    expect(signIns).toEqual([
      { email: "ops@example.test", password: "a-long-password", redirect: false },
    ]);

    await expect(page(token)).rejects.toBeInstanceOf(NotFound);
    await expect(page()).rejects.toBeInstanceOf(NotFound);
    const again = await completeSetupAction(
      null,
      form({
        token,
        email: "other@example.test",
        name: "Other",
        password: "a-long-password",
        pageName: "Mine",
      }),
    );
    expect(again).toMatchObject({ ok: false, error: expect.stringMatching(/already done/) });
  });
});
