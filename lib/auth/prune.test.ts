import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { passwordResetTokens, rateLimits, users, verificationTokens } from "@/db/schema";
import { pruneExpired } from "./prune";

let t: TestDb;
const now = new Date("2026-06-01T12:00:00.000Z");
const at = (ms: number) => new Date(now.getTime() + ms);

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.close());
beforeEach(async () => {
  await t.db.delete(verificationTokens).where(sql`true`);
  await t.db.delete(rateLimits).where(sql`true`);
});

const tokens = async () =>
  (await t.db.select().from(verificationTokens)).map((r) => r.token).sort();
const limitKeys = async () => (await t.db.select().from(rateLimits)).map((r) => r.key).sort();

describe("pruneExpired", () => {
  it("deletes tokens just past their expiry and ended rate-limit windows, keeps the rest", async () => {
    await t.db.insert(verificationTokens).values([
      { identifier: "a@acme.test", token: "old", expires: at(-86_400_000) },
      { identifier: "a@acme.test", token: "just-expired", expires: at(-1) },
      // Auth.js accepts a token until its expiry has passed.
      { identifier: "b@acme.test", token: "expires-now", expires: at(0) },
      { identifier: "b@acme.test", token: "valid", expires: at(1) },
    ]);
    await t.db.insert(rateLimits).values([
      { key: "ended-earlier", count: 3, resetAt: at(-60_000) },
      // `hit` starts a new window over a row whose resetAt is now.
      { key: "ends-now", count: 3, resetAt: at(0) },
      { key: "open", count: 3, resetAt: at(1) },
    ]);
    const res = await pruneExpired(t.db, { now });
    expect(res).toEqual({ verificationTokens: 2, rateLimits: 2, passwordResetTokens: 0 });
    expect(await tokens()).toEqual(["expires-now", "valid"]);
    expect(await limitKeys()).toEqual(["open"]);
    // Nothing left to do: a second run deletes nothing.
    expect(await pruneExpired(t.db, { now })).toEqual({
      verificationTokens: 0,
      rateLimits: 0,
      passwordResetTokens: 0,
    });
  });

  it("deletes in bounded batches, stopping at the cap and finishing on the next run", async () => {
    await t.db
      .insert(rateLimits)
      .values(
        Array.from({ length: 25 }, (_, i) => ({ key: `k${i}`, count: 1, resetAt: at(-1000) })),
      );
    await t.db.insert(rateLimits).values({ key: "open", count: 1, resetAt: at(60_000) });
    const first = await pruneExpired(t.db, { now, batch: 10, maxBatches: 2 });
    expect(first.rateLimits).toBe(20);
    expect(await limitKeys()).toHaveLength(6);
    const second = await pruneExpired(t.db, { now, batch: 10, maxBatches: 2 });
    expect(second.rateLimits).toBe(5);
    expect(await limitKeys()).toEqual(["open"]);
  });

  it("deletes password reset links once expired, used or not, and keeps the valid ones", async () => {
    const [user] = await t.db
      .insert(users)
      .values({ email: `prune-${Date.now()}@acme.test` })
      .returning();
    await t.db.insert(passwordResetTokens).values([
      { userId: user!.id, tokenHash: "old", expiresAt: at(-86_400_000) },
      { userId: user!.id, tokenHash: "used-and-expired", expiresAt: at(-1), usedAt: at(-5000) },
      // Refused from the moment it expires.
      { userId: user!.id, tokenHash: "expires-now", expiresAt: at(0) },
      { userId: user!.id, tokenHash: "used-valid", expiresAt: at(1), usedAt: at(-5000) },
      { userId: user!.id, tokenHash: "valid", expiresAt: at(60_000) },
    ]);
    expect((await pruneExpired(t.db, { now })).passwordResetTokens).toBe(3);
    const left = (await t.db.select().from(passwordResetTokens)).map((r) => r.tokenHash).sort();
    expect(left).toEqual(["used-valid", "valid"]);
  });
});
