import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import { auditLog, users } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { RateLimitedError, ValidationError } from "@/lib/errors";
import { currentSessionEpoch } from "@/lib/auth/session-epoch";
import { verifyPassword } from "@/lib/auth/password";
import { changeMyPassword, hasPassword, PASSWORD_CHANGE_LIMIT } from "./change-password";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
});
afterAll(async () => t?.close());

describe("changing one's own password", () => {
  it("checks the current password, names bad fields, and moves the session epoch", async () => {
    const ctx = await ctxFor(t.db, "devops@acme.test");
    const id = ctx.actor.id!;
    const before = await currentSessionEpoch(t.db, id);
    const short = await changeMyPassword({
      ctx,
      input: { currentPassword: "beacon-demo-2026", newPassword: "short" },
    }).catch((e: unknown) => e);
    expect((short as ValidationError).issues).toEqual([
      { field: "newPassword", message: "must be at least 10 characters" },
    ]);
    await expect(
      changeMyPassword({ ctx, input: { newPassword: "a-brand-new-password" } }),
    ).rejects.toThrowError(/currentPassword: is not your current password/);
    expect(await currentSessionEpoch(t.db, id)).toBe(before);

    await changeMyPassword({
      ctx,
      input: { currentPassword: "beacon-demo-2026", newPassword: "a-brand-new-password" },
    });
    expect(await currentSessionEpoch(t.db, id)).toBe(before! + 1);
    const [u] = await t.db.select().from(users).where(eq(users.id, id));
    expect(await verifyPassword(u!.passwordHash!, "a-brand-new-password")).toBe(true);
    const audit = await t.db.select().from(auditLog).where(eq(auditLog.targetId, id));
    expect(audit.map((a) => a.action)).toContain("user.password_changed");
  });

  it("lets someone who signs in by email link set a first password without a current one", async () => {
    const ctx = await ctxFor(t.db, "support@acme.test");
    await t.db.update(users).set({ passwordHash: null }).where(eq(users.id, ctx.actor.id!));
    expect(await hasPassword({ ctx })).toBe(false);
    await changeMyPassword({ ctx, input: { newPassword: "a-first-password" } });
    expect(await hasPassword({ ctx })).toBe(true);
  });

  it("limits wrong current passwords per account", async () => {
    const ctx = await ctxFor(t.db, "billing@acme.test");
    for (let i = 0; i < PASSWORD_CHANGE_LIMIT.max; i++) {
      await expect(
        changeMyPassword({
          ctx,
          input: { currentPassword: `wrong-${i}`, newPassword: "a-brand-new-password" },
        }),
      ).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(
      changeMyPassword({
        ctx,
        input: { currentPassword: "beacon-demo-2026", newPassword: "a-brand-new-password" },
      }),
    ).rejects.toBeInstanceOf(RateLimitedError);
  });
});
