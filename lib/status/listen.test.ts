import { afterAll, beforeAll, describe, expect, it } from "vitest";
import postgres from "postgres";
import { createTestDb, type TestDb } from "@/db/test-db";
import { startStatusListener } from "./listen";
import { snapshotGeneration } from "./snapshot";
import { statusChanged } from "./changes";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.close());

// LISTEN/NOTIFY only exists between processes on a PostgreSQL server (TEST_DATABASE_URL).
describe("status LISTEN/NOTIFY across instances", () => {
  it("drops this instance's snapshot when another instance announces a change, and announces its own", async (ctx) => {
    if (t.engine !== "postgres") ctx.skip();
    await startStatusListener(t);
    const other = postgres(t.url!, { max: 1, onnotice: () => {} });
    const heard: string[] = [];
    await other.listen("beacon_status", (p) => heard.push(p));
    try {
      const before = snapshotGeneration();
      await other.notify("beacon_status", "another-instance");
      await expect.poll(() => snapshotGeneration(), { timeout: 5_000 }).toBeGreaterThan(before);

      statusChanged();
      await expect.poll(() => heard.length, { timeout: 5_000 }).toBeGreaterThan(1);
      expect(heard.some((p) => p !== "another-instance")).toBe(true);
    } finally {
      await other.end({ timeout: 5 });
    }
  });
});

describe("status listener on PGlite", () => {
  it("has nothing to listen to and resolves at once", async (ctx) => {
    if (t.engine !== "pglite") ctx.skip();
    await expect(startStatusListener(t)).resolves.toBeUndefined();
  });
});
