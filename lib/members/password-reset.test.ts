import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, desc, eq } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import { auditLog, devMailbox, passwordResetTokens, users } from "@/db/schema";
import { seedDemo } from "@/test/fixtures";
import { DEMO_PASSWORD } from "@/server/seed";
import { verifyCredentials } from "@/lib/auth/credentials";
import { currentSessionEpoch } from "@/lib/auth/session-epoch";
import { loadUserCtx } from "@/lib/auth/session-ctx";
import { NotFoundError, RateLimitedError, ValidationError } from "@/lib/errors";
import { changeMyPassword } from "./change-password";
import {
  describePasswordReset,
  PASSWORD_RESET_ANSWER,
  PASSWORD_RESET_LIMITS,
  PasswordResetUnavailableError,
  requestPasswordReset,
  resetPassword,
  type ResetEmailDeps,
} from "./password-reset";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
});
afterAll(async () => t?.close());

const DEPS: ResetEmailDeps = {
  appUrl: "https://beacon.example.com",
  emailConfigured: false,
  devMailbox: true,
  from: "Beacon <alerts@beacon.localhost>",
};

let client = 0;
/** A fresh client address per call unless one is given, so the per-address limit stays out of the way. */
async function ask(email: string, opts: { from?: string; deps?: Partial<ResetEmailDeps> } = {}) {
  const r = await requestPasswordReset(
    { db: t.db, input: { email }, clientAddress: opts.from ?? `198.51.100.${++client}` },
    { ...DEPS, ...opts.deps },
  );
  await r.send();
  return r.message;
}

/** The reset links emailed to an address, newest first (from the dev mailbox). */
async function linksTo(email: string): Promise<string[]> {
  const rows = await t.db
    .select()
    .from(devMailbox)
    .where(and(eq(devMailbox.to, email), eq(devMailbox.subject, "Reset your Beacon password")))
    .orderBy(desc(devMailbox.createdAt));
  return rows.map((r) => {
    const m = /https:\/\/beacon\.example\.com\/signin\/reset\/([\w-]+)/.exec(r.text);
    if (!m) throw new Error(`no link in ${r.text}`);
    return m[1]!;
  });
}

async function userByEmail(email: string) {
  const [u] = await t.db.select().from(users).where(eq(users.email, email));
  return u!;
}

