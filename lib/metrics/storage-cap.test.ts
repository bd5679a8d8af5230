import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { asc, eq } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import { callRecords, metricSamples } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { loadEnv } from "@/lib/env";
import type { Ctx } from "@/lib/context";
import { recordSamples } from "./record-samples";
import { keepUnderCap, resetStorageEstimates } from "./storage-cap";

let t: TestDb;
let acme: Ctx;
let globex: Ctx;
beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  acme = await ctxFor(t.db, "admin@acme.test");
  globex = await ctxFor(t.db, "admin@globex.test");
});
afterAll(async () => t?.close());
beforeEach(async () => {
  resetStorageEstimates();
  for (const org of [acme.org.id, globex.org.id]) {
    await t.db.delete(metricSamples).where(eq(metricSamples.orgId, org));
    await t.db.delete(callRecords).where(eq(callRecords.orgId, org));
  }
});

const T0 = new Date("2026-04-01T00:00:00Z");
const iso = (minutes: number) => new Date(T0.getTime() + minutes * 60_000).toISOString();
const samplesOf = async (orgId: string) =>
  t.db
    .select({ metric: metricSamples.metric, at: metricSamples.at })
    .from(metricSamples)
    .where(eq(metricSamples.orgId, orgId))
    .orderBy(asc(metricSamples.at));

describe("the per-tenant cap on stored samples and calls", () => {
  it("keeps a tenant at the cap by deleting its oldest samples, never the latest of a metric", async () => {
    const cap = 10;
    const post = (ctx: Ctx, samples: { metric: string; value: number; at: string }[]) =>
      recordSamples({ ctx, input: { samples }, now: () => T0, maxRowsPerTenant: cap });
    // A rare metric with one old sample, and a busy one.
    await post(acme, [{ metric: "rare_cap", value: 1, at: iso(-500) }]);
    await post(
      acme,
      Array.from({ length: 8 }, (_, i) => ({ metric: "busy_cap", value: i, at: iso(-100 + i) })),
    );
    await post(globex, [{ metric: "busy_cap", value: 1, at: iso(-400) }]);
    expect(await samplesOf(acme.org.id)).toHaveLength(9);
    const res = await post(
      acme,
      Array.from({ length: 5 }, (_, i) => ({ metric: "busy_cap", value: i, at: iso(-10 + i) })),
    );
    expect(res.samples).toBe(5);
    const kept = await samplesOf(acme.org.id);
    expect(kept).toHaveLength(cap);
    // The rare metric's only sample stays; the 4 oldest busy ones went.
    expect(kept[0]).toEqual({ metric: "rare_cap", at: new Date(iso(-500)) });
    expect(kept.slice(1).map((k) => k.at.toISOString())).toEqual([
      ...[4, 5, 6, 7].map((i) => iso(-100 + i)),
      ...[0, 1, 2, 3, 4].map((i) => iso(-10 + i)),
    ]);
    // Another tenant's rows are neither counted nor deleted.
    expect(await samplesOf(globex.org.id)).toHaveLength(1);
  });

  it("keeps the newest call records within the cap, counted apart from samples", async () => {
    const cap = 10;
    const calls = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({ at: iso(from + i), answered: true }));
    await recordSamples({
      ctx: acme,
      input: { calls: calls(-60, 7), samples: [{ metric: "x_cap", value: 1, at: iso(-60) }] },
      now: () => T0,
      maxRowsPerTenant: cap,
    });
    await recordSamples({
      ctx: acme,
      input: { calls: calls(-20, 6) },
      now: () => T0,
      maxRowsPerTenant: cap,
    });
    const kept = await t.db
      .select({ at: callRecords.at })
      .from(callRecords)
      .where(eq(callRecords.orgId, acme.org.id))
      .orderBy(asc(callRecords.at));
    expect(kept.map((k) => k.at.toISOString())).toEqual([
      ...[3, 4, 5, 6].map((i) => iso(-60 + i)),
      ...[0, 1, 2, 3, 4, 5].map((i) => iso(-20 + i)),
    ]);
    expect(await samplesOf(acme.org.id)).toHaveLength(1);
  });

  it("counts again after a while, catching up with rows another instance stored", async () => {
    const cap = 100;
    const insert = (n: number, from: number) =>
      t.db.insert(callRecords).values(
        Array.from({ length: n }, (_, i) => ({
          orgId: acme.org.id,
          at: new Date(T0.getTime() + (from + i) * 1000),
          answered: false,
        })),
      );
    const room = (n: number, now: number) =>
      t.db.transaction((tx) =>
        keepUnderCap(tx, acme.org.id, { samples: 0, calls: n }, { maxRows: cap, now }),
      );
    await insert(50, 0);
    expect(await room(10, 0)).toEqual({ samples: 0, calls: 0 });
    await insert(10, 50);
    // "Another instance" stores 60 more: this process's estimate (60) does not know yet...
    await insert(60, 60);
    expect(await room(10, 1_000)).toEqual({ samples: 0, calls: 0 });
    // ...until it counts again (a minute on): 120 stored + 10 coming → 30 oldest go.
    expect(await room(10, 61_000)).toEqual({ samples: 0, calls: 30 });
    const n = await t.db.$count(callRecords, eq(callRecords.orgId, acme.org.id));
    expect(n).toBe(90);
  });

  it("is off at 0, and the setting refuses a cap below two full batches", async () => {
    expect(loadEnv({}).METRICS_MAX_ROWS_PER_TENANT).toBe(1_000_000);
    expect(loadEnv({ METRICS_MAX_ROWS_PER_TENANT: "0" }).METRICS_MAX_ROWS_PER_TENANT).toBe(0);
    expect(() => loadEnv({ METRICS_MAX_ROWS_PER_TENANT: "500" })).toThrowError(
      /METRICS_MAX_ROWS_PER_TENANT: must be 0 \(no cap\) or at least 10000/,
    );
    await recordSamples({
      ctx: acme,
      input: { calls: Array.from({ length: 30 }, () => ({ answered: true })) },
      now: () => T0,
      maxRowsPerTenant: 0,
    });
    expect(await t.db.$count(callRecords, eq(callRecords.orgId, acme.org.id))).toBe(30);
  });
});
