import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import {
  alertEndpoints,
  cellStatusIntervals,
  componentRegions,
  components,
  deliveries,
  deliveryAttempts,
  devMailbox,
  inboxItems,
  incidents,
  invitations,
  maintenances,
  metricSamples,
  callRecords,
  notificationJobs,
  providerEvents,
  regions,
  users,
} from "@/db/schema";
import { loadStatusView } from "@/lib/status/read";
import { seedDemo } from "@/test/fixtures";
import { orgId } from "@/test/alerts";
import { pruneRetention, type RetentionSettings } from "./prune";

let t: TestDb;
let platform: string;
let acme: string;
let userId: string;
const now = new Date();
const DAY = 86_400_000;
const ago = (ms: number) => new Date(now.getTime() - ms);
const settings: RetentionSettings = {
  deliveriesDays: 90,
  notificationJobsDays: 30,
  metricSamplesDays: 30,
  callRecordsDays: 7,
  inboxDays: 90,
  devMailboxDays: 7,
  invitationsDays: 30,
};
/** Just past each cutoff (pruned) and exactly at it (kept: only rows older than it go). */
const older = (days: number) => ago(days * DAY + 1);
const atCutoff = (days: number) => ago(days * DAY);

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  platform = await orgId(t.db, "platform");
  acme = await orgId(t.db, "acme");
  const [u] = await t.db.select().from(users).where(eq(users.email, "admin@acme.test"));
  userId = u!.id;
});
afterAll(() => t.close());
beforeEach(async () => {
  for (const table of [
    inboxItems,
    deliveries,
    notificationJobs,
    incidents,
    maintenances,
    metricSamples,
    callRecords,
    devMailbox,
    invitations,
  ]) {
    await t.db.delete(table).where(sql`true`);
  }
});

let seq = 0;
async function delivery(over: Partial<typeof deliveries.$inferInsert> = {}) {
  const [d] = await t.db
    .insert(deliveries)
    .values({
      orgId: acme,
      channel: "email",
      recipientType: "member",
      destination: "admin@acme.test",
      idempotencyKey: `retention-${seq++}`,
      status: "delivered",
      ...over,
    })
    .returning();
  return d!;
}

async function job(over: Partial<typeof notificationJobs.$inferInsert> = {}) {
  const [j] = await t.db
    .insert(notificationJobs)
    .values({
      orgId: platform,
      kind: "incident.created",
      payload: {
        title: "Voice routing degraded",
        category: "infrastructure",
        impact: "major",
        audience: { type: "public" },
        componentIds: [],
        regionIds: [],
      },
      status: "planned",
      ...over,
    })
    .returning();
  return j!;
}

async function incident(status: "investigating" | "resolved", startedAt = ago(200 * DAY)) {
  const [i] = await t.db
    .insert(incidents)
    .values({
      orgId: platform,
      title: "Calls failing",
      category: "infrastructure",
      impact: "major",
      status,
      startedAt,
      resolvedAt: status === "resolved" ? ago(199 * DAY) : null,
    })
    .returning();
  return i!;
}

async function maintenance(status: "in_progress" | "completed") {
  const [m] = await t.db
    .insert(maintenances)
    .values({
      orgId: platform,
      title: "Core router upgrade",
      status,
      scheduledFor: ago(200 * DAY),
      scheduledUntil: ago(199 * DAY),
    })
    .returning();
  return m!;
}

const ids = async (table: typeof deliveries | typeof notificationJobs) =>
  (await t.db.select({ id: table.id }).from(table)).map((r) => r.id).sort();

