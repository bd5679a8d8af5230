import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { and, eq } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import type { Db } from "@/db";
import { memberships, organizations, users } from "@/db/schema";
import { seedDemo } from "@/test/fixtures";
import { BRIEF_CTX_MS, loadUserCtxBriefly } from "./session-ctx";
import { bumpSessionEpoch } from "./session-epoch";

/**
 * The status page's membership look-up: read at most every BRIEF_CTX_MS, and during a database
 * outage the last answer stands (so a signed-in member keeps their page).
 */
let t: TestDb;
let down = false;
let touched = 0;
let wrapped: Db;
let userId: string;
let acmeId: string;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  wrapped = new Proxy(t.db, {
    get(target, prop, receiver) {
      touched++;
      if (down) {
        throw Object.assign(new Error("connect ECONNREFUSED 10.0.0.5:5432"), {
          code: "ECONNREFUSED",
        });
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
  const [user] = await t.db.select().from(users).where(eq(users.email, "devops@acme.test"));
  userId = user!.id;
  const [acme] = await t.db.select().from(organizations).where(eq(organizations.slug, "acme"));
  acmeId = acme!.id;
});
afterAll(async () => {
  vi.useRealTimers();
  down = false;
  await t.close();
});

describe("the status page's brief membership look-up", () => {
  it("reads the membership once per BRIEF_CTX_MS, then sees a changed role", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const first = await loadUserCtxBriefly(wrapped, userId, acmeId, { sessionEpoch: 0 });
    expect(first?.role).toBe("tech_devops");
    touched = 0;
    for (let i = 0; i < 10; i++)
      await loadUserCtxBriefly(wrapped, userId, acmeId, { sessionEpoch: 0 });
    expect(touched).toBe(0);

    await t.db
      .update(memberships)
      .set({ role: "support_manager" })
      .where(and(eq(memberships.userId, userId), eq(memberships.orgId, acmeId)));
    expect((await loadUserCtxBriefly(wrapped, userId, acmeId, { sessionEpoch: 0 }))?.role).toBe(
      "tech_devops",
    );
    vi.setSystemTime(Date.now() + BRIEF_CTX_MS + 1);
    expect((await loadUserCtxBriefly(wrapped, userId, acmeId, { sessionEpoch: 0 }))?.role).toBe(
      "support_manager",
    );
    vi.useRealTimers();
  });

  it("keeps the last answer while the database is down, and fails for someone never seen", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const before = await loadUserCtxBriefly(wrapped, userId, acmeId, { sessionEpoch: 0 });
    down = true;
    try {
      vi.setSystemTime(Date.now() + BRIEF_CTX_MS + 1);
      const during = await loadUserCtxBriefly(wrapped, userId, acmeId, { sessionEpoch: 0 });
      expect(during?.org.id).toBe(acmeId);
      expect(during?.role).toBe(before?.role);
      await expect(
        loadUserCtxBriefly(wrapped, userId, "another-org", { sessionEpoch: 0 }),
      ).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      down = false;
      vi.useRealTimers();
    }
  });

  it("refuses a session issued before the user's epoch moved, as the portal does", async () => {
    const [other] = await t.db.select().from(users).where(eq(users.email, "billing@acme.test"));
    expect(
      (await loadUserCtxBriefly(wrapped, other!.id, acmeId, { sessionEpoch: 0 }))?.org.id,
    ).toBe(acmeId);
    await bumpSessionEpoch(t.db, other!.id);
    // A fresh session (epoch 1) reads the membership; the old one (epoch 0) is refused once its
    // brief copy is older than BRIEF_CTX_MS.
    expect(
      (await loadUserCtxBriefly(wrapped, other!.id, acmeId, { sessionEpoch: 1 }))?.org.id,
    ).toBe(acmeId);
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + BRIEF_CTX_MS + 1);
      expect(await loadUserCtxBriefly(wrapped, other!.id, acmeId, { sessionEpoch: 0 })).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});
