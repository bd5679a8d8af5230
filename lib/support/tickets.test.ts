import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import { auditLog, deliveries, incidents, organizations, ticketEvents, tickets } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import type { Ctx } from "@/lib/context";
import { ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { updateSupportSettings, updateSupportTier } from "./desk";
import { viewTenantDeliveriesForTicket } from "./support-view";
import {
  escalateToTier2,
  escalateToTier3,
  getTicket,
  listTickets,
  markUnsatisfactory,
  parseTicketRef,
  raiseTicket,
  replyToTicket,
  ticketRef,
  updateTicket,
} from "./tickets";

let t: TestDb;
let acme: Ctx;
let acmeDevops: Ctx;
let globex: Ctx;
let agent: Ctx;
let admin: Ctx;
let responder: Ctx;

// Wednesday 2026-12-02 10:00 IST; the default calendar is Mon–Fri 09:00–18:00 Asia/Kolkata.
const WED_10 = new Date("2026-12-02T04:30:00Z");
const H = 60 * 60 * 1000;

function fieldError(e: unknown): Record<string, string> {
  expect(e).toBeInstanceOf(ValidationError);
  return Object.fromEntries((e as ValidationError).issues.map((i) => [i.field, i.message]));
}

async function refusal(p: Promise<unknown>): Promise<Record<string, string>> {
  try {
    await p;
  } catch (e) {
    return fieldError(e);
  }
  throw new Error("expected a refusal");
}

const raise = (ctx: Ctx, extra: Record<string, unknown> = {}, now = WED_10) =>
  raiseTicket({
    ctx,
    now,
    input: {
      subject: "SMS alerts not arriving",
      description: "Our billing admins got no SMS for the Mumbai outage.",
      severity: "high",
      ...extra,
    },
  });

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  acme = await ctxFor(t.db, "admin@acme.test");
  acmeDevops = await ctxFor(t.db, "devops@acme.test");
  globex = await ctxFor(t.db, "admin@globex.test");
  agent = await ctxFor(t.db, "support@beacon.test");
  admin = await ctxFor(t.db, "admin@beacon.test");
  responder = await ctxFor(t.db, "oncall@beacon.test");
});
afterAll(() => t.close());

