import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { and, eq } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import { auditLog, incidents, notificationJobs } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { openIncident } from "@/lib/incidents/open-incident";
import { onJobsEnqueued } from "@/lib/alerts/outbox";
import { onStatusChanged } from "@/lib/status/changes";
import { recordAudit, SYSTEM_ACTOR } from "./audit";
import { afterCommit, withTransaction, type Ctx } from "./context";

let t: TestDb;
let oncall: Ctx;
const stops: (() => void)[] = [];

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  oncall = await ctxFor(t.db, "oncall@beacon.test");
});
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});
afterAll(async () => t?.close());

/** Counts the job driver's wake-ups and the status-change signals from now on. */
function listen() {
  const seen = { wakes: 0, statusChanges: 0 };
  stops.push(onJobsEnqueued(() => seen.wakes++));
  stops.push(onStatusChanged(() => seen.statusChanges++));
  return seen;
}

async function auditRows(action: string) {
  return t.db.select().from(auditLog).where(eq(auditLog.action, action));
}

const note = (tx: Parameters<typeof recordAudit>[0], action: string) =>
  recordAudit(tx, { actor: SYSTEM_ACTOR, org: oncall.org }, { action, targetType: "test" });

describe("withTransaction", () => {
  it("joins the transaction ctx.db already is, so an outer rollback undoes the inner writes", async () => {
    let inner: unknown;
    let outer: unknown;
    await expect(
      withTransaction(oncall, async (tx) => {
        outer = tx;
        await withTransaction({ ...oncall, db: tx }, async (tx2) => {
          inner = tx2;
          await note(tx2, "test.joined");
        });
        throw new Error("outer fails after the inner call");
      }),
    ).rejects.toThrow("outer fails");
    expect(inner).toBe(outer);
    expect(await auditRows("test.joined")).toEqual([]);
  });

  it("runs each effect once, after the commit, and not at all on rollback", async () => {
    const effect = vi.fn();
    const other = vi.fn();
    const result = await withTransaction({ db: t.db }, async (tx) => {
      afterCommit(tx, effect);
      afterCommit(tx, effect);
      await withTransaction({ db: tx }, async (tx2) => afterCommit(tx2, other));
      await note(tx, "test.committed");
      expect(effect).not.toHaveBeenCalled();
      expect(other).not.toHaveBeenCalled();
      return 42;
    });
    expect(result).toBe(42);
    expect(effect).toHaveBeenCalledTimes(1);
    expect(other).toHaveBeenCalledTimes(1);
    expect(await auditRows("test.committed")).toHaveLength(1);

    const never = vi.fn();
    await expect(
      withTransaction({ db: t.db }, async (tx) => {
        afterCommit(tx, never);
        await note(tx, "test.rolled_back");
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(never).not.toHaveBeenCalled();
    expect(await auditRows("test.rolled_back")).toEqual([]);
  });

  it("a failing effect is logged, and the others still run", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const after = vi.fn();
    await withTransaction({ db: t.db }, async (tx) => {
      afterCommit(tx, () => {
        throw new Error("listener broke");
      });
      afterCommit(tx, after);
    });
    expect(after).toHaveBeenCalledTimes(1);
    expect(error).toHaveBeenCalledWith("after-commit effect failed", expect.any(Error));
    error.mockRestore();
  });

  it("a verb called inside another verb's transaction has its effects run after the outer commit", async () => {
    const seen = listen();
    const input = {
      title: "Joined verb",
      category: "infrastructure",
      impact: "minor",
      message: "Checking",
      notify: true,
    };
    const opened = await withTransaction(oncall, async (tx) => {
      const r = await openIncident({ ctx: { ...oncall, db: tx }, input });
      // Committed by nobody yet: the driver and the status page have not been told.
      expect(seen).toEqual({ wakes: 0, statusChanges: 0 });
      return r;
    });
    expect(seen).toEqual({ wakes: 1, statusChanges: 1 });
    const jobs = await t.db
      .select()
      .from(notificationJobs)
      .where(
        and(
          eq(notificationJobs.orgId, oncall.org.id),
          eq(notificationJobs.kind, "incident.created"),
        ),
      );
    expect(jobs.some((j) => j.payload.title === "Joined verb")).toBe(true);
    expect(opened.incident.title).toBe("Joined verb");

    // The outer transaction fails after the inner verb: nothing is kept and nobody is told.
    await expect(
      withTransaction(oncall, async (tx) => {
        await openIncident({ ctx: { ...oncall, db: tx }, input: { ...input, title: "Undone" } });
        throw new Error("outer fails");
      }),
    ).rejects.toThrow("outer fails");
    expect(seen).toEqual({ wakes: 1, statusChanges: 1 });
    expect(await t.db.select().from(incidents).where(eq(incidents.title, "Undone"))).toEqual([]);
  });

  it("refuses a transaction it did not open, and afterCommit outside an open one", async () => {
    await expect(
      t.db.transaction((tx) => withTransaction({ db: tx }, async () => 1)),
    ).rejects.toThrow("did not open");
    await expect(t.db.transaction(async (tx) => afterCommit(tx, () => {}))).rejects.toThrow(
      "withTransaction",
    );
    // A transaction that has ended can no longer take effects.
    const ended = await withTransaction({ db: t.db }, async (tx) => tx);
    expect(() => afterCommit(ended, () => {})).toThrow("withTransaction");
  });
});

describe("recordAudit", () => {
  it("writes a system actor's row with no actor id, in the given organization", async () => {
    await withTransaction({ db: t.db }, (tx) =>
      recordAudit(
        tx,
        { actor: SYSTEM_ACTOR, org: { id: oncall.org.id } },
        { action: "test.system", targetType: "test", targetId: null, data: { why: "sweep" } },
      ),
    );
    const [row] = await auditRows("test.system");
    expect(row).toMatchObject({
      orgId: oncall.org.id,
      actorType: "system",
      actorId: null,
      targetType: "test",
      data: { why: "sweep" },
    });
  });

  it("writes a verb's actor from its ctx", async () => {
    await withTransaction(oncall, (tx) =>
      recordAudit(tx, oncall, { action: "test.user", targetType: "test" }),
    );
    const [row] = await auditRows("test.user");
    expect(row).toMatchObject({
      orgId: oncall.org.id,
      actorType: "user",
      actorId: oncall.actor.id,
      targetId: null,
      data: {},
    });
  });
});