describe("pruneRetention: deliveries", () => {
  it("deletes a finished delivery just older than the cutoff with its attempts and provider reports, keeps one at the cutoff", async () => {
    const old = await delivery({ createdAt: older(90), status: "failed" });
    const kept = await delivery({ createdAt: atCutoff(90) });
    for (const d of [old, kept]) {
      await t.db.insert(deliveryAttempts).values([
        { deliveryId: d.id, attempt: 1, startedAt: d.createdAt, durationMs: 5, error: "timeout" },
        { deliveryId: d.id, attempt: 2, startedAt: d.createdAt, durationMs: 5 },
      ]);
    }
    await t.db.insert(providerEvents).values({
      provider: "resend",
      eventKey: "evt-1",
      deliveryId: old.id,
      orgId: acme,
      type: "email.bounced",
      detail: "mailbox full",
    });

    const res = await pruneRetention(t.db, { now, settings });
    expect(res.deleted.deliveries).toBe(1);
    expect(res.more).toBe(false);
    expect(await ids(deliveries)).toEqual([kept.id]);
    const attempts = await t.db.select().from(deliveryAttempts);
    expect(attempts.map((a) => a.deliveryId)).toEqual([kept.id, kept.id]);
    expect(await t.db.select().from(providerEvents)).toEqual([]);
  });

  it("keeps, whatever their age, unfinished deliveries and those an open incident, a running maintenance, a digest or an inbox item needs", async () => {
    const old = older(400);
    const open = await incident("investigating");
    const resolved = await incident("resolved");
    const running = await maintenance("in_progress");
    const completed = await maintenance("completed");
    const maintenanceJob = (id: string) =>
      job({
        kind: "maintenance.started",
        createdAt: old,
        payload: {
          title: "Core router upgrade",
          category: "infrastructure",
          impact: "minor",
          audience: { type: "public" },
          componentIds: [],
          regionIds: [],
          maintenanceId: id,
        },
      });
    const runningJob = await maintenanceJob(running.id);
    const completedJob = await maintenanceJob(completed.id);
    const digest = await delivery({ createdAt: old, recipientType: "digest", status: "pending" });

    const keep = [
      await delivery({ createdAt: old, status: "pending" }),
      await delivery({ createdAt: old, status: "sending" }),
      await delivery({ createdAt: old, status: "held" }),
      await delivery({ createdAt: old, incidentId: open.id }),
      await delivery({ createdAt: old, jobId: runningJob.id }),
      await delivery({ createdAt: old, status: "digested", digestId: digest.id }),
      digest,
    ];
    const inApp = await delivery({ createdAt: older(90), channel: "in_app" });
    await t.db.insert(inboxItems).values({
      orgId: acme,
      userId,
      deliveryId: inApp.id,
      title: "Calls failing",
      body: "…",
      // The item's own period has not ended, so neither has its delivery's.
      createdAt: ago(89 * DAY),
    });
    keep.push(inApp);
    const prune = [
      await delivery({ createdAt: old, incidentId: resolved.id }),
      await delivery({ createdAt: old, jobId: completedJob.id }),
      await delivery({ createdAt: old, status: "suppressed" }),
      await delivery({ createdAt: old, status: "skipped" }),
      // Its digest is gone, so nothing reads it any more.
      await delivery({ createdAt: old, status: "digested", digestId: crypto.randomUUID() }),
    ];

    const res = await pruneRetention(t.db, { now, settings });
    expect(res.deleted.deliveries).toBe(prune.length);
    expect(await ids(deliveries)).toEqual(keep.map((d) => d.id).sort());
    expect(await t.db.select().from(inboxItems)).toHaveLength(1);
  });
});

describe("pruneRetention: what the activation checklist reads", () => {
  it("keeps a tenant's latest delivered test alert and each existing endpoint's, whatever their age", async () => {
    const [endpoint] = await t.db
      .insert(alertEndpoints)
      .values({ orgId: acme, type: "webhook", name: "ops", urlEncrypted: "x", urlHint: "ops.test" })
      .returning();
    const test = async (days: number, over: Partial<typeof deliveries.$inferInsert> = {}) => {
      const j = await job({ orgId: acme, kind: "alert.test", createdAt: older(days) });
      return delivery({ jobId: j.id, createdAt: older(days), ...over });
    };
    const toEndpoint = { channel: "webhook" as const, recipientType: "endpoint" as const };
    const endpointOlder = await test(400, { ...toEndpoint, recipientId: endpoint!.id });
    const endpointLatest = await test(300, { ...toEndpoint, recipientId: endpoint!.id });
    const goneEndpoint = await test(290, { ...toEndpoint, recipientId: crypto.randomUUID() });
    const memberOlder = await test(200);
    const memberLatest = await test(150);
    const failedLater = await test(100, { status: "failed" });

    await pruneRetention(t.db, { now, settings });
    const left = await ids(deliveries);
    expect(left).toEqual([endpointLatest.id, memberLatest.id].sort());
    for (const d of [endpointOlder, goneEndpoint, memberOlder, failedLater]) {
      expect(left).not.toContain(d.id);
    }
    await t.db.delete(alertEndpoints).where(eq(alertEndpoints.id, endpoint!.id));
  });
});

