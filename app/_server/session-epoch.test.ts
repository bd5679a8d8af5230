import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { and, eq } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import { devMailbox, memberships, organizations, users } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { beaconAdapter } from "@/lib/auth/adapter";
import { hashPassword } from "@/lib/auth/password";
import { currentSessionEpoch } from "@/lib/auth/session-epoch";
import { inviteMember } from "@/lib/members/invite";
import { acceptInvitation } from "@/lib/members/accept-invitation";
import { removeMember } from "@/lib/members/manage";
import { requestPasswordReset } from "@/lib/members/password-reset";

// A session issued before the user's session epoch moved on is refused on the next request, by
// every way a request reads the session: a page's context, a server action, a route handler.
vi.mock("server-only", () => ({}));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));
class Redirected extends Error {
  constructor(readonly to: string) {
    super(`redirect to ${to}`);
  }
}
vi.mock("next/navigation", () => ({
  redirect: (to: string) => {
    throw new Redirected(to);
  },
  forbidden: () => {
    throw new Error("forbidden()");
  },
  notFound: () => {
    throw new Error("notFound()");
  },
}));
let t: TestDb;
vi.mock("@/server/database", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/server/database")>()),
  getDb: async () => t.db,
  getDbHandle: async () => t,
}));
/** The session the mocked Auth.js answers with: what a signed JWT would decode to. */
let session: { user: { id: string }; orgId?: string; epoch?: number } | null = null;
const signIns: Record<string, unknown>[] = [];
vi.mock("@/app/_server/auth", () => ({
  auth: async () => session,
  signIn: async (_provider: string, options: Record<string, unknown>) => {
    signIns.push(options);
  },
  signOut: async () => {},
  unstable_update: async () => {},
}));

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
});
afterAll(() => t?.close());

/** One request of each kind, as the session stands; true where the session was accepted. */
async function requestsWith(s: typeof session) {
  // React's cache() memoises per request only inside Next; a fresh import keeps the test honest.
  vi.resetModules();
  session = s;
  try {
    const { getSessionCtx } = await import("./ctx");
    const page = (await getSessionCtx()) !== null;
    const { GET } = await import("@/app/api/portal/inbox/route");
    const route = (await GET()).status;
    const { saveMyNotificationsAction } = await import("@/app/portal/profile/actions");
    const form = new FormData();
    form.set("phone", "");
    const action = (await saveMyNotificationsAction(null, form)) as {
      ok: boolean;
      error?: string;
    };
    return { page, route, action: action.ok ? "ok" : action.error };
  } finally {
    session = null;
  }
}

const ACCEPTED = { page: true, route: 200, action: "ok" };
const REFUSED = {
  page: false,
  route: 401,
  action: "Your session has ended; sign in again",
};

async function orgId(slug: string) {
  const [o] = await t.db.select().from(organizations).where(eq(organizations.slug, slug));
  return o!.id;
}

