import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import {
  deliveries,
  escalationEvents,
  escalationPages,
  escalations,
  notificationJobs,
  thresholdRules,
  users,
} from "@/db/schema";
import { planJob } from "@/lib/alerts/plan";
import { openIncident } from "@/lib/incidents/open-incident";
import { postUpdate } from "@/lib/incidents/post-update";
import { createRule } from "@/lib/metrics/rules";
import { recordSamples } from "@/lib/metrics/record-samples";
import type { Ctx } from "@/lib/context";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { acknowledgeByToken, acknowledgeIncident, describeAckLink } from "./acknowledge";
import { ACK_LINK_TTL_MS, advanceEscalation, runDueEscalations } from "./engine";
import { createPolicy, deletePolicy, updatePolicy } from "./policies";
import { signAckToken, verifyAckToken } from "./token";

let t: TestDb;
let admin: Ctx; // platform admin
let acme: Ctx; // acme org admin
let oncallId: string;
let adminId: string;

const MIN = 60_000;
const at = (base: Date, ms: number) => new Date(base.getTime() + ms);

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  admin = await ctxFor(t.db, "admin@beacon.test");
  acme = await ctxFor(t.db, "admin@acme.test");
  const [o] = await t.db.select().from(users).where(eq(users.email, "oncall@beacon.test"));
  const [a] = await t.db.select().from(users).where(eq(users.email, "admin@beacon.test"));
  oncallId = o!.id;
  adminId = a!.id;
  await createPolicy({
    ctx: admin,
    input: {
      name: "Platform on-call",
      incidentMinImpact: "major",
      repeatCount: 0,
      tiers: [
        { userIds: [oncallId], timeoutMinutes: 5 },
        { userIds: [adminId], timeoutMinutes: 10 },
      ],
    },
  });
});
afterAll(async () => {
  await t.close();
});

async function open(impact: "minor" | "major" | "critical", title = `Outage ${Math.random()}`) {
  const { incident } = await openIncident({
    ctx: admin,
    input: { title, category: "infrastructure", impact, message: "Calls failing", notify: false },
  });
  return incident;
}
async function escalationOf(incidentId: string) {
  const [e] = await t.db.select().from(escalations).where(eq(escalations.incidentId, incidentId));
  return e!;
}
async function pagesOf(escalationId: string) {
  return t.db
    .select()
    .from(escalationPages)
    .where(eq(escalationPages.escalationId, escalationId))
    .orderBy(escalationPages.round, escalationPages.tier);
}
async function pageJobs(escalationId: string) {
  return t.db
    .select()
    .from(notificationJobs)
    .where(
      and(
        eq(notificationJobs.kind, "oncall.page"),
        sql`${notificationJobs.payload}->'data'->>'escalationId' = ${escalationId}`,
      ),
    );
}
function tokenOf(job: { payload: { ackUrl?: string } }) {
  return decodeURIComponent(job.payload.ackUrl!.split("token=")[1]!);
}