describe("pruneRetention: notification jobs", () => {
  it("deletes finished jobs older than the cutoff with no delivery left, keeps the others", async () => {
    const open = await incident("investigating");
    const pruned = [
      await job({ createdAt: older(30) }),
      await job({ createdAt: older(30), status: "failed" }),
    ];
    const withDelivery = await job({ createdAt: older(30) });
    await delivery({ jobId: withDelivery.id, createdAt: ago(10 * DAY) });
    const kept = [
      await job({ createdAt: atCutoff(30) }),
      await job({ createdAt: older(30), status: "pending" }),
      await job({ createdAt: older(30), status: "planning" }),
      await job({
        createdAt: older(30),
        payload: {
          title: "Calls failing",
          category: "infrastructure",
          impact: "major",
          audience: { type: "public" },
          componentIds: [],
          regionIds: [],
          incidentId: open.id,
        },
      }),
      withDelivery,
    ];
    const res = await pruneRetention(t.db, { now, settings });
    expect(res.deleted.notificationJobs).toBe(pruned.length);
    expect(await ids(notificationJobs)).toEqual(kept.map((j) => j.id).sort());
  });

  it("deletes a job in the same run as its last delivery", async () => {
    const j = await job({ createdAt: ago(100 * DAY) });
    await delivery({ jobId: j.id, createdAt: ago(100 * DAY) });
    const res = await pruneRetention(t.db, { now, settings });
    expect(res.deleted).toMatchObject({ deliveries: 1, notificationJobs: 1 });
    expect(await ids(notificationJobs)).toEqual([]);
  });
});

describe("pruneRetention: samples, inbox, dev mailbox, invitations", () => {
  it("deletes each just past its cutoff and keeps it at the cutoff", async () => {
    const sample = (metric: string, at: Date) => ({ orgId: acme, metric, value: 1, at });
    await t.db
      .insert(metricSamples)
      .values([
        sample("balance", older(30)),
        sample("balance", atCutoff(30)),
        sample("cps", ago(300 * DAY)),
        sample("cps", older(30)),
      ]);
    const item = (title: string, createdAt: Date) => ({
      orgId: acme,
      userId,
      title,
      body: "",
      createdAt,
    });
    await t.db
      .insert(inboxItems)
      .values([item("old", older(90)), item("kept", atCutoff(90)), item("new", now)]);
    const mail = (subject: string, createdAt: Date) => ({
      channel: "email" as const,
      to: "a@acme.test",
      from: "beacon@example.com",
      subject,
      text: "",
      idempotencyKey: subject,
      createdAt,
    });
    await t.db.insert(devMailbox).values([mail("old", older(7)), mail("kept", atCutoff(7))]);
    await t.db.insert(callRecords).values([
      { orgId: acme, at: older(7), answered: true, durationSeconds: 1 },
      { orgId: acme, at: atCutoff(7), answered: false },
    ]);
    const invite = (email: string, expiresAt: Date, acceptedAt: Date | null = null) => ({
      orgId: acme,
      email,
      role: "tech_devops" as const,
      tokenHash: email,
      expiresAt,
      acceptedAt,
    });
    await t.db
      .insert(invitations)
      .values([
        invite("expired-long-ago@acme.test", older(30)),
        invite("expired-recently@acme.test", atCutoff(30)),
        invite("accepted@acme.test", ago(400 * DAY), ago(401 * DAY)),
        invite("open@acme.test", ago(-DAY)),
      ]);

    const res = await pruneRetention(t.db, { now, settings });
    expect(res.deleted).toMatchObject({
      metricSamples: 2,
      callRecords: 1,
      inboxItems: 1,
      devMailbox: 1,
      invitations: 1,
    });
    const samples = await t.db.select().from(metricSamples);
    // Balance: the one at the cutoff. CPS: only old samples, and the latest stays for the rules.
    expect(samples.map((s) => [s.metric, s.at.getTime()]).sort()).toEqual([
      ["balance", atCutoff(30).getTime()],
      ["cps", older(30).getTime()],
    ]);
    expect((await t.db.select().from(inboxItems)).map((i) => i.title).sort()).toEqual([
      "kept",
      "new",
    ]);
    expect((await t.db.select().from(devMailbox)).map((m) => m.subject)).toEqual(["kept"]);
    expect((await t.db.select().from(invitations)).map((i) => i.email).sort()).toEqual([
      "accepted@acme.test",
      "expired-recently@acme.test",
      "open@acme.test",
    ]);
  });

  it("keeps everything of a kind whose period is 0", async () => {
    await delivery({ createdAt: ago(3000 * DAY) });
    await t.db.insert(devMailbox).values({
      channel: "email",
      to: "a@acme.test",
      from: "beacon@example.com",
      subject: "old",
      text: "",
      idempotencyKey: "forever",
      createdAt: ago(3000 * DAY),
    });
    const res = await pruneRetention(t.db, {
      now,
      settings: { ...settings, deliveriesDays: 0, devMailboxDays: 0 },
    });
    expect(res).toMatchObject({ deleted: { deliveries: 0, devMailbox: 0 }, more: false });
    expect(await t.db.select().from(deliveries)).toHaveLength(1);
    expect(await t.db.select().from(devMailbox)).toHaveLength(1);
  });
});

