import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import {
  auditLog,
  memberships,
  organizations,
  PLATFORM_SLUG,
  setupTokens,
  users,
} from "@/db/schema";
import { seedDatabase } from "@/server/seed";
import { verifyPassword } from "@/lib/auth/password";
import { loadUserCtx } from "@/lib/auth/session-ctx";
import { NotFoundError, ValidationError } from "@/lib/errors";
import {
  completeSetup,
  issueSetupToken,
  needsSetup,
  setupAnnouncement,
  setupTokenValid,
  SETUP_TOKEN_TTL_MS,
} from "./setup";

let t: TestDb;
beforeEach(async () => {
  t = await createTestDb();
  await seedDatabase(t.db, { demo: false });
});
afterEach(() => t?.close());

const admin = (n = 1) => ({
  email: `Owner${n}@Example.test`,
  name: `Owner ${n}`,
  password: "correct horse battery",
  pageName: "Example Status",
});

async function platformAdmins() {
  return t.db
    .select({ email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.role, "platform_admin"));
}

describe("first-run setup", () => {
  it("with the printed link, creates the first platform admin, names the status page and signs them in", async () => {
    expect(await needsSetup(t.db)).toBe(true);
    const token = await issueSetupToken(t.db);
    expect(token).toBeTruthy();
    expect(setupAnnouncement("https://status.example.test", token!)).toContain(
      `https://status.example.test/setup?token=${token}`,
    );
    expect(await setupTokenValid(t.db, token)).toBe(true);
    // Only the hash is stored.
    const stored = await t.db.select().from(setupTokens);
    expect(JSON.stringify(stored)).not.toContain(token);

    const done = await completeSetup({ db: t.db, input: { ...admin(), token }, via: "link" });
    expect(done.email).toBe("owner1@example.test");
    expect(await platformAdmins()).toEqual([{ email: "owner1@example.test" }]);
    const [platform] = await t.db
      .select()
      .from(organizations)
      .where(eq(organizations.slug, PLATFORM_SLUG));
    expect(platform!.name).toBe("Example Status");
    const [user] = await t.db.select().from(users).where(eq(users.id, done.userId));
    expect(await verifyPassword(user!.passwordHash!, "correct horse battery")).toBe(true);
    const ctx = await loadUserCtx(t.db, done.userId, undefined);
    expect(ctx?.role).toBe("platform_admin");
    expect(ctx?.permissions.has("organizations:manage")).toBe(true);
    const audit = await t.db.select().from(auditLog).where(eq(auditLog.action, "platform.setup"));
    expect(audit).toHaveLength(1);

    // Gone: no new link is printed, the old one is deleted, and /setup answers 404.
    expect(await needsSetup(t.db)).toBe(false);
    expect(await issueSetupToken(t.db)).toBeNull();
    expect(await setupTokenValid(t.db, token)).toBe(false);
    await expect(
      completeSetup({ db: t.db, input: { ...admin(2), token }, via: "link" }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      completeSetup({ db: t.db, input: admin(3), via: "terminal" }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(await platformAdmins()).toHaveLength(1);
  });

  it("refuses a missing, wrong or expired token, naming the field", async () => {
    const now = new Date();
    const token = await issueSetupToken(t.db, now);
    for (const bad of [undefined, "", "not-the-token-at-all"]) {
      const e = await completeSetup({
        db: t.db,
        input: { ...admin(), token: bad },
        via: "link",
      }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).issues[0]!.field).toBe("token");
    }
    const later = new Date(now.getTime() + SETUP_TOKEN_TTL_MS + 1000);
    expect(await setupTokenValid(t.db, token, later)).toBe(false);
    await expect(
      completeSetup({ db: t.db, input: { ...admin(), token }, via: "link", now: later }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await platformAdmins()).toEqual([]);
  });

  it("names each bad field", async () => {
    const token = await issueSetupToken(t.db);
    const e = (await completeSetup({
      db: t.db,
      input: { token, email: "nope", name: " ", password: "short", pageName: "" },
      via: "link",
    }).catch((x: unknown) => x)) as ValidationError;
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.issues.map((i) => i.field).sort()).toEqual(["email", "name", "pageName", "password"]);
  });

  it("every instance's printed link works (each start stores its own)", async () => {
    const first = await issueSetupToken(t.db);
    const second = await issueSetupToken(t.db);
    expect(first).not.toBe(second);
    expect(await setupTokenValid(t.db, first)).toBe(true);
    await completeSetup({ db: t.db, input: { ...admin(), token: first }, via: "link" });
    expect(await setupTokenValid(t.db, second)).toBe(false);
  });

  it("creates one admin when several setups race, by link and by terminal", async () => {
    const tokens = [await issueSetupToken(t.db), await issueSetupToken(t.db)];
    const attempts = await Promise.allSettled([
      completeSetup({ db: t.db, input: { ...admin(1), token: tokens[0] }, via: "link" }),
      completeSetup({ db: t.db, input: { ...admin(2), token: tokens[1] }, via: "link" }),
      completeSetup({ db: t.db, input: { ...admin(3), token: tokens[0] }, via: "link" }),
      completeSetup({ db: t.db, input: admin(4), via: "terminal" }),
      completeSetup({ db: t.db, input: admin(5), via: "terminal" }),
    ]);
    expect(attempts.filter((a) => a.status === "fulfilled")).toHaveLength(1);
    for (const a of attempts) {
      if (a.status === "rejected") expect(a.reason).toBeInstanceOf(NotFoundError);
    }
    expect(await platformAdmins()).toHaveLength(1);
    expect(await t.db.select().from(users)).toHaveLength(1);
  });

  it("is not offered on a database that already has a platform admin (the demo)", async () => {
    const demo = await createTestDb();
    try {
      await seedDatabase(demo.db, { demo: true });
      expect(await needsSetup(demo.db)).toBe(false);
      expect(await issueSetupToken(demo.db)).toBeNull();
    } finally {
      await demo.close();
    }
  });
});