describe("escalation timing (the embedded driver's steps, with a controlled clock)", () => {
  it("pages tier 1 at once, tier 2 exactly when tier 1 times out, then gives up and tells the admins", async () => {
    const incident = await open("major");
    const e = await escalationOf(incident.id);
    expect(e.status).toBe("active");
    const t0 = e.nextAt!;
    expect(await runDueEscalations(t.db, { now: at(t0, -1) })).toBe(0);
    await runDueEscalations(t.db, { now: t0 });
    let pages = await pagesOf(e.id);
    expect(pages.map((p) => p.tier)).toEqual([1]);
    let jobs = await pageJobs(e.id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.payload.userIds).toEqual([oncallId]);

    // One millisecond before tier 1's 5 minutes are up: nothing.
    await runDueEscalations(t.db, { now: at(t0, 5 * MIN - 1) });
    expect(await pagesOf(e.id)).toHaveLength(1);
    // At 5 minutes: tier 2.
    await runDueEscalations(t.db, { now: at(t0, 5 * MIN) });
    pages = await pagesOf(e.id);
    expect(pages.map((p) => p.tier)).toEqual([1, 2]);
    expect(pages[1]!.pagedAt.getTime()).toBe(at(t0, 5 * MIN).getTime());
    jobs = await pageJobs(e.id);
    expect(jobs.map((j) => j.payload.userIds)).toContainEqual([adminId]);

    // Tier 2 has 10 minutes; then nobody is left: unacknowledged, and the platform admins told.
    await runDueEscalations(t.db, { now: at(t0, 15 * MIN - 1) });
    expect((await escalationOf(incident.id)).status).toBe("active");
    await runDueEscalations(t.db, { now: at(t0, 15 * MIN) });
    const ended = await escalationOf(incident.id);
    expect(ended.status).toBe("unacknowledged");
    expect(await pagesOf(e.id)).toHaveLength(2);
    const warnings = await t.db
      .select()
      .from(notificationJobs)
      .where(
        and(
          eq(notificationJobs.kind, "user.warning"),
          sql`${notificationJobs.payload}->'data'->>'escalationId' = ${e.id}`,
        ),
      );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.payload.userIds).toEqual([adminId]);
    expect(warnings[0]!.payload.title).toContain("Nobody acknowledged");
    const kinds = (
      await t.db
        .select()
        .from(escalationEvents)
        .where(eq(escalationEvents.escalationId, e.id))
        .orderBy(escalationEvents.createdAt)
    ).map((x) => x.kind);
    expect(kinds).toEqual(["started", "paged", "escalated", "unacknowledged"]);
  });

  it("repeats the tiers as many times as the repeat count says", async () => {
    const p = await createPolicy({
      ctx: admin,
      input: {
        name: "Repeating",
        incidentMinImpact: "critical",
        repeatCount: 1,
        tiers: [{ userIds: [oncallId], timeoutMinutes: 1 }],
      },
    });
    try {
      const incident = await open("critical");
      const e = (
        await t.db
          .select()
          .from(escalations)
          .where(and(eq(escalations.incidentId, incident.id), eq(escalations.policyId, p.id)))
      )[0]!;
      const t0 = e.nextAt!;
      await runDueEscalations(t.db, { now: t0 });
      await runDueEscalations(t.db, { now: at(t0, MIN) });
      const pages = await pagesOf(e.id);
      expect(pages.map((x) => [x.tier, x.round])).toEqual([
        [1, 1],
        [1, 2],
      ]);
      await runDueEscalations(t.db, { now: at(t0, 2 * MIN) });
      const [ended] = await t.db.select().from(escalations).where(eq(escalations.id, e.id));
      expect(ended!.status).toBe("unacknowledged");
    } finally {
      await deletePolicy({ ctx: admin, input: { policyId: p.id } });
    }
  });

  it("an incident below the policy's impact starts nothing", async () => {
    const incident = await open("minor");
    const rows = await t.db
      .select()
      .from(escalations)
      .where(eq(escalations.incidentId, incident.id));
    expect(rows).toHaveLength(0);
  });

  it("acknowledging from the link stops it: tier 2 is never paged", async () => {
    const incident = await open("major");
    const e = await escalationOf(incident.id);
    const t0 = e.nextAt!;
    await runDueEscalations(t.db, { now: t0 });
    const [job] = await pageJobs(e.id);
    const token = tokenOf(job!);
    expect(await describeAckLink(t.db, token, at(t0, MIN))).toMatchObject({
      tier: 1,
      used: false,
      expired: false,
    });
    const res = await acknowledgeByToken({ db: t.db, input: { token }, now: at(t0, 2 * MIN) });
    expect(res.acknowledged).toBe(1);
    await runDueEscalations(t.db, { now: at(t0, 60 * MIN) });
    expect(await pagesOf(e.id)).toHaveLength(1);
    const acked = await escalationOf(incident.id);
    expect(acked.status).toBe("acknowledged");
    expect(acked.acknowledgedBy).toContain("tier 1");
  });

  it("acknowledging from the console or the API stops it too", async () => {
    const incident = await open("major");
    const e = await escalationOf(incident.id);
    await runDueEscalations(t.db, { now: e.nextAt! });
    const oncall = await ctxFor(t.db, "oncall@beacon.test");
    await acknowledgeIncident({ ctx: oncall, input: { incidentId: incident.id } });
    expect((await escalationOf(incident.id)).acknowledgedBy).toBe(
      oncall.actor.type === "user" ? oncall.actor.name || oncall.actor.email : "",
    );
    await expect(
      acknowledgeIncident({ ctx: oncall, input: { incidentId: incident.id } }),
    ).rejects.toThrow(/already acknowledged/);
    // Another organization's member cannot see or acknowledge it.
    await expect(
      acknowledgeIncident({ ctx: acme, input: { incidentId: incident.id } }),
    ).rejects.toThrow(/permission|not found/);
  });

  it("resolving the incident stops everything", async () => {
    const incident = await open("major");
    const e = await escalationOf(incident.id);
    await runDueEscalations(t.db, { now: e.nextAt! });
    await postUpdate({
      ctx: admin,
      input: { incidentId: incident.id, status: "resolved", message: "Fixed", notify: false },
    });
    await runDueEscalations(t.db, { now: at(e.nextAt!, 60 * MIN) });
    expect(await pagesOf(e.id)).toHaveLength(1);
    expect((await escalationOf(incident.id)).status).toBe("stopped");
  });

  it("a step run twice (a restart, a replayed Inngest step, two processes) pages no one twice", async () => {
    const incident = await open("major");
    const e = await escalationOf(incident.id);
    const t0 = e.nextAt!;
    await Promise.all([
      runDueEscalations(t.db, { now: t0 }),
      runDueEscalations(t.db, { now: t0 }),
      advanceEscalation(t.db, e.id, { now: t0, expect: { tier: 0, round: 1 } }),
    ]);
    expect(await pagesOf(e.id)).toHaveLength(1);
    // A replay of the first step after tier 2 was paged changes nothing.
    await runDueEscalations(t.db, { now: at(t0, 5 * MIN) });
    await advanceEscalation(t.db, e.id, { now: at(t0, 6 * MIN), expect: { tier: 0, round: 1 } });
    await advanceEscalation(t.db, e.id, { now: at(t0, 6 * MIN), expect: { tier: 1, round: 1 } });
    expect((await pagesOf(e.id)).map((p) => p.tier)).toEqual([1, 2]);
    expect(await pageJobs(e.id)).toHaveLength(2);
  });
});