describe("pruneRetention: bounded batches", () => {
  it("stops after its rounds of small batches and leaves the rest for the next run", async () => {
    await t.db.insert(devMailbox).values(
      Array.from({ length: 7 }, (_, i) => ({
        channel: "email" as const,
        to: "a@acme.test",
        from: "beacon@example.com",
        subject: `m${i}`,
        text: "",
        idempotencyKey: `batch-${i}`,
        createdAt: ago(30 * DAY),
      })),
    );
    for (let i = 0; i < 5; i++) await delivery({ createdAt: ago(100 * DAY) });
    const first = await pruneRetention(t.db, { now, settings, batch: 2, maxRounds: 2 });
    expect(first).toMatchObject({ deleted: { devMailbox: 4, deliveries: 4 }, more: true });
    expect(await t.db.select().from(devMailbox)).toHaveLength(3);
    const second = await pruneRetention(t.db, { now, settings, batch: 2, maxRounds: 2 });
    expect(second).toMatchObject({ deleted: { devMailbox: 3, deliveries: 1 }, more: false });
    expect(await t.db.select().from(devMailbox)).toHaveLength(0);
  });

  it("starts no batch once its time budget is spent", async () => {
    await delivery({ createdAt: ago(100 * DAY) });
    const res = await pruneRetention(t.db, { now, settings, budgetMs: 0 });
    expect(res).toMatchObject({ deleted: { deliveries: 0 }, more: true });
    expect(await t.db.select().from(deliveries)).toHaveLength(1);
  });
});

describe("pruneRetention and the status page", () => {
  it("leaves the 90-day uptime and the incident history exactly as they were", async () => {
    // The uptime is computed from cell_status_intervals alone (lib/status/uptime.ts); incidents
    // and their updates make the history. Retention touches neither, even with every period at
    // its minimum and the deliveries of those incidents long gone.
    await t.db
      .update(components)
      .set({ createdAt: ago(120 * DAY) })
      .where(sql`true`);
    // Uptime counts a cell from when it was added to the catalog.
    await t.db
      .update(componentRegions)
      .set({ createdAt: ago(120 * DAY) })
      .where(sql`true`);
    const [component] = await t.db.select().from(components).limit(1);
    const [region] = await t.db.select().from(regions).limit(1);
    const resolved = await incident("resolved", ago(80 * DAY));
    await t.db.insert(cellStatusIntervals).values([
      {
        orgId: platform,
        componentId: component!.id,
        regionId: region!.id,
        status: "major_outage",
        startedAt: ago(80 * DAY),
        endedAt: ago(80 * DAY - 3 * 3_600_000),
      },
      {
        orgId: platform,
        componentId: component!.id,
        regionId: region!.id,
        status: "partial_outage",
        startedAt: ago(10 * DAY),
        endedAt: ago(9 * DAY),
      },
    ]);
    const j = await job({ createdAt: ago(80 * DAY) });
    await delivery({ createdAt: ago(80 * DAY), incidentId: resolved.id, jobId: j.id });
    await delivery({ createdAt: ago(10 * DAY), incidentId: resolved.id, jobId: j.id });

    const view = async () => {
      const v = await loadStatusView(t.db, { viewerOrgId: null }, now);
      return v.components.map((c) => ({ id: c.id, uptime90: c.uptime90, days: c.days }));
    };
    const before = await view();
    expect(before.find((c) => c.id === component!.id)!.uptime90).toBeLessThan(1);
    const intervalsBefore = await t.db.select().from(cellStatusIntervals);

    const res = await pruneRetention(t.db, {
      now,
      settings: {
        deliveriesDays: 7,
        notificationJobsDays: 1,
        metricSamplesDays: 2,
        callRecordsDays: 2,
        inboxDays: 1,
        devMailboxDays: 1,
        invitationsDays: 1,
      },
    });
    expect(res.deleted).toMatchObject({ deliveries: 2, notificationJobs: 1 });
    expect(await view()).toEqual(before);
    expect(await t.db.select().from(cellStatusIntervals)).toEqual(intervalsBefore);
    expect((await t.db.select().from(incidents)).map((i) => i.id)).toEqual([resolved.id]);
  });
});
