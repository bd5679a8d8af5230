import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import { organizations } from "@/db/schema";
import { seedDemo } from "@/test/fixtures";
import { PUBLIC_DOCUMENTS } from "./documents";
import {
  invalidateSnapshot,
  publicDocument,
  publicStatusView,
  SNAPSHOT_MAX_AGE_MS,
  warmSnapshot,
} from "./snapshot";
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

describe("public snapshot during a database outage", () => {
  /** A database that fails every query, as one that went away does. */
  const down = new Proxy(
    {},
    {
      get() {
        throw Object.assign(new Error("connect ECONNREFUSED 10.0.0.5:5432"), {
          code: "ECONNREFUSED",
        });
      },
    },
  ) as TestDb["db"];

  it("serves the last good copy of every public document, built at start-up, after a change", async () => {
    invalidateSnapshot();
    await warmSnapshot(t.db, opts.baseUrl);
    const good = new Map<string, string>();
    for (const doc of PUBLIC_DOCUMENTS) {
      good.set(doc, (await publicDocument(t.db, doc, opts))!.body.toString());
    }
    const view = await publicStatusView(t.db);

    // A status change drops the snapshot; the rebuild then fails: the last copies answer.
    statusChanged();
    for (const doc of PUBLIC_DOCUMENTS) {
      const served = await publicDocument(down, doc, opts);
      expect(served?.body.toString(), doc).toBe(good.get(doc));
    }
    expect(await publicStatusView(down)).toEqual(view);

    // Served again without waiting on the database each time, and rebuilt once it is back.
    expect((await publicDocument(down, "status.json", opts))?.body.toString()).toBe(
      good.get("status.json"),
    );
    await t.db
      .update(organizations)
      .set({ name: "Back after the outage" })
      .where(eq(organizations.slug, "platform"));
    statusChanged();
    expect(await name()).toBe("Back after the outage");
  });

  it("still fails for a document that was never built", async () => {
    await expect(
      publicDocument(down, "badge.svg", { ...opts, componentId: "never-built" }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});
