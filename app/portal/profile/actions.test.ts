import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { memberships, users } from "@/db/schema";
import { seedDemo } from "@/test/fixtures";

// The server action runs here as a plain function, with the session a test chooses.
vi.mock("server-only", () => ({}));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));
let t: TestDb;
let session: { user: { id: string }; orgId?: string } | null = null;
vi.mock("@/server/database", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/server/database")>()),
  getDb: async () => t.db,
}));
vi.mock("@/app/_server/auth", () => ({ auth: async () => session }));

const { changeNameAction, saveMyNotificationsAction } = await import("./actions");

const ids: Record<string, string> = {};
beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  for (const u of await t.db.select().from(users)) ids[u.email] = u.id;
});
afterAll(async () => t?.close());

function form(fields: Record<string, string>) {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
}

async function prefs(email: string) {
  const [r] = await t.db
    .select({ email: memberships.warningEmail, sms: memberships.warningSms, phone: users.phone })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(users.email, email)));
  return r!;
}

describe("saveMyNotificationsAction", () => {
  it("without a session changes nothing and says to sign in", async () => {
    session = null;
    const res = await saveMyNotificationsAction(null, form({ phone: "", warningEmail: "on" }));
    expect(res).toMatchObject({ ok: false, error: expect.stringMatching(/sign in/) });
  });

  it("saves for the signed-in member only, whatever user id the form carries", async () => {
    session = { user: { id: ids["support@acme.test"]! } };
    const before = await prefs("admin@acme.test");
    const res = await saveMyNotificationsAction(
      null,
      form({
        phone: "+919800000009",
        warningEmail: "on",
        warningSms: "on",
        userId: ids["admin@acme.test"]!,
        membershipId: "00000000-0000-4000-8000-000000000000",
      }),
    );
    expect(res).toMatchObject({ ok: true, message: "Your notification settings are saved." });
    expect(await prefs("support@acme.test")).toEqual({
      email: true,
      sms: true,
      phone: "+919800000009",
    });
    expect(await prefs("admin@acme.test")).toEqual(before);
  });

  it("a platform member has the page too (every role has one)", async () => {
    session = { user: { id: ids["oncall@beacon.test"]! } };
    const res = await saveMyNotificationsAction(null, form({ phone: "", warningEmail: "on" }));
    expect(res.ok).toBe(true);
    expect((await prefs("oncall@beacon.test")).email).toBe(true);
  });

  it("returns the field and reason of a bad phone number", async () => {
    session = { user: { id: ids["billing@acme.test"]! } };
    const res = await saveMyNotificationsAction(null, form({ phone: "call me", warningSms: "on" }));
    expect(res).toMatchObject({
      ok: false,
      fields: { phone: expect.stringMatching(/^must be a phone number in E\.164 form/) },
    });
    expect(await prefs("billing@acme.test")).toEqual({ email: false, sms: false, phone: null });
  });

  it("refuses a form rendered for another organization: the opt-in belongs to one", async () => {
    session = { user: { id: ids["devops@acme.test"]! } };
    const res = await saveMyNotificationsAction(
      null,
      form({ _org: "00000000-0000-4000-8000-000000000001", phone: "", warningEmail: "on" }),
    );
    expect(res).toMatchObject({ ok: false, error: expect.stringMatching(/another organization/) });
    expect((await prefs("devops@acme.test")).email).toBe(false);
  });
});

describe("changeNameAction", () => {
  it("renames the signed-in member only, whatever user id the form carries, and names a bad name", async () => {
    session = { user: { id: ids["devops@acme.test"]! } };
    try {
      expect(
        await changeNameAction(
          null,
          form({ name: "Dana DevOps-Lead", userId: ids["admin@acme.test"]! }),
        ),
      ).toMatchObject({ ok: true, message: "Your name is saved." });
      expect(await changeNameAction(null, form({ name: "" }))).toMatchObject({
        ok: false,
        fields: { name: "is required" },
      });
    } finally {
      session = null;
    }
    const names = Object.fromEntries(
      (await t.db.select().from(users)).map((u) => [u.email, u.name]),
    );
    expect(names["devops@acme.test"]).toBe("Dana DevOps-Lead");
    expect(names["admin@acme.test"]).not.toBe("Dana DevOps-Lead");
    expect(await changeNameAction(null, form({ name: "Anonymous" }))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/sign in/),
    });
  });
});
