import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import { organizations } from "@/db/schema";
import { seedDemo } from "@/test/fixtures";
import { invalidateSnapshot, publicDocument, SNAPSHOT_MAX_AGE_MS } from "./snapshot";
import { statusChanged } from "./changes";

let t: TestDb;
const opts = { baseUrl: "https://status.example.test" };
const name = async () =>
  JSON.parse((await publicDocument(t.db, "status.json", opts))!.body.toString()).page.name;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  invalidateSnapshot();
});
afterAll(async () => {
  vi.useRealTimers();
  await t.close();
});

describe("public snapshot", () => {
  it("is dropped at once by a status change", async () => {
    const before = await name();
    await t.db
      .update(organizations)
      .set({ name: "Renamed once" })
      .where(eq(organizations.slug, "platform"));
    expect(await name()).toBe(before);
    statusChanged();
    expect(await name()).toBe("Renamed once");
  });

  it("past its age keeps serving the old document while one rebuild runs, then the new one", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    expect(await name()).toBe("Renamed once");
    await t.db
      .update(organizations)
      .set({ name: "Renamed twice" })
      .where(eq(organizations.slug, "platform"));
    vi.setSystemTime(Date.now() + SNAPSHOT_MAX_AGE_MS + 1_000);
    expect(await name()).toBe("Renamed once");
    await vi.waitFor(async () => expect(await name()).toBe("Renamed twice"), {
      timeout: 5_000,
      interval: 50,
    });
    vi.useRealTimers();
  });
});
