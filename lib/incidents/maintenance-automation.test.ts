import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, asc, eq } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import {
  auditLog,
  cellStatusIntervals,
  components,
  maintenances,
  maintenanceSteps,
  maintenanceUpdates,
  notificationJobs,
  regions,
} from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import type { Ctx } from "@/lib/context";
import { ConflictError, ValidationError } from "@/lib/errors";
import { startEmbeddedDriver } from "@/lib/jobs/embedded-driver";
import { waitFor } from "@/test/wait";
import { scheduleMaintenance } from "./schedule-maintenance";
import { advanceMaintenance } from "./advance-maintenance";
import { cancelMaintenance, editMaintenance } from "./edit-maintenance";
import { runDueMaintenanceSteps } from "./run-maintenance-steps";

let t: TestDb;
let oncall: Ctx;
let api: string;
let voice: string;
let bom: string;

const MIN = 60_000;
const HOUR = 60 * MIN;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  oncall = await ctxFor(t.db, "oncall@beacon.test");
  const comps = await t.db.select().from(components);
  api = comps.find((c) => c.name === "API")!.id;
  voice = comps.find((c) => c.name === "Voice routing")!.id;
  const regs = await t.db.select().from(regions);
  bom = regs.find((r) => r.code === "BOM")!.id;
});
afterAll(() => t.close());

/** A window starting `startIn` after `now` (the injected clock), lasting `length`. */
async function schedule(
  now: Date,
  over: Record<string, unknown> = {},
  startIn = 2 * 24 * HOUR,
  length = 2 * HOUR,
  componentId = api,
) {
  const start = new Date(now.getTime() + startIn);
  const end = new Date(start.getTime() + length);
  const { maintenance } = await scheduleMaintenance({
    ctx: oncall,
    now,
    input: {
      title: "SIP proxy upgrade",
      message: "Upgrading the SIP proxies",
      scheduledFor: start.toISOString(),
      scheduledUntil: end.toISOString(),
      cells: [{ componentId, regionId: bom }],
      notify: true,
      ...over,
    },
  });
  ids.push(maintenance.id);
  return { m: maintenance, start, end };
}

const at = (d: Date, deltaMs = 0) => new Date(d.getTime() + deltaMs);
/**
 * Runs every due step at `now`; answers those of the windows given (the tests share a database,
 * and a run at a later instant also finishes windows earlier tests left behind).
 */
const ids: string[] = [];
const run = async (now: Date) =>
  (await runDueMaintenanceSteps(t.db, { now })).filter((r) => ids.includes(r.maintenanceId));

async function jobsOf(id: string) {
  const rows = await t.db.select().from(notificationJobs).orderBy(asc(notificationJobs.createdAt));
  return rows.filter((j) => j.payload.maintenanceId === id).map((j) => j.kind);
}
async function updatesOf(id: string) {
  return t.db
    .select()
    .from(maintenanceUpdates)
    .where(eq(maintenanceUpdates.maintenanceId, id))
    .orderBy(asc(maintenanceUpdates.createdAt));
}
async function load(id: string) {
  const [m] = await t.db.select().from(maintenances).where(eq(maintenances.id, id));
  return m!;
}

