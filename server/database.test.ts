import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { count } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import { openDatabase } from "@/db";
import { organizations } from "@/db/schema";
import { prepareDatabase } from "./database";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t?.close());

// Only PostgreSQL serves several processes; PGlite has one process per data directory by design.
describe.skipIf(!process.env.TEST_DATABASE_URL)("prepareDatabase on PostgreSQL", () => {
  it("lets several instances start at once on one empty database: one seeds, none fails", async () => {
    const handles = await Promise.all(
      [1, 2, 3].map(() => openDatabase({ engine: "postgres", url: t.url!, max: 2 })),
    );
    try {
      const results = await Promise.all(handles.map((h) => prepareDatabase(h, { demo: false })));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const [{ n }] = (await t.db.select({ n: count() }).from(organizations)) as [{ n: number }];
      expect(n).toBe(1);
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }
  });
});