describe("the acknowledge link", () => {
  async function pagedToken() {
    const incident = await open("major");
    const e = await escalationOf(incident.id);
    await runDueEscalations(t.db, { now: e.nextAt! });
    const [job] = await pageJobs(e.id);
    return { token: tokenOf(job!), e, incident };
  }

  it("cannot be reused", async () => {
    const { token, e } = await pagedToken();
    await acknowledgeByToken({ db: t.db, input: { token }, now: at(e.nextAt!, 0) });
    await expect(
      acknowledgeByToken({ db: t.db, input: { token }, now: at(e.nextAt!, 1) }),
    ).rejects.toThrow(/already been used/);
  });

  it("cannot be altered or forged", async () => {
    const { token, e } = await pagedToken();
    const [nonce, exp, mac] = token.split(".") as [string, string, string];
    const later = String(Number(exp) + 3600);
    const flipped = mac.slice(0, -1) + (mac.endsWith("A") ? "B" : "A");
    for (const bad of [
      `${nonce}.${later}.${mac}`, // a later expiry
      `${nonce}.${exp}.${flipped}`, // another mac
      signAckToken("00000000-0000-4000-8000-000000000000", new Date(Number(exp) * 1000)).replace(
        /\.[^.]+$/,
        `.${mac}`,
      ), // another page's nonce
      "",
      "not-a-token",
    ])
      await expect(
        acknowledgeByToken({ db: t.db, input: { token: bad }, now: e.nextAt! }),
      ).rejects.toThrow(/Acknowledge link not found/);
    // A token we signed, but for no page, is no good either.
    const stray = signAckToken("00000000-0000-4000-8000-000000000000", at(e.nextAt!, MIN));
    expect(verifyAckToken(stray)).not.toBeNull();
    await expect(
      acknowledgeByToken({ db: t.db, input: { token: stray }, now: e.nextAt! }),
    ).rejects.toThrow(/not found/);
    expect((await escalationOf(e.incidentId!)).status).toBe("active");
  });

  it("cannot be used after it expires", async () => {
    const { token, e } = await pagedToken();
    await expect(
      acknowledgeByToken({ db: t.db, input: { token }, now: at(e.nextAt!, ACK_LINK_TTL_MS) }),
    ).rejects.toThrow(/expired/);
    // A second before it expires it would still have worked (checked without using it).
    expect(await describeAckLink(t.db, token, at(e.nextAt!, ACK_LINK_TTL_MS - 1000))).toMatchObject(
      {
        expired: false,
      },
    );
    await expect(
      acknowledgeByToken({ db: t.db, input: { token }, now: at(e.nextAt!, ACK_LINK_TTL_MS + 1) }),
    ).rejects.toThrow(/expired/);
    expect((await escalationOf(e.incidentId!)).status).toBe("active");
  });
});

describe("pages go through the alert pipeline", () => {
  it("plans in-app, email and SMS for each paged member, with the trace and the incident", async () => {
    const incident = await open("major");
    const e = await escalationOf(incident.id);
    await runDueEscalations(t.db, { now: e.nextAt! });
    const [job] = await pageJobs(e.id);
    await planJob(t.db, job!.id);
    const rows = await t.db.select().from(deliveries).where(eq(deliveries.jobId, job!.id));
    expect(rows.map((r) => r.channel).sort()).toEqual(["email", "in_app", "sms"]);
    expect(rows.every((r) => r.recipientId === oncallId && r.incidentId === incident.id)).toBe(
      true,
    );
    const email = rows.find((r) => r.channel === "email")!;
    expect(email.status).toBe("pending");
    expect(email.trace[0]!.detail).toBe("On-call page: Platform on-call, tier 1");
  });
});

