import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { deliveries, deliveryAttempts, notificationJobs } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { orgId } from "@/test/alerts";
import type { Ctx } from "@/lib/context";
import { ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { openIncident } from "@/lib/incidents/open-incident";
import { postUpdate } from "@/lib/incidents/post-update";
import { getFanoutProgress, getIncidentDeliveryBreakdown, maskDestination } from "./fanout";
import { planJob } from "./plan";

let t: TestDb;
let responder: Ctx;
let platformAdmin: Ctx;
let acmeAdmin: Ctx;
let acme: string;
let globex: string;
let platform: string;
let incidentId: string;
let otherIncidentId: string;
let jobs: string[];

const at = (s: string) => new Date(`2026-12-01T${s}Z`);

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  responder = await ctxFor(t.db, "oncall@beacon.test");
  platformAdmin = await ctxFor(t.db, "admin@beacon.test");
  acmeAdmin = await ctxFor(t.db, "admin@acme.test");
  acme = await orgId(t.db, "acme");
  globex = await orgId(t.db, "globex");
  platform = await orgId(t.db, "platform");
  const input = {
    title: "SIP trunking degraded",
    category: "infrastructure",
    impact: "minor",
    message: "Registrations are slow",
    notify: false,
  };
  incidentId = (await openIncident({ ctx: responder, input })).incident.id;
  otherIncidentId = (await openIncident({ ctx: responder, input: { ...input, title: "Other" } }))
    .incident.id;

  // Two notifications about the incident (the opening and an update), and one about another.
  const job = async (incident: string, status: string, createdAt: Date) => {
    const [j] = await t.db
      .insert(notificationJobs)
      .values({
        orgId: platform,
        kind: "incident.updated",
        status: "planned",
        createdAt,
        payload: {
          title: "SIP trunking degraded",
          category: "infrastructure",
          impact: "minor",
          audience: { type: "public" },
          componentIds: [],
          regionIds: [],
          status,
          incidentId: incident,
        },
      })
      .returning();
    return j!.id;
  };
  jobs = [
    await job(incidentId, "investigating", at("10:00:00")),
    await job(incidentId, "identified", at("10:05:00")),
    await job(otherIncidentId, "investigating", at("10:06:00")),
  ];
  let n = 0;
  const d = (
    jobId: string,
    org: string,
    v: Partial<typeof deliveries.$inferInsert>,
  ): typeof deliveries.$inferInsert => ({
    jobId,
    orgId: org,
    channel: "email",
    recipientType: "member",
    destination: `person${++n}@example.test`,
    idempotencyKey: `fanout-test-${n}`,
    status: "delivered",
    incidentId: jobId === jobs[2] ? otherIncidentId : incidentId,
    ...v,
  });
  const [j1, j2, j3] = jobs as [string, string, string];
  const rows = await t.db
    .insert(deliveries)
    .values([
      // The opening: 3 delivered to Acme (2 email, 1 in-app), 1 failed to Globex by SMS.
      d(j1, acme, {}),
      d(j1, acme, {}),
      d(j1, acme, { channel: "in_app" }),
      d(j1, globex, {
        channel: "sms",
        destination: "+919812345678",
        status: "failed",
        attempts: 6,
        error: "carrier rejected the number",
        createdAt: at("10:00:01"),
      }),
      // The update: 1 delivered to Acme, 1 retrying to Globex's webhook, 1 suppressed, 1 to a
      // public subscriber, 1 only in the dev mailbox.
      d(j2, acme, {}),
      d(j2, globex, {
        channel: "webhook",
        recipientType: "endpoint",
        destination: "Globex hook (hooks.globex.test)",
        status: "pending",
        attempts: 2,
        runAt: at("10:07:30"),
        error: "HTTP 503",
      }),
      d(j2, acme, { status: "suppressed" }),
      d(j2, platform, { recipientType: "subscriber", destination: "reader@example.org" }),
      d(j2, acme, { providerId: "devmail:abc" }),
      // Another incident: not counted.
      d(j3, acme, { status: "failed", error: "elsewhere" }),
    ])
    .returning();
  const retrying = rows.find((r) => r.status === "pending")!;
  await t.db.insert(deliveryAttempts).values([
    { deliveryId: retrying.id, attempt: 1, startedAt: at("10:05:10"), durationMs: 20 },
    { deliveryId: retrying.id, attempt: 2, startedAt: at("10:06:30"), durationMs: 20 },
  ]);
  // A fresh database with the demo data: slow on a busy machine.
}, 300_000);
afterAll(() => t?.close());