describe("maintenance that runs itself", () => {
  it("reminds 24 h and 1 h ahead, starts at the start and completes at the end, each once", async () => {
    // Far in the future, so no other test's run reaches these steps before this test's clock does.
    const now = new Date("2031-03-01T09:00:00Z");
    const { m, start, end } = await schedule(now);
    const steps = await t.db
      .select()
      .from(maintenanceSteps)
      .where(eq(maintenanceSteps.maintenanceId, m.id))
      .orderBy(asc(maintenanceSteps.dueAt));
    expect(steps.map((s) => [s.kind, s.dueAt.toISOString()])).toEqual([
      ["reminder", at(start, -24 * HOUR).toISOString()],
      ["reminder", at(start, -HOUR).toISOString()],
      ["start", start.toISOString()],
      ["complete", end.toISOString()],
    ]);
    expect(await jobsOf(m.id)).toEqual(["maintenance.scheduled"]);

    // A millisecond early, nothing happens.
    expect(await run(at(start, -24 * HOUR - 1))).toEqual([]);
    const first = await run(at(start, -24 * HOUR));
    expect(first.map((r) => r.outcome)).toEqual(["reminder sent (1440 minutes before the start)"]);
    // The same instant again, and later before the next step: nothing more.
    expect(await run(at(start, -24 * HOUR))).toEqual([]);
    expect(await run(at(start, -HOUR - 1))).toEqual([]);
    expect(await jobsOf(m.id)).toEqual(["maintenance.scheduled", "maintenance.reminder"]);

    await run(at(start, -HOUR));
    expect(await jobsOf(m.id)).toEqual([
      "maintenance.scheduled",
      "maintenance.reminder",
      "maintenance.reminder",
    ]);
    const reminders = (await t.db.select().from(notificationJobs)).filter(
      (j) => j.payload.maintenanceId === m.id && j.kind === "maintenance.reminder",
    );
    expect(reminders.map((j) => j.payload.message)).toEqual([
      expect.stringContaining("starts in 24 hours"),
      expect.stringContaining("starts in 1 hour,"),
    ]);
    // Reminders reach the window's audience (public here: subscribers and every tenant).
    expect(reminders[0]!.payload.audience).toEqual({ type: "public" });

    expect(await run(at(start, -1))).toEqual([]);
    expect((await load(m.id)).status).toBe("scheduled");

    await run(start);
    const started = await load(m.id);
    expect(started.status).toBe("in_progress");
    expect(started.startedAt!.toISOString()).toBe(start.toISOString());
    const open = await t.db
      .select()
      .from(cellStatusIntervals)
      .where(and(eq(cellStatusIntervals.componentId, api), eq(cellStatusIntervals.regionId, bom)));
    expect(open.filter((o) => !o.endedAt).map((o) => o.status)).toEqual(["under_maintenance"]);

    expect(await run(at(end, -1))).toEqual([]);
    await run(end);
    const done = await load(m.id);
    expect(done.status).toBe("completed");
    expect(done.completedAt!.toISOString()).toBe(end.toISOString());
    const after = await t.db
      .select()
      .from(cellStatusIntervals)
      .where(and(eq(cellStatusIntervals.componentId, api), eq(cellStatusIntervals.regionId, bom)));
    expect(after.filter((o) => !o.endedAt)).toEqual([]);

    // Each automatic step posted an update as the system, and notified.
    const updates = await updatesOf(m.id);
    expect(updates.map((u) => [u.status, u.authorType, u.notify])).toEqual([
      ["scheduled", "user", true],
      ["in_progress", "system", true],
      ["completed", "system", true],
    ]);
    expect(await jobsOf(m.id)).toEqual([
      "maintenance.scheduled",
      "maintenance.reminder",
      "maintenance.reminder",
      "maintenance.started",
      "maintenance.completed",
    ]);
    const audit = await t.db.select().from(auditLog).where(eq(auditLog.targetId, m.id));
    expect(audit.map((a) => a.action).sort()).toEqual([
      "maintenance.completed",
      "maintenance.in_progress",
      "maintenance.reminder_sent",
      "maintenance.reminder_sent",
      "maintenance.scheduled",
    ]);
    // Long after, nothing is left to do.
    expect(await run(at(end, 30 * 24 * HOUR))).toEqual([]);
  });

  it("a driver that was down catches up in order, and a reminder for a window already started is not sent", async () => {
    const now = new Date("2031-04-01T09:00:00Z");
    const { m, end } = await schedule(now);
    const results = await run(at(end, 5 * MIN));
    expect(results.map((r) => [r.kind, r.outcome])).toEqual([
      ["reminder", "skipped: the window has started"],
      ["reminder", "skipped: the window has started"],
      ["start", "moved to in_progress"],
      ["complete", "moved to completed"],
    ]);
    expect(await jobsOf(m.id)).toEqual([
      "maintenance.scheduled",
      "maintenance.started",
      "maintenance.completed",
    ]);
    const late = await schedule(new Date("2031-04-05T09:00:00Z"), {}, 2 * HOUR, HOUR);
    const r2 = await run(at(late.start, 1));
    expect(r2.map((r) => [r.kind, r.outcome])).toEqual([
      ["reminder", "skipped: the window has started"],
      ["start", "moved to in_progress"],
    ]);
    expect((await jobsOf(late.m.id)).filter((k) => k === "maintenance.reminder")).toEqual([]);
    expect((await load(m.id)).status).toBe("completed");
  });

  it("reminders already past when the window is scheduled are not planned; reminders are set per window", async () => {
    const now = new Date("2031-05-01T09:00:00Z");
    const soon = await schedule(now, {}, 30 * MIN, HOUR);
    const kinds = (
      await t.db
        .select()
        .from(maintenanceSteps)
        .where(eq(maintenanceSteps.maintenanceId, soon.m.id))
    ).map((s) => s.kind);
    expect(kinds.sort()).toEqual(["complete", "start"]);

    const custom = await schedule(now, { reminderMinutes: [15, 180, 15] }, 10 * HOUR, HOUR);
    expect(custom.m.reminderMinutes).toEqual([180, 15]);
    const due = (
      await t.db
        .select()
        .from(maintenanceSteps)
        .where(eq(maintenanceSteps.maintenanceId, custom.m.id))
        .orderBy(asc(maintenanceSteps.dueAt))
    ).map((s) => [s.kind, s.minutesBefore]);
    expect(due).toEqual([
      ["reminder", 180],
      ["reminder", 15],
      ["start", null],
      ["complete", null],
    ]);

    const err = await schedule(now, { reminderMinutes: [0] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues).toEqual([
      { field: "reminderMinutes.0", message: "must be at least 1 minute before the start" },
    ]);
  });

  it("does not move a window an operator already moved, and completes one the operator started", async () => {
    const now = new Date();
    const { m, start, end } = await schedule(now, {}, 3 * 24 * HOUR);
    await advanceMaintenance({
      ctx: oncall,
      input: { maintenanceId: m.id, status: "in_progress", message: "Started early", notify: true },
    });
    expect(await run(start)).toEqual([]);
    await run(end);
    expect((await load(m.id)).status).toBe("completed");
    const updates = await updatesOf(m.id);
    expect(updates.map((u) => [u.status, u.authorType])).toEqual([
      ["scheduled", "user"],
      ["in_progress", "user"],
      ["completed", "system"],
    ]);

    // Completed by hand before the end: the automatic end does nothing.
    const b = await schedule(now, {}, 4 * 24 * HOUR);
    await advanceMaintenance({
      ctx: oncall,
      input: { maintenanceId: b.m.id, status: "completed", message: "Done", notify: false },
    });
    expect(await run(b.end)).toEqual([]);
    expect((await updatesOf(b.m.id)).length).toBe(2);
  });

  it("automation off: reminders still go out, the window waits for an operator; notifyAutomatic off moves quietly", async () => {
    const now = new Date("2031-06-01T09:00:00Z");
    const manual = await schedule(now, { automatic: false }, 2 * HOUR, HOUR);
    await run(at(manual.start, -HOUR));
    await run(at(manual.end, 1));
    expect((await load(manual.m.id)).status).toBe("scheduled");
    expect(await jobsOf(manual.m.id)).toEqual(["maintenance.scheduled", "maintenance.reminder"]);

    const quiet = await schedule(
      new Date("2031-06-10T09:00:00Z"),
      { notifyAutomatic: false, reminderMinutes: [] },
      2 * HOUR,
      HOUR,
    );
    await run(at(quiet.end, 1));
    expect((await load(quiet.m.id)).status).toBe("completed");
    expect(await jobsOf(quiet.m.id)).toEqual(["maintenance.scheduled"]);
    expect((await updatesOf(quiet.m.id)).map((u) => u.notify)).toEqual([true, false, false]);
  });

  it("editing the window plans its steps again, tells subscribers, and never repeats a reminder", async () => {
    const now = new Date("2031-07-01T09:00:00Z");
    const { m, start } = await schedule(now);
    await run(at(start, -24 * HOUR)); // the 24 h reminder for this start is sent
    // A title change keeps the start: the sent reminder is not planned again.
    await editMaintenance({
      ctx: oncall,
      now: at(start, -23 * HOUR),
      input: { maintenanceId: m.id, title: "SIP proxy upgrade (phase 1)" },
    });
    expect(await run(at(start, -2 * HOUR))).toEqual([]);
    expect((await jobsOf(m.id)).filter((k) => k !== "maintenance.scheduled")).toEqual([
      "maintenance.reminder",
    ]);

    // Moved a day later: its old start passes unnoticed; new reminders for the new start.
    const newStart = at(start, 48 * HOUR);
    const newEnd = at(newStart, 3 * HOUR);
    const edited = await editMaintenance({
      ctx: oncall,
      now: at(start, -2 * HOUR),
      input: {
        maintenanceId: m.id,
        scheduledFor: newStart.toISOString(),
        scheduledUntil: newEnd.toISOString(),
      },
    });
    expect(edited.update!.message).toContain("Rescheduled: now");
    expect(await jobsOf(m.id)).toContain("maintenance.rescheduled");
    expect(await run(at(start, 1))).toEqual([]);
    expect((await load(m.id)).status).toBe("scheduled");
    const res = [
      ...(await run(at(newStart, -24 * HOUR))),
      ...(await run(at(newStart, -HOUR))),
      ...(await run(newStart)),
      ...(await run(newEnd)),
    ];
    expect(res.map((r) => r.outcome)).toEqual([
      "reminder sent (1440 minutes before the start)",
      "reminder sent (60 minutes before the start)",
      "moved to in_progress",
      "moved to completed",
    ]);
    const done = await load(m.id);
    expect(done.startedAt!.toISOString()).toBe(newStart.toISOString());
    expect(done.title).toBe("SIP proxy upgrade (phase 1)");
    const audit = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, m.id), eq(auditLog.action, "maintenance.edited")));
    expect(audit).toHaveLength(2);
    expect(audit[1]!.data).toMatchObject({
      before: { scheduledFor: start.toISOString() },
      after: { scheduledFor: newStart.toISOString() },
    });
  });

  it("a window in progress can be extended (its end moves) but not given a new start", async () => {
    const now = new Date("2031-08-01T09:00:00Z");
    const { m, start, end } = await schedule(now, { reminderMinutes: [] }, HOUR, HOUR);
    await run(start);
    const err = await editMaintenance({
      ctx: oncall,
      now: at(start, MIN),
      input: { maintenanceId: m.id, scheduledFor: at(start, 10 * MIN).toISOString() },
    }).catch((e: unknown) => e);
    expect((err as ValidationError).issues).toEqual([
      { field: "scheduledFor", message: "cannot change: the maintenance has already started" },
    ]);
    const bad = await editMaintenance({
      ctx: oncall,
      now: at(start, MIN),
      input: { maintenanceId: m.id, scheduledUntil: at(start, -MIN).toISOString() },
    }).catch((e: unknown) => e);
    expect((bad as ValidationError).issues).toEqual([
      { field: "scheduledUntil", message: "must be after the start of the window" },
    ]);
    await editMaintenance({
      ctx: oncall,
      now: at(start, MIN),
      input: { maintenanceId: m.id, scheduledUntil: at(end, HOUR).toISOString() },
    });
    expect(await run(end)).toEqual([]);
    expect((await load(m.id)).status).toBe("in_progress");
    await run(at(end, HOUR));
    expect((await load(m.id)).status).toBe("completed");
    const noop = await editMaintenance({
      ctx: oncall,
      input: { maintenanceId: m.id, title: "x" },
    }).catch((e: unknown) => e);
    expect(noop).toBeInstanceOf(ConflictError);
  });

  it("cancelling drops its reminders and automatic steps, closes it and tells subscribers", async () => {
    const now = new Date("2031-09-01T09:00:00Z");
    const { m, start, end } = await schedule(now, {}, 2 * 24 * HOUR, HOUR, voice);
    const res = await cancelMaintenance({
      ctx: oncall,
      now: at(now, MIN),
      input: { maintenanceId: m.id },
    });
    expect(res.maintenance).toMatchObject({ status: "completed" });
    expect(res.maintenance.cancelledAt).not.toBeNull();
    expect(res.update.message).toBe("This maintenance has been cancelled.");
    expect(await jobsOf(m.id)).toEqual(["maintenance.scheduled", "maintenance.cancelled"]);
    expect(await run(at(end, HOUR))).toEqual([]);
    expect(await run(start)).toEqual([]);
    expect(await jobsOf(m.id)).toEqual(["maintenance.scheduled", "maintenance.cancelled"]);
    const again = await cancelMaintenance({ ctx: oncall, input: { maintenanceId: m.id } }).catch(
      (e: unknown) => e,
    );
    expect(again).toBeInstanceOf(ConflictError);
    expect((again as Error).message).toBe("This maintenance is already cancelled");
    const edit = await editMaintenance({
      ctx: oncall,
      input: { maintenanceId: m.id, title: "again" },
    }).catch((e: unknown) => e);
    expect((edit as Error).message).toBe(
      "This maintenance was cancelled; schedule a new one instead",
    );

    // A window under way is completed, not cancelled.
    const b = await schedule(now, { reminderMinutes: [] }, HOUR, HOUR, voice);
    await run(b.start);
    const err = await cancelMaintenance({ ctx: oncall, input: { maintenanceId: b.m.id } }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toMatch(/in progress \(complete it instead\)/);
  });

  it("needs maintenance:write to edit or cancel, and another organization's window is not found", async () => {
    const acme = await ctxFor(t.db, "admin@acme.test");
    const { m } = await schedule(new Date("2031-10-01T09:00:00Z"));
    await expect(
      editMaintenance({ ctx: acme, input: { maintenanceId: m.id, title: "x" } }),
    ).rejects.toThrow(/maintenance:write/);
    await expect(cancelMaintenance({ ctx: acme, input: { maintenanceId: m.id } })).rejects.toThrow(
      /maintenance:write/,
    );
  });

  it("two drivers running the same due steps at once do each step once", async () => {
    const now = new Date("2031-11-01T09:00:00Z");
    const { m, start, end } = await schedule(now);
    const [a, b, c] = await Promise.all([
      run(at(start, -HOUR)),
      run(at(start, -HOUR)),
      run(at(start, -HOUR)),
    ]);
    const mine = (r: { maintenanceId: string }) => r.maintenanceId === m.id;
    expect([...a!, ...b!, ...c!].filter(mine).map((r) => r.kind)).toEqual(["reminder", "reminder"]);
    const [d, e] = await Promise.all([run(end), run(end)]);
    expect(
      [...d!, ...e!]
        .filter(mine)
        .map((r) => r.kind)
        .sort(),
    ).toEqual(["complete", "start"]);
    expect(await jobsOf(m.id)).toEqual([
      "maintenance.scheduled",
      "maintenance.reminder",
      "maintenance.reminder",
      "maintenance.started",
      "maintenance.completed",
    ]);
    expect((await updatesOf(m.id)).map((u) => u.status)).toEqual([
      "scheduled",
      "in_progress",
      "completed",
    ]);
  });

  it("the embedded driver runs due steps on its own, and one restarted between steps repeats none", async () => {
    // Real time: a window a moment ahead, driven by the embedded driver's own loop.
    const now = new Date();
    // The end leaves time to stop the first driver in between, however busy the machine.
    const { m } = await schedule(now, { reminderMinutes: [] }, 1500, 8000);
    const errors: unknown[] = [];
    const onError = (e: unknown) => errors.push(e);
    const first = startEmbeddedDriver(t.db, { pollIntervalMs: 100, onError });
    try {
      await waitFor(async () => (await load(m.id)).status !== "scheduled", {
        timeoutMs: 50_000,
      });
    } finally {
      await first.stop();
    }
    // A new process takes over (the first one is gone) and finishes the window.
    const second = startEmbeddedDriver(t.db, { pollIntervalMs: 100, onError });
    try {
      await waitFor(async () => (await load(m.id)).status === "completed", { timeoutMs: 50_000 });
    } finally {
      await second.stop();
    }
    expect(errors).toEqual([]);
    expect((await updatesOf(m.id)).map((u) => [u.status, u.authorType])).toEqual([
      ["scheduled", "user"],
      ["in_progress", "system"],
      ["completed", "system"],
    ]);
    expect(await jobsOf(m.id)).toEqual([
      "maintenance.scheduled",
      "maintenance.started",
      "maintenance.completed",
    ]);
  }, 120_000);
});