describe("session epochs", () => {
  it("ends the session of whoever set an account up once its owner first proves the address", async () => {
    // An account as the old invitation flow made it: a password chosen by whoever held the
    // link, the address never proven.
    const [user] = await t.db
      .insert(users)
      .values({
        email: "taken@acme.test",
        name: "Link holder",
        passwordHash: await hashPassword("holders-password"),
      })
      .returning();
    await t.db
      .insert(memberships)
      .values({ orgId: await orgId("acme"), userId: user!.id, role: "support_manager" });
    const holders = { user: { id: user!.id }, epoch: (await currentSessionEpoch(t.db, user!.id))! };
    expect(await requestsWith(holders)).toEqual(ACCEPTED);

    // The owner signs in by magic link for the first time (Auth.js marks the email verified).
    const adapter = beaconAdapter(async () => t.db);
    await adapter.updateUser!({ id: user!.id, emailVerified: new Date() });
    const owners = { user: { id: user!.id }, epoch: (await currentSessionEpoch(t.db, user!.id))! };
    expect(owners.epoch).toBeGreaterThan(holders.epoch);
    expect(await requestsWith(holders)).toEqual(REFUSED);
    expect(await requestsWith(owners)).toEqual(ACCEPTED);
    // A token from before epochs existed counts as epoch 0, refused too.
    expect(await requestsWith({ user: { id: user!.id } })).toEqual(REFUSED);

    // The owner gains a platform membership: the holder's session still acts with nothing.
    const platform = await ctxFor(t.db, "admin@beacon.test");
    const { token } = await inviteMember({
      ctx: platform,
      input: { email: "taken@acme.test", role: "responder" },
    });
    await acceptInvitation({ db: t.db, input: { token }, signedInUserId: user!.id });
    expect(await requestsWith({ ...holders, orgId: platform.org.id })).toEqual(REFUSED);
    expect(await requestsWith({ ...owners, orgId: platform.org.id })).toEqual(ACCEPTED);

    // Signing in again later (already verified) moves nothing.
    await adapter.updateUser!({ id: user!.id, emailVerified: new Date() });
    expect(await currentSessionEpoch(t.db, user!.id)).toBe(owners.epoch);
    const [after] = await t.db.select().from(users).where(eq(users.id, user!.id));
    expect(after!.passwordHash).toBeNull();
  });

  it("ends every earlier session when the password changes, and re-issues the changer's", async () => {
    const [billing] = await t.db.select().from(users).where(eq(users.email, "billing@acme.test"));
    const other = {
      user: { id: billing!.id },
      epoch: (await currentSessionEpoch(t.db, billing!.id))!,
    };
    const mine = { ...other };
    expect(await requestsWith(other)).toEqual(ACCEPTED);

    vi.resetModules();
    session = mine;
    signIns.length = 0;
    try {
      const { changePasswordAction } = await import("@/app/portal/profile/actions");
      const wrong = new FormData();
      wrong.set("currentPassword", "not-the-password");
      wrong.set("newPassword", "a-brand-new-password");
      expect(await changePasswordAction(null, wrong)).toMatchObject({
        ok: false,
        fields: { currentPassword: "is not your current password" },
      });
      expect(await requestsWith(other)).toEqual(ACCEPTED);

      session = mine;
      const form = new FormData();
      form.set("currentPassword", "beacon-demo-2026");
      form.set("newPassword", "a-brand-new-password");
      expect(await changePasswordAction(null, form)).toMatchObject({ ok: true });
    } finally {
      session = null;
    }
    // Every session from before is refused, the one that changed it included...
    expect(await requestsWith(other)).toEqual(REFUSED);
    // ...which the action replaced by signing in again with the new password.
    expect(signIns).toEqual([
      expect.objectContaining({ email: "billing@acme.test", password: "a-brand-new-password" }),
    ]);
    const { verifyCredentials } = await import("@/lib/auth/credentials");
    expect(
      await verifyCredentials(
        t.db,
        { email: "billing@acme.test", password: "a-brand-new-password" },
        "192.0.2.1",
      ),
    ).toMatchObject({ id: billing!.id });
  });

  it("ends every session of a member removed from one of their organizations", async () => {
    const [devops] = await t.db.select().from(users).where(eq(users.email, "devops@acme.test"));
    const globex = await ctxFor(t.db, "admin@globex.test");
    const { token } = await inviteMember({
      ctx: globex,
      input: { email: "devops@acme.test", role: "tech_devops" },
    });
    await acceptInvitation({ db: t.db, input: { token }, signedInUserId: devops!.id });
    const before = {
      user: { id: devops!.id },
      orgId: await orgId("acme"),
      epoch: (await currentSessionEpoch(t.db, devops!.id))!,
    };
    expect(await requestsWith(before)).toEqual(ACCEPTED);

    const [m] = await t.db
      .select()
      .from(memberships)
      .where(and(eq(memberships.userId, devops!.id), eq(memberships.orgId, globex.org.id)));
    await removeMember({ ctx: globex, input: { membershipId: m!.id } });
    // Refused in Acme too, where the membership remains: they sign in again.
    expect(await requestsWith(before)).toEqual(REFUSED);
    expect(
      await requestsWith({ ...before, epoch: (await currentSessionEpoch(t.db, devops!.id))! }),
    ).toEqual(ACCEPTED);
  });

  it("ends every session when the password is reset by the emailed link, which works once", async () => {
    const [admin] = await t.db.select().from(users).where(eq(users.email, "admin@globex.test"));
    const before = {
      user: { id: admin!.id },
      epoch: (await currentSessionEpoch(t.db, admin!.id))!,
    };
    expect(await requestsWith(before)).toEqual(ACCEPTED);
    const { send } = await requestPasswordReset(
      { db: t.db, input: { email: "admin@globex.test" }, clientAddress: "192.0.2.44" },
      { appUrl: "http://localhost:3000", emailConfigured: false, devMailbox: true, from: "b@x" },
    );
    await send();
    const [mail] = await t.db
      .select()
      .from(devMailbox)
      .where(eq(devMailbox.to, "admin@globex.test"));
    const token = /\/signin\/reset\/([\w-]+)/.exec(mail!.text)![1]!;

    vi.resetModules();
    signIns.length = 0;
    const { resetPasswordAction } = await import("@/app/signin/reset/[token]/actions");
    const form = new FormData();
    form.set("token", token);
    form.set("password", "reset-by-email-link");
    await expect(resetPasswordAction(null, form)).rejects.toThrow(/redirect to \/portal/);
    // The old session is refused everywhere; the person was signed in again with the new password.
    expect(await requestsWith(before)).toEqual(REFUSED);
    expect(signIns).toEqual([
      expect.objectContaining({ email: "admin@globex.test", password: "reset-by-email-link" }),
    ]);
    // The link is used up: a second use changes nothing.
    const again = new FormData();
    again.set("token", token);
    again.set("password", "someone-elses-password");
    expect(await resetPasswordAction(null, again)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^Reset link .* not found$/),
    });
    const epoch = (await currentSessionEpoch(t.db, admin!.id))!;
    expect(epoch).toBe(before.epoch + 1);
    expect(await requestsWith({ ...before, epoch })).toEqual(ACCEPTED);
  });
});