describe("fan-out progress", () => {
  it("counts each notification of the incident on its own, and the next try of a retry", async () => {
    const p = await getFanoutProgress({ ctx: responder, input: { incidentId } });
    expect(p.updates.map((u) => u.status)).toEqual(["investigating", "identified"]);
    const [opening, update] = p.updates as [(typeof p.updates)[number], (typeof p.updates)[number]];
    expect(opening.total).toBe(4);
    expect(opening.counts).toMatchObject({ delivered: 3, failed: 1, retrying: 0, sending: 0 });
    expect(opening.nextRetryAt).toBeNull();
    expect(update.total).toBe(5);
    expect(update.counts).toMatchObject({
      delivered: 2,
      dev_mailbox: 1,
      retrying: 1,
      suppressed: 1,
      failed: 0,
    });
    expect(update.nextRetryAt).toBe(at("10:07:30").toISOString());
    expect(p.inFlight).toBe(true);
  });

  it("an organization sees only its own notifications' progress", async () => {
    const p = await getFanoutProgress({ ctx: acmeAdmin, input: { incidentId } });
    expect(p.updates).toEqual([]);
  });

  it("follows a new update as soon as it is posted, before it is planned", async () => {
    const { incident } = await openIncident({
      ctx: responder,
      input: {
        title: "Live one",
        category: "infrastructure",
        impact: "minor",
        message: "first",
        notify: true,
      },
    });
    const first = await getFanoutProgress({ ctx: responder, input: { incidentId: incident.id } });
    expect(first.updates).toHaveLength(1);
    expect(first.updates[0]!.planned).toBe(false);
    expect(first.inFlight).toBe(true);
    await planJob(t.db, first.updates[0]!.jobId);
    await postUpdate({
      ctx: responder,
      input: { incidentId: incident.id, status: "identified", message: "found", notify: true },
    });
    const second = await getFanoutProgress({ ctx: responder, input: { incidentId: incident.id } });
    expect(second.updates.map((u) => [u.status, u.planned])).toEqual([
      ["investigating", true],
      ["identified", false],
    ]);
    const planned = await t.db
      .select()
      .from(deliveries)
      .where(eq(deliveries.jobId, first.updates[0]!.jobId));
    expect(second.updates[0]!.total).toBe(planned.length);
  });

  it("names a malformed incident id", async () => {
    const e = await getFanoutProgress({ ctx: responder, input: { incidentId: "x" } }).catch(
      (e: unknown) => e,
    );
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).message).toMatch(/incidentId: must be an incident id/);
  });
});

describe("who was alerted (platform staff)", () => {
  it("counts by tenant, channel and outcome, with the failures and retries", async () => {
    for (const ctx of [responder, platformAdmin]) {
      const b = await getIncidentDeliveryBreakdown({ ctx, input: { incidentId } });
      expect(b.totals.total).toBe(9);
      const tenant = (name: string) => b.byTenant.find((x) => x.orgName === name);
      expect(tenant("Acme Telecom")).toMatchObject({ total: 6 });
      expect(tenant("Acme Telecom")!.counts).toMatchObject({
        delivered: 4,
        dev_mailbox: 1,
        suppressed: 1,
      });
      expect(tenant("Globex Communications")!.counts).toMatchObject({ failed: 1, retrying: 1 });
      expect(tenant("Public subscribers")).toMatchObject({ total: 1 });
      expect(b.byChannel.map((c) => [c.channel, c.total]).sort()).toEqual([
        ["email", 6],
        ["in_app", 1],
        ["sms", 1],
        ["webhook", 1],
      ]);
      expect(
        b.rows.find(
          (r) => r.orgName === "Acme Telecom" && r.channel === "email" && r.outcome === "delivered",
        )?.n,
      ).toBe(3);
      expect(b.problemCount).toBe(2);
      expect(b.problems.map((p) => [p.orgName, p.channel, p.outcome, p.error])).toEqual([
        ["Globex Communications", "webhook", "retrying", "HTTP 503"],
        ["Globex Communications", "sms", "failed", "carrier rejected the number"],
      ]);
      const [retry, failed] = b.problems as [
        (typeof b.problems)[number],
        (typeof b.problems)[number],
      ];
      expect(retry.at).toBe(at("10:06:30").toISOString());
      expect(retry.nextTryAt).toBe(at("10:07:30").toISOString());
      expect(failed.nextTryAt).toBeNull();
      expect(failed.at).toBe(at("10:00:01").toISOString());
      // Addresses only as much as support needs.
      expect(failed.destination).toBe("+•••5678");
      expect(JSON.stringify(b)).not.toContain("9812345678");
      expect(JSON.stringify(b)).not.toContain("person1@example.test");
      expect(JSON.stringify(b)).not.toContain("elsewhere");
    }
  });

  it("is refused to tenants, whatever their role", async () => {
    for (const email of ["admin@acme.test", "support@acme.test", "admin@globex.test"]) {
      const ctx = await ctxFor(t.db, email);
      await expect(
        getIncidentDeliveryBreakdown({ ctx, input: { incidentId } }),
      ).rejects.toBeInstanceOf(ForbiddenError);
    }
  });

  it("an unknown incident is not found; a malformed id names the field", async () => {
    await expect(
      getIncidentDeliveryBreakdown({
        ctx: responder,
        input: { incidentId: "00000000-0000-4000-8000-000000000000" },
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      getIncidentDeliveryBreakdown({ ctx: responder, input: { incidentId: "nope" } }),
    ).rejects.toThrow(/incidentId: must be an incident id/);
  });
});

describe("maskDestination", () => {
  it("keeps an email's first letter and domain, a phone's last four digits", () => {
    expect(maskDestination("email", "jane.doe@acme.test")).toBe("j•••@acme.test");
    expect(maskDestination("in_app", "ops@globex.test")).toBe("o•••@globex.test");
    expect(maskDestination("sms", "+1 (555) 123-4567")).toBe("+•••4567");
    expect(maskDestination("webhook", "Ops hook (hooks.acme.test)")).toBe(
      "Ops hook (hooks.acme.test)",
    );
  });
});