describe("threshold rules and tenants' policies", () => {
  it("a firing rule that names the tenant's policy pages it; recovering stops it", async () => {
    const devops = await ctxFor(t.db, "devops@acme.test");
    const policy = await createPolicy({
      ctx: acme,
      input: { name: "Acme NOC", tiers: [{ roleGroups: ["tech_devops"], timeoutMinutes: 5 }] },
    });
    const rule = await createRule({
      ctx: acme,
      input: { name: "Low balance", metric: "balance", operator: "lt", threshold: 100 },
    });
    await t.db
      .update(thresholdRules)
      .set({ escalationPolicyId: policy.id })
      .where(eq(thresholdRules.id, rule.id));
    const now = new Date();
    await recordSamples({
      ctx: acme,
      input: { samples: [{ metric: "balance", value: 50, at: at(now, -2000).toISOString() }] },
    });
    const [e] = await t.db.select().from(escalations).where(eq(escalations.ruleId, rule.id));
    expect(e).toMatchObject({ status: "active", orgId: acme.org.id });
    await runDueEscalations(t.db, { now: e!.nextAt! });
    const [job] = await pageJobs(e!.id);
    expect(job!.orgId).toBe(acme.org.id);
    expect(job!.payload.userIds).toContain(devops.actor.id);
    await recordSamples({
      ctx: acme,
      input: { samples: [{ metric: "balance", value: 500, at: now.toISOString() }] },
    });
    const [after] = await t.db.select().from(escalations).where(eq(escalations.id, e!.id));
    expect(after!.status).toBe("stopped");
  });

  it("checks a policy's fields and targets", async () => {
    await expect(
      createPolicy({
        ctx: acme,
        input: {
          name: "x",
          incidentMinImpact: "major",
          tiers: [{ userIds: [oncallId], timeoutMinutes: 0 }],
        },
      }),
    ).rejects.toMatchObject({
      issues: [{ field: "tiers.0.timeoutMinutes", message: "must be at least 1 minute" }],
    });
    await expect(
      createPolicy({
        ctx: acme,
        input: {
          name: "x",
          incidentMinImpact: "major",
          tiers: [{ userIds: [oncallId], timeoutMinutes: 5 }],
        },
      }),
    ).rejects.toMatchObject({
      issues: [
        { field: "incidentMinImpact", message: expect.stringContaining("only the platform") },
        { field: "tiers.0.userIds", message: `${oncallId} is not a member of this organization` },
      ],
    });
    await expect(createPolicy({ ctx: acme, input: { name: "", tiers: [] } })).rejects.toMatchObject(
      {
        issues: expect.arrayContaining([
          { field: "name", message: "is required" },
          { field: "tiers", message: "must have at least one tier" },
        ]),
      },
    );
    await expect(
      createPolicy({ ctx: acme, input: { name: "x", tiers: [{ timeoutMinutes: 5 }] } }),
    ).rejects.toMatchObject({
      issues: [
        {
          field: "tiers.0.targets",
          message: "must name at least one member, role group or endpoint",
        },
      ],
    });
    const devops = await ctxFor(t.db, "devops@acme.test");
    await expect(createPolicy({ ctx: devops, input: { name: "x", tiers: [] } })).rejects.toThrow(
      /oncall:manage/,
    );
  });

  it("edits and deletes only the organization's own policies", async () => {
    const p = await createPolicy({
      ctx: admin,
      input: { name: "Temp", tiers: [{ roleGroups: ["responder"], timeoutMinutes: 3 }] },
    });
    await expect(
      updatePolicy({
        ctx: acme,
        input: {
          policyId: p.id,
          name: "Mine",
          tiers: [{ roleGroups: ["org_admin"], timeoutMinutes: 3 }],
        },
      }),
    ).rejects.toThrow(/Escalation policy not found/);
    await expect(deletePolicy({ ctx: acme, input: { policyId: p.id } })).rejects.toThrow(
      /not found/,
    );
    const u = await updatePolicy({
      ctx: admin,
      input: {
        policyId: p.id,
        name: "Temp 2",
        repeatCount: 2,
        tiers: [{ roleGroups: ["responder"], timeoutMinutes: 4 }],
      },
    });
    expect(u).toMatchObject({ name: "Temp 2", repeatCount: 2 });
    await deletePolicy({ ctx: admin, input: { policyId: p.id } });
  });
});
