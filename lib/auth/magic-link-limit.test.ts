import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { MAGIC_LINK_LIMITS, magicLinkWait } from "./magic-link";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
}, 180_000);
afterAll(async () => t?.close());

describe("magic-link requests are rate limited", () => {
  it("per email address, the same for an unknown address as for an account", async () => {
    const now = new Date("2026-01-01T00:00:00Z");
    for (const email of ["alice@acme.example", "nobody@nowhere.example"]) {
      const waits: number[] = [];
      for (let i = 0; i <= MAGIC_LINK_LIMITS.email.max; i++) {
        waits.push(await magicLinkWait(t.db, { email, clientAddress: `198.51.100.${i}` }, now));
      }
      expect(waits.slice(0, -1).every((w) => w === 0)).toBe(true);
      expect(waits.at(-1)).toBe(MAGIC_LINK_LIMITS.email.windowMs / 1000);
    }
  });

  it("per client address, whatever email is asked for", async () => {
    const now = new Date("2026-01-02T00:00:00Z");
    const waits: number[] = [];
    for (let i = 0; i <= MAGIC_LINK_LIMITS.address.max; i++) {
      waits.push(
        await magicLinkWait(t.db, { email: `u${i}@x.example`, clientAddress: "203.0.113.5" }, now),
      );
    }
    expect(waits.slice(0, -1).every((w) => w === 0)).toBe(true);
    expect(waits.at(-1)).toBeGreaterThan(0);
  });
});
