import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { devMailbox, scheduledRuns } from "@/db/schema";
import { startEmbeddedDriver } from "@/lib/jobs/embedded-driver";
import { waitFor } from "@/test/wait";
import {
  claimRetentionRun,
  RETENTION_AGAIN_MS,
  RETENTION_EVERY_MS,
  RETENTION_FIRST_DELAY_MS,
  RETENTION_TASK,
  retentionIdle,
  runRetentionIfDue,
} from "./schedule";

let t: TestDb;
const DAY = 86_400_000;

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.close());
beforeEach(async () => {
  await t.db.delete(scheduledRuns).where(sql`true`);
  await t.db.delete(devMailbox).where(sql`true`);
});

const row = async () =>
  (await t.db.select().from(scheduledRuns).where(eq(scheduledRuns.name, RETENTION_TASK)))[0]!;
const due = (at: Date) =>
  t.db.update(scheduledRuns).set({ nextRunAt: at }).where(eq(scheduledRuns.name, RETENTION_TASK));
const oldMail = (n: number, now: Date) =>
  t.db.insert(devMailbox).values(
    Array.from({ length: n }, (_, i) => ({
      channel: "email" as const,
      to: "a@acme.test",
      from: "beacon@example.com",
      subject: `m${i}`,
      text: "",
      idempotencyKey: `schedule-${now.getTime()}-${i}`,
      createdAt: new Date(now.getTime() - 30 * DAY),
    })),
  );

describe("the retention schedule", () => {
  it("first runs a while after it is first seen, then one claimant per period", async () => {
    const now = new Date();
    expect(await claimRetentionRun(t.db, now)).toBe(false);
    expect((await row()).nextRunAt.getTime()).toBe(now.getTime() + RETENTION_FIRST_DELAY_MS);
    const later = new Date(now.getTime() + RETENTION_FIRST_DELAY_MS);
    // Several instances polling at once: exactly one gets the run.
    const claims = await Promise.all(
      Array.from({ length: 4 }, () => claimRetentionRun(t.db, later)),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await claimRetentionRun(t.db, later)).toBe(false);
  });

  it("prunes in the background, records the result and comes back in an hour, or a minute when rows are left", async () => {
    const now = new Date();
    await claimRetentionRun(t.db, now);
    await due(now);
    await oldMail(3, now);
    await runRetentionIfDue(t.db, { now, batch: 2, maxRounds: 1 });
    await retentionIdle(t.db);
    let r = await row();
    expect(r.lastResult).toMatchObject({ deleted: { devMailbox: 2 }, more: true });
    expect(r.nextRunAt.getTime()).toBe(now.getTime() + RETENTION_AGAIN_MS);
    expect(await t.db.select().from(devMailbox)).toHaveLength(1);

    const next = new Date(now.getTime() + RETENTION_AGAIN_MS);
    await runRetentionIfDue(t.db, { now: next, batch: 2, maxRounds: 1 });
    await retentionIdle(t.db);
    r = await row();
    expect(r.lastResult).toMatchObject({ deleted: { devMailbox: 1 }, more: false });
    expect(r.nextRunAt.getTime()).toBe(next.getTime() + RETENTION_EVERY_MS);
    expect(await t.db.select().from(devMailbox)).toHaveLength(0);

    // Not due: nothing runs.
    await oldMail(1, next);
    await runRetentionIfDue(t.db, { now: new Date(next.getTime() + 60_000) });
    await retentionIdle(t.db);
    expect(await t.db.select().from(devMailbox)).toHaveLength(1);
  });

  it("reports a failed run and tries again a minute later", async () => {
    const now = new Date();
    await claimRetentionRun(t.db, now);
    await due(now);
    await oldMail(1, now);
    const errors: unknown[] = [];
    // A negative LIMIT makes the database refuse the first batch.
    await runRetentionIfDue(t.db, { now, batch: -1, onError: (e) => errors.push(e) });
    await retentionIdle(t.db);
    expect(errors).toHaveLength(1);
    const r = await row();
    expect(r.lastResult).toMatchObject({ error: expect.stringMatching(/LIMIT/i) });
    expect(r.nextRunAt.getTime()).toBe(now.getTime() + RETENTION_AGAIN_MS);
  });

  it("is run by the embedded job driver's sweep", async () => {
    const now = new Date();
    await claimRetentionRun(t.db, now);
    await due(new Date(now.getTime() - 1000));
    await oldMail(2, now);
    const driver = startEmbeddedDriver(t.db, { pollIntervalMs: 60_000 });
    try {
      await waitFor(async () => (await t.db.select().from(devMailbox)).length === 0, {
        timeoutMs: 30_000,
      });
    } finally {
      await driver.stop();
      await retentionIdle(t.db);
    }
    expect((await row()).lastResult).toMatchObject({ deleted: { devMailbox: 2 }, more: false });
  }, 60_000);
});