describe("raising a ticket", () => {
  it("sets SLA targets in business hours and tells the support desk", async () => {
    const ticket = await raise(acme);
    expect(ticket.ref).toMatch(/^T1-2026-\d{6}$/);
    expect(ticket.tier).toBe(1);
    // High: acknowledge within 4 and resolve within 8 business hours.
    expect(ticket.acknowledgeDueAt).toEqual(new Date(WED_10.getTime() + 4 * H));
    // 8 h from Wednesday 10:00 = 8 h that day (until 18:00) → Thursday 09:00 IST + 0 → Wed 18:00.
    expect(ticket.resolveDueAt).toEqual(new Date("2026-12-02T12:30:00Z"));
    const notices = await t.db.select().from(deliveries).where(eq(deliveries.orgId, agent.org.id));
    const toAgent = notices.filter((d) => d.destination === "support@beacon.test");
    expect(toAgent.map((d) => d.channel).sort()).toEqual(["email", "in_app"]);
    const [audit] = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.orgId, acme.org.id), eq(auditLog.action, "ticket.raised")));
    expect(audit?.targetId).toBe(ticket.id);
  });

  it("names each bad field", async () => {
    const e = await refusal(
      raiseTicket({
        ctx: acme,
        input: {
          subject: " ",
          description: "x",
          severity: "urgent",
          observedTimeZone: "Mars/Olympus",
        },
      }),
    );
    expect(e.subject).toBe("is required");
    expect(e.severity).toMatch(/must be one of critical, high, medium, low/);
    expect(e.observedTimeZone).toMatch(/time zone/);
  });

  it("prefills incident, channel and time from a failed delivery of the tenant's own log", async () => {
    const [inc] = await t.db.select().from(incidents).limit(1);
    const [d] = await t.db
      .insert(deliveries)
      .values({
        orgId: acme.org.id,
        channel: "sms",
        recipientType: "member",
        destination: "+919800000001",
        idempotencyKey: `test-${Math.random()}`,
        status: "failed",
        incidentId: inc?.id ?? null,
        error: "provider refused",
      })
      .returning();
    const ticket = await raise(acme, { deliveryId: d!.id });
    expect(ticket.channels).toEqual(["sms"]);
    expect(ticket.incidentId).toBe(inc?.id ?? null);
    expect(ticket.observedAt).toEqual(d!.createdAt);
    // Another tenant cannot point a ticket at Acme's delivery.
    await expect(raise(globex, { deliveryId: d!.id })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("refuses an incident addressed to another tenant", async () => {
    const [inc] = await t.db
      .insert(incidents)
      .values({
        orgId: admin.org.id,
        title: "Globex-only billing issue",
        category: "billing",
        impact: "minor",
        status: "investigating",
        audienceOrgId: globex.org.id,
      })
      .returning();
    await expect(raise(acme, { incidentId: inc!.id })).rejects.toBeInstanceOf(NotFoundError);
    await expect(raise(globex, { incidentId: inc!.id })).resolves.toBeTruthy();
  });

  it("is only for tenants", async () => {
    await expect(raise(admin)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(raise(agent)).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe("isolation", () => {
  it("a tenant never sees another tenant's tickets, by list or by id", async () => {
    const mine = await raise(globex);
    const acmeList = await listTickets({ ctx: acme });
    expect(acmeList.some((x) => x.id === mine.id)).toBe(false);
    await expect(getTicket({ ctx: acme, input: { id: mine.id } })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      replyToTicket({ ctx: acme, input: { id: mine.id, body: "hello" } }),
    ).rejects.toBeInstanceOf(NotFoundError);
    // Platform support sees both tenants in one queue.
    const queue = await listTickets({ ctx: agent });
    expect(new Set(queue.map((x) => x.orgId))).toEqual(new Set([acme.org.id, globex.org.id]));
    // A responder does not work tickets.
    await expect(listTickets({ ctx: responder })).rejects.toBeInstanceOf(ForbiddenError);
  });

  it("internal notes stay with support", async () => {
    const ticket = await raise(acme);
    await replyToTicket({
      ctx: agent,
      input: { id: ticket.id, body: "Check their SMS provider", internal: true },
    });
    const tenantView = await getTicket({ ctx: acme, input: { id: ticket.id } });
    expect(tenantView.events.some((e) => e.body === "Check their SMS provider")).toBe(false);
    const supportView = await getTicket({ ctx: agent, input: { id: ticket.id } });
    expect(supportView.events.some((e) => e.body === "Check their SMS provider")).toBe(true);
    const e = await refusal(
      replyToTicket({ ctx: acme, input: { id: ticket.id, body: "x", internal: true } }),
    );
    expect(e.internal).toMatch(/only support/);
  });
});

describe("the queue", () => {
  it("puts breached tickets first and reports each clock", async () => {
    const fresh = await raise(acme, { severity: "low" }, new Date("2026-12-03T04:30:00Z"));
    const old = await raise(acme, { severity: "critical" }, new Date("2026-11-30T04:30:00Z"));
    const now = new Date("2026-12-03T05:00:00Z");
    const queue = await listTickets({ ctx: agent, now, input: { status: "open" } });
    const iOld = queue.findIndex((x) => x.id === old.id);
    const iFresh = queue.findIndex((x) => x.id === fresh.id);
    expect(queue[iOld]!.breached).toBe(true);
    expect(queue[iOld]!.acknowledge.state).toBe("breached");
    expect(queue[iFresh]!.acknowledge.state).toBe("running");
    expect(iOld).toBeLessThan(iFresh);
    expect(queue.findIndex((x) => !x.breached)).toBeGreaterThan(
      queue.findLastIndex((x) => x.breached),
    );
  });
});

describe("working a ticket", () => {
  it("support's reply acknowledges it, assignment and status are audited in the tenant's log", async () => {
    const ticket = await raise(acme);
    const at = new Date(WED_10.getTime() + H);
    await replyToTicket({
      ctx: agent,
      now: at,
      input: { id: ticket.id, body: "Looking into it." },
    });
    let view = await getTicket({ ctx: acme, now: at, input: { id: ticket.id } });
    expect(view.status).toBe("acknowledged");
    expect(view.acknowledge.state).toBe("met");
    await updateTicket({
      ctx: agent,
      input: { id: ticket.id, assigneeId: agent.actor.id, status: "waiting_on_customer" },
    });
    await replyToTicket({ ctx: acmeDevops, input: { id: ticket.id, body: "Here are the logs" } });
    view = await getTicket({ ctx: agent, input: { id: ticket.id } });
    expect(view.status).toBe("acknowledged");
    expect(view.assigneeName).toBe("Sunil Support");
    const e = await refusal(
      updateTicket({ ctx: agent, input: { id: ticket.id, assigneeId: responder.actor.id } }),
    );
    expect(e.assigneeId).toMatch(/platform support member/);
    await expect(
      updateTicket({ ctx: acme, input: { id: ticket.id, status: "resolved" } }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    const actions = (
      await t.db.select().from(auditLog).where(eq(auditLog.targetId, ticket.id))
    ).map((a) => `${a.orgId === acme.org.id ? "acme" : "other"}:${a.action}`);
    expect(actions).toEqual(expect.arrayContaining(["acme:ticket.replied", "acme:ticket.updated"]));
  });
});

describe("escalation to Tier 2", () => {
  it("is refused while Tier 1 is within its targets and has not answered", async () => {
    const ticket = await raise(acme);
    const e = await refusal(
      escalateToTier2({ ctx: acme, now: WED_10, input: { id: ticket.id, reason: "impatient" } }),
    );
    expect(e.reason).toMatch(/within its targets/);
    const u = await refusal(
      markUnsatisfactory({ ctx: acme, input: { id: ticket.id, reason: "no" } }),
    );
    expect(u.reason).toMatch(/support has not answered/);
  });

  it("is allowed once the acknowledgement target is missed", async () => {
    const ticket = await raise(acme);
    const late = new Date(ticket.acknowledgeDueAt.getTime() + 60_000);
    const t2 = await escalateToTier2({
      ctx: acme,
      now: late,
      input: { id: ticket.id, reason: "Nobody answered" },
    });
    expect(t2.ref).toMatch(/^T2-2026-\d{6}$/);
    expect(t2.parentId).toBe(ticket.id);
    const original = await getTicket({ ctx: acme, input: { id: ticket.id } });
    expect(original.escalatedTo?.ref).toBe(t2.ref);
    expect(original.events.map((e) => e.type)).toContain("escalated");
    // Only once.
    const again = await refusal(
      escalateToTier2({ ctx: acme, now: late, input: { id: ticket.id, reason: "again" } }),
    );
    expect(again.reason).toMatch(/Already escalated/);
  });

  it("is allowed after the tenant marks support's answer unsatisfactory, and reaches the Tier 2 contact", async () => {
    await updateSupportTier({
      ctx: admin,
      input: {
        tier: 2,
        name: "Level 1 Escalation",
        description: "Escalations",
        email: "escalation@beacon.test",
      },
    });
    const ticket = await raise(acme);
    const soon = new Date(WED_10.getTime() + 30_000);
    await replyToTicket({ ctx: agent, now: soon, input: { id: ticket.id, body: "Works for us." } });
    await markUnsatisfactory({
      ctx: acme,
      now: soon,
      input: { id: ticket.id, reason: "It still fails for Mumbai numbers" },
    });
    const t2 = await escalateToTier2({
      ctx: acme,
      now: new Date(WED_10.getTime() + 60_000),
      input: { id: ticket.id, reason: "Please look again" },
    });
    const contact = await t.db
      .select()
      .from(deliveries)
      .where(eq(deliveries.destination, "escalation@beacon.test"));
    expect(contact).toHaveLength(1);
    expect(contact[0]!.channel).toBe("email");
    const [row] = await t.db.select().from(tickets).where(eq(tickets.id, t2.id));
    expect(row!.description).toMatch(/You marked the answer unsatisfactory\. Please look again/);
  });
});

describe("the Tier 3 form", () => {
  async function tier2(ctx: Ctx) {
    const ticket = await raise(ctx);
    return escalateToTier2({
      ctx,
      now: new Date(ticket.acknowledgeDueAt.getTime() + 60_000),
      input: { id: ticket.id, reason: "late" },
    });
  }

  it("refuses each invalid ID with its reason", async () => {
    const t1 = await raise(acme);
    const own2 = await tier2(acme);
    const theirs = await tier2(globex);
    const tryId = (id: string, ctx = acme) =>
      refusal(
        escalateToTier3({ ctx, input: { tier2TicketId: id, reason: "Board-level issue" } }),
      ).then((e) => e.tier2TicketId);
    expect(await tryId("hello")).toMatch(/is not a ticket ID/);
    expect(await tryId("T2-2026-999999")).toMatch(/is not a Tier 2 ticket of your organization/);
    // Another tenant's real Tier 2 ID reads exactly as an unknown one.
    expect(await tryId(theirs.ref)).toBe(await tryId("T2-2026-999999"));
    expect(await tryId(t1.ref)).toMatch(/is a Tier 1 ticket/);
    // A Tier 1 number dressed up as a Tier 2 ID is unknown, not a hint.
    expect(await tryId(t1.ref.replace(/^T1/, "T2"))).toMatch(/is not a Tier 2 ticket/);
    await updateTicket({ ctx: agent, input: { id: own2.id, status: "resolved" } });
    expect(await tryId(own2.ref)).toMatch(/was resolved: mark its answer unsatisfactory/);
    await updateTicket({ ctx: agent, input: { id: own2.id, status: "closed" } });
    expect(await tryId(own2.ref)).toMatch(/is closed/);
  });

  it("accepts an open Tier 2 ID and alerts the platform admins on every channel", async () => {
    const own2 = await tier2(acme);
    const t3 = await escalateToTier3({
      ctx: acme,
      input: { tier2TicketId: ` ${own2.ref.toLowerCase()} `, reason: "Outage for a week" },
    });
    expect(t3.ref).toMatch(/^T3-/);
    expect(t3.severity).toBe("critical");
    const toAdmin = await t.db
      .select()
      .from(deliveries)
      .where(
        and(
          eq(deliveries.recipientId, admin.actor.id!),
          eq(
            deliveries.jobId,
            (
              await t.db
                .select()
                .from(deliveries)
                .where(eq(deliveries.destination, "admin@beacon.test"))
            ).at(-1)!.jobId!,
          ),
        ),
      );
    expect(toAdmin.map((d) => d.channel)).toEqual(expect.arrayContaining(["email", "in_app"]));
    const e = await refusal(
      escalateToTier3({ ctx: acme, input: { tier2TicketId: own2.ref, reason: "again" } }),
    );
    expect(e.tier2TicketId).toMatch(/already been escalated/);
    const events = await t.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, own2.id));
    expect(events.map((x) => x.type)).toContain("escalated");
  });

  it("accepts a resolved Tier 2 ticket the tenant marked unsatisfactory", async () => {
    const own2 = await tier2(acme);
    await updateTicket({ ctx: agent, input: { id: own2.id, status: "resolved" } });
    await markUnsatisfactory({ ctx: acme, input: { id: own2.id, reason: "Not fixed" } });
    await expect(
      escalateToTier3({ ctx: acme, input: { tier2TicketId: own2.ref, reason: "Still broken" } }),
    ).resolves.toMatchObject({ tier: 3 });
  });
});

describe("the read-only support view", () => {
  it("shows the tenant's delivery log for the ticket and is audited in the tenant's log", async () => {
    const ticket = await raise(acme);
    const view = await viewTenantDeliveriesForTicket({ ctx: agent, input: { id: ticket.id } });
    expect(view.ticket.orgId).toBe(acme.org.id);
    expect(view.deliveries.every((d) => d.orgId === acme.org.id)).toBe(true);
    const [audit] = await t.db
      .select()
      .from(auditLog)
      .where(
        and(eq(auditLog.orgId, acme.org.id), eq(auditLog.action, "support.viewed_deliveries")),
      );
    expect(audit?.actorId).toBe(agent.actor.id);
    expect(audit?.data).toMatchObject({
      ref: ticketRef({ ...ticket }),
      byOrganization: "platform",
    });
    await expect(
      viewTenantDeliveriesForTicket({ ctx: acme, input: { id: ticket.id } }),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe("settings", () => {
  it("validates the business calendar and moves new targets", async () => {
    const e = await refusal(
      updateSupportSettings({
        ctx: admin,
        input: {
          timeZone: "Nowhere/Land",
          days: [],
          opens: "18:00",
          closes: "09:00",
          holidays: ["25/12/2026"],
          targets: {},
        },
      }),
    );
    expect(e.timeZone).toMatch(/time zone/);
    expect(e.days).toMatch(/at least one/);
    expect(e["holidays.0"]).toMatch(/YYYY-MM-DD/);
    await expect(updateSupportSettings({ ctx: agent, input: {} })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await updateSupportSettings({
      ctx: admin,
      input: {
        timeZone: "UTC",
        days: [1, 2, 3, 4, 5, 6, 7],
        opens: "00:00",
        closes: "24:00",
        holidays: [],
        targets: {
          critical: { acknowledgeHours: 1, resolveHours: 2 },
          high: { acknowledgeHours: 1, resolveHours: 2 },
          medium: { acknowledgeHours: 1, resolveHours: 2 },
          low: { acknowledgeHours: 1, resolveHours: 2 },
        },
      },
    });
    const ticket = await raise(acme, {}, new Date("2026-12-05T10:00:00Z"));
    expect(ticket.acknowledgeDueAt).toEqual(new Date("2026-12-05T11:00:00Z"));
  });

  it("parses readable ids", () => {
    expect(parseTicketRef("t2-2026-000123")).toEqual({ tier: 2, year: 2026, number: 123 });
    expect(parseTicketRef("T4-2026-1")).toBeNull();
    expect(parseTicketRef(" T1-2026-7 ")).toEqual({ tier: 1, year: 2026, number: 7 });
  });

  it("keeps organizations apart in the schema too", async () => {
    const [o] = await t.db.select().from(organizations).where(eq(organizations.id, acme.org.id));
    expect(o?.kind).toBe("tenant");
  });
});