describe("forgot password", () => {
  it("answers the same whether or not the address has an account, and emails only an account", async () => {
    const known = await ask("Billing@Acme.test ");
    const unknown = await ask("nobody-here@acme.test");
    expect(known).toBe(PASSWORD_RESET_ANSWER);
    expect(unknown).toBe(PASSWORD_RESET_ANSWER);
    expect(await linksTo("nobody-here@acme.test")).toEqual([]);
    const [token] = await linksTo("billing@acme.test");
    expect(token).toBeTruthy();
    // Stored hashed: the token in the link is nowhere in the database.
    const rows = await t.db
      .select()
      .from(passwordResetTokens)
      .where(eq(passwordResetTokens.userId, (await userByEmail("billing@acme.test")).id));
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows[0]!.expiresAt.getTime() - rows[0]!.createdAt.getTime()).toBeLessThanOrEqual(
      60 * 60 * 1000 + 5000,
    );
    expect(await describePasswordReset(t.db, token!)).toEqual({ email: "billing@acme.test" });
  });

  it("answers before the account is looked up: nothing happens until the answer has gone", async () => {
    const user = await userByEmail("admin@acme.test");
    const tokensOf = async () =>
      (await t.db.select().from(passwordResetTokens).where(eq(passwordResetTokens.userId, user.id)))
        .length;
    const before = await tokensOf();
    const known = await requestPasswordReset(
      { db: t.db, input: { email: "admin@acme.test" }, clientAddress: "203.0.113.31" },
      DEPS,
    );
    const unknown = await requestPasswordReset(
      { db: t.db, input: { email: "no-account@acme.test" }, clientAddress: "203.0.113.31" },
      DEPS,
    );
    expect(known.message).toBe(unknown.message);
    expect(await tokensOf()).toBe(before);
    await known.send();
    await unknown.send();
    expect(await tokensOf()).toBe(before + 1);
  });

  it("names a bad address, and refuses plainly when no email can leave", async () => {
    const bad = await requestPasswordReset(
      { db: t.db, input: { email: "not an address" }, clientAddress: "203.0.113.9" },
      DEPS,
    ).catch((e: unknown) => e);
    expect((bad as ValidationError).issues).toEqual([
      { field: "email", message: "must be an email address" },
    ]);
    for (const email of ["admin@acme.test", "nobody-else@acme.test"]) {
      await expect(
        ask(email, { deps: { emailConfigured: false, devMailbox: false } }),
      ).rejects.toBeInstanceOf(PasswordResetUnavailableError);
    }
  });

  it("sets a new password once: the link is single use, and every session ends", async () => {
    const user = await userByEmail("support@acme.test");
    const epoch = (await currentSessionEpoch(t.db, user.id))!;
    expect(await loadUserCtx(t.db, user.id, undefined, { sessionEpoch: epoch })).not.toBeNull();
    await ask("support@acme.test");
    await ask("support@acme.test");
    const [newest, older] = await linksTo("support@acme.test");

    const short = await resetPassword({
      db: t.db,
      input: { token: newest, password: "short" },
    }).catch((e: unknown) => e);
    expect((short as ValidationError).issues).toEqual([
      { field: "password", message: "must be at least 10 characters" },
    ]);

    expect(
      await resetPassword({ db: t.db, input: { token: newest, password: "a-fresh-password-1" } }),
    ).toEqual({ userId: user.id, email: "support@acme.test" });
    // Every session issued before is refused...
    expect(await currentSessionEpoch(t.db, user.id)).toBe(epoch + 1);
    expect(await loadUserCtx(t.db, user.id, undefined, { sessionEpoch: epoch })).toBeNull();
    // ...the new password works and the old one does not...
    expect(
      await verifyCredentials(
        t.db,
        { email: "support@acme.test", password: "a-fresh-password-1" },
        "192.0.2.10",
      ),
    ).toMatchObject({ id: user.id });
    expect(
      await verifyCredentials(
        t.db,
        { email: "support@acme.test", password: DEMO_PASSWORD },
        "192.0.2.10",
      ),
    ).toBeNull();
    // ...and neither that link nor the older one works again.
    for (const token of [newest!, older!]) {
      await expect(describePasswordReset(t.db, token)).rejects.toBeInstanceOf(NotFoundError);
      await expect(
        resetPassword({ db: t.db, input: { token, password: "someone-elses-password" } }),
      ).rejects.toBeInstanceOf(NotFoundError);
    }
    expect(await currentSessionEpoch(t.db, user.id)).toBe(epoch + 1);
    const audit = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.actorId, user.id), eq(auditLog.action, "user.password_reset")));
    expect(audit).toHaveLength(1);
  });

  it("refuses a link past its hour, and one used up by a password change", async () => {
    await ask("devops@acme.test");
    const [token] = await linksTo("devops@acme.test");
    const later = new Date(Date.now() + 60 * 60 * 1000 + 1000);
    await expect(describePasswordReset(t.db, token!, later)).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      resetPassword({ db: t.db, input: { token, password: "too-late-password" } }, { now: later }),
    ).rejects.toBeInstanceOf(NotFoundError);
    // Still fine within the hour, until the owner changes the password on their profile.
    expect(await describePasswordReset(t.db, token!)).toEqual({ email: "devops@acme.test" });
    const user = await userByEmail("devops@acme.test");
    const ctx = (await loadUserCtx(t.db, user.id, undefined))!;
    await changeMyPassword({
      ctx,
      input: { currentPassword: DEMO_PASSWORD, newPassword: "changed-on-profile" },
    });
    await expect(describePasswordReset(t.db, token!)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("limits requests per address asked for, account or not, with the same refusal", async () => {
    for (const email of ["admin@globex.test", "ghost@globex.test"]) {
      for (let i = 0; i < PASSWORD_RESET_LIMITS.email.max; i++) {
        expect(await ask(email)).toBe(PASSWORD_RESET_ANSWER);
      }
      const refused = await ask(email).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(RateLimitedError);
      expect((refused as RateLimitedError).message).toBe(
        "Too many password reset emails asked for. Try again in an hour.",
      );
    }
    expect(await linksTo("admin@globex.test")).toHaveLength(PASSWORD_RESET_LIMITS.email.max);
  });

  it("limits requests per client address, whatever the addresses", async () => {
    const from = "203.0.113.77";
    for (let i = 0; i < PASSWORD_RESET_LIMITS.address.max; i++) {
      await ask(`spray-${i}@example.test`, { from });
    }
    await expect(ask("admin@acme.test", { from })).rejects.toBeInstanceOf(RateLimitedError);
    // Another client is not held back by it.
    expect(await ask("admin@acme.test")).toBe(PASSWORD_RESET_ANSWER);
  });
});
