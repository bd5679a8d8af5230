import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { rowsOf } from "@/db/client";
import {
  alertEndpoints,
  alertRecipients,
  alertSettings,
  components,
  deliveries,
  memberships,
  users,
} from "@/db/schema";
import { seedDemo } from "@/test/fixtures";
import { enqueue, orgId } from "@/test/alerts";
import { encryptSecret } from "@/lib/crypto/secrets";
import { planJob } from ".";

let t: TestDb;
let acme: string;
let globex: string;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  acme = await orgId(t.db, "acme");
  globex = await orgId(t.db, "globex");
  // Phone numbers for everyone in acme, so SMS cells are visible.
  const ms = await t.db.select().from(memberships).where(eq(memberships.orgId, acme));
  for (const [i, m] of ms.entries())
    await t.db
      .update(users)
      .set({ phone: `+9198000000${i}0` })
      .where(eq(users.id, m.userId));
  // One org-wide Slack, Teams and webhook endpoint.
  for (const type of ["slack", "teams", "webhook"] as const) {
    await t.db.insert(alertEndpoints).values({
      orgId: acme,
      type,
      name: `${type} ops`,
      urlEncrypted: encryptSecret(`https://${type}.example.com/hook`),
      urlHint: `${type}.example.com`,
      secretEncrypted:
        type === "webhook" ? encryptSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") : null,
    });
  }
});
afterAll(() => t.close());

async function routes(jobId: string, org: string) {
  const rows = await t.db
    .select({ d: deliveries, email: users.email, role: memberships.role })
    .from(deliveries)
    .leftJoin(users, eq(users.id, deliveries.recipientId))
    .leftJoin(
      memberships,
      and(eq(memberships.userId, users.id), eq(memberships.orgId, deliveries.orgId)),
    )
    .where(and(eq(deliveries.jobId, jobId), eq(deliveries.orgId, org)));
  return rows
    .filter((r) => r.d.status !== "suppressed")
    .map((r) => `${r.role ?? r.d.recipientType}:${r.d.channel}`)
    .sort();
}

describe("routing: the seed's default table", () => {
  it("Infrastructure reaches Org Admins on email, SMS, Slack/Teams, webhook; Tech/DevOps and Support on email", async () => {
    const job = await enqueue(t.db, { category: "infrastructure", impact: "major" });
    const plan = await planJob(t.db, job.id);
    expect(plan.planned).toBe(true);
    expect(await routes(job.id, acme)).toEqual(
      [
        "org_admin:email",
        "org_admin:sms",
        "support_manager:email",
        "tech_devops:email",
        "endpoint:slack",
        "endpoint:teams",
        "endpoint:webhook",
      ].sort(),
    );
    // Another tenant with the same defaults gets its own deliveries (no endpoints, no phones).
    expect(await routes(job.id, globex)).toEqual(["org_admin:email"]);
  });

  it("Billing reaches Org Admins and Billing Admins; Billing Admin SMS only for low-balance alerts", async () => {
    const plain = await enqueue(t.db, { category: "billing", impact: "minor" });
    await planJob(t.db, plain.id);
    expect(await routes(plain.id, acme)).toEqual(
      ["billing_admin:email", "org_admin:email", "endpoint:slack", "endpoint:teams"].sort(),
    );
    const low = await enqueue(t.db, { category: "billing", impact: "minor", topic: "low_balance" });
    await planJob(t.db, low.id);
    expect(await routes(low.id, acme)).toEqual(
      [
        "billing_admin:email",
        "billing_admin:sms",
        "org_admin:email",
        "endpoint:slack",
        "endpoint:teams",
      ].sort(),
    );
  });

  it("Configurable: Org Admin email is opt-in (off); Tech/DevOps and Support by email; webhook via Org Admins and Tech/DevOps", async () => {
    const job = await enqueue(t.db, {
      category: "configurable",
      impact: "minor",
      audience: { type: "tenant", orgId: acme },
    });
    await planJob(t.db, job.id);
    expect(await routes(job.id, acme)).toEqual(
      [
        "support_manager:email",
        "tech_devops:email",
        "endpoint:slack",
        "endpoint:teams",
        "endpoint:webhook",
      ].sort(),
    );
    // A tenant-only notification reaches nobody in another tenant.
    expect(await routes(job.id, globex)).toEqual([]);
  });

  it("stores a routing trace, and a turned-off category suppresses with the reason", async () => {
    await t.db
      .update(alertSettings)
      .set({
        categories: { infrastructure: false, billing: true, configurable: true, maintenance: true },
      })
      .where(eq(alertSettings.orgId, globex));
    const job = await enqueue(t.db, { category: "infrastructure", impact: "critical" });
    await planJob(t.db, job.id);
    const [d] = await t.db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.jobId, job.id), eq(deliveries.orgId, globex)));
    expect(d!.status).toBe("suppressed");
    expect(d!.trace.map((s) => `${s.step}:${s.outcome}`)).toEqual([
      "rule:matched",
      "category:suppressed",
      "severity:pass",
      "filter:pass",
      "digest:pass",
      "quiet_hours:pass",
    ]);
    expect(d!.trace[1]!.detail).toMatch(/turned off/);
    expect(d!.trace[0]!.detail).toBe("Member of Org Admins: infrastructure → email");
    await t.db
      .update(alertSettings)
      .set({
        categories: { infrastructure: true, billing: true, configurable: true, maintenance: true },
      })
      .where(eq(alertSettings.orgId, globex));
  });

  it("planning the same job twice creates nothing new", async () => {
    const job = await enqueue(t.db, { category: "infrastructure", impact: "major" });
    const first = await planJob(t.db, job.id);
    const second = await planJob(t.db, job.id);
    expect(second.planned).toBe(false);
    expect(second.counts).toEqual(first.counts);
    const rows = await t.db.select().from(deliveries).where(eq(deliveries.jobId, job.id));
    expect(rows.length).toBe(Object.values(first.counts).reduce((a, b) => a + b, 0));
  });
});

describe("planning a large fan-out in parts", () => {
  /** A job's deliveries without what differs between two jobs (ids, the job id in the key). */
  async function planOf(jobId: string) {
    const rows = await t.db.select().from(deliveries).where(eq(deliveries.jobId, jobId));
    return rows
      .map((d) => ({
        key: d.idempotencyKey.slice(jobId.length),
        recipient: `${d.recipientType}:${d.recipientId}`,
        status: d.status,
        runAt: d.runAt.toISOString(),
        trace: d.trace,
      }))
      .sort((a, b) => a.key.localeCompare(b.key));
  }

  it("writes exactly what one statement writes, and a re-run after a crash halfway completes it", async () => {
    // An extra recipient with a member's address: one delivery for that address, whichever part.
    const [admin] = await t.db
      .select({ email: users.email })
      .from(users)
      .innerJoin(memberships, eq(memberships.userId, users.id))
      .where(and(eq(memberships.orgId, acme), eq(memberships.role, "org_admin")));
    const [extra] = await t.db
      .insert(alertRecipients)
      .values({
        orgId: acme,
        channel: "email",
        address: admin!.email.toUpperCase(),
        roleGroup: "tech_devops",
      })
      .returning();
    const at = new Date("2026-12-02T10:00:00Z");
    try {
      const whole = await enqueue(t.db, { category: "infrastructure", impact: "major" });
      await planJob(t.db, whole.id, { now: at, partRows: Infinity });

      const parted = await enqueue(t.db, { category: "infrastructure", impact: "major" });
      let parts = 0;
      await expect(
        planJob(t.db, parted.id, {
          now: at,
          partRows: 1,
          // The planner dies right after the first part that wrote anything.
          onPart: async () => {
            parts++;
            if ((await planOf(parted.id)).length > 0) throw new Error("the planner died");
          },
        }),
      ).rejects.toThrow("the planner died");
      const halfway = await planOf(parted.id);
      expect(halfway.length).toBeGreaterThan(0);
      expect(halfway.length).toBeLessThan((await planOf(whole.id)).length);

      parts = 0;
      const result = await planJob(t.db, parted.id, {
        now: at,
        partRows: 1,
        onPart: () => void parts++,
      });
      expect(result.planned).toBe(true);
      expect(parts).toBeGreaterThan(1);
      expect(await planOf(parted.id)).toEqual(await planOf(whole.id));
      const forAddress = (await planOf(parted.id)).filter((d) =>
        d.key.endsWith(`:email:${admin!.email.toLowerCase()}`),
      );
      expect(forAddress).toHaveLength(1);
    } finally {
      await t.db.delete(alertRecipients).where(eq(alertRecipients.id, extra!.id));
    }
  });

  it("a member whose address changes while the job is planned gets exactly one delivery per channel", async () => {
    const [admin] = await t.db
      .select({ id: users.id, email: users.email })
      .from(users)
      .innerJoin(memberships, eq(memberships.userId, users.id))
      .where(and(eq(memberships.orgId, acme), eq(memberships.role, "org_admin")));
    // Were parts split by address (16 parts here), the old and new addresses would fall on either
    // side of the first part, and the member would be planned twice or not at all.
    const partOf = async (address: string) =>
      Number(
        rowsOf<{ p: number }>(
          await t.db.execute(sql`select (hashtext(lower(${address})) & 2147483647) % 16 as p`),
        )[0]!.p,
      );
    const oldFirst = (await partOf(admin!.email)) === 0;
    let moved = "";
    for (let i = 0; !moved; i++) {
      const candidate = `moved-${i}@acme.test`;
      if (((await partOf(candidate)) === 0) !== oldFirst) moved = candidate;
    }
    const job = await enqueue(t.db, { category: "infrastructure", impact: "major" });
    let parts = 0;
    try {
      await planJob(t.db, job.id, {
        partRows: 1,
        onPart: async () => {
          // Between the first and second parts, the admin changes their address.
          if (++parts === 1)
            await t.db.update(users).set({ email: moved }).where(eq(users.id, admin!.id));
        },
      });
      expect(parts).toBeGreaterThan(1);
      const mine = await t.db
        .select()
        .from(deliveries)
        .where(and(eq(deliveries.jobId, job.id), eq(deliveries.recipientId, admin!.id)));
      const perChannel = new Map<string, number>();
      for (const d of mine) perChannel.set(d.channel, (perChannel.get(d.channel) ?? 0) + 1);
      expect(perChannel.get("email")).toBe(1);
      expect([...perChannel.values()].every((n) => n === 1)).toBe(true);
    } finally {
      await t.db.update(users).set({ email: admin!.email }).where(eq(users.id, admin!.id));
    }
  });
});

describe("routing: filters, severity, digest and quiet hours", () => {
  it("applies minimum severity and component filters with the reason in the trace", async () => {
    const [comp] = await t.db.select().from(components).where(eq(components.name, "SIP trunking"));
    await t.db
      .update(alertSettings)
      .set({ minImpact: "major", componentIds: [comp!.id] })
      .where(eq(alertSettings.orgId, globex));
    const minor = await enqueue(t.db, {
      category: "infrastructure",
      impact: "minor",
      componentIds: [comp!.id],
    });
    await planJob(t.db, minor.id);
    const [a] = await t.db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.jobId, minor.id), eq(deliveries.orgId, globex)));
    expect(a!.status).toBe("suppressed");
    expect(a!.trace.find((s) => s.step === "severity")!.outcome).toBe("suppressed");

    const other = await enqueue(t.db, {
      category: "infrastructure",
      impact: "critical",
      componentIds: ["00000000-0000-4000-8000-000000000001"],
    });
    await planJob(t.db, other.id);
    const [b] = await t.db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.jobId, other.id), eq(deliveries.orgId, globex)));
    expect(b!.status).toBe("suppressed");
    expect(b!.trace.find((s) => s.step === "filter")!.outcome).toBe("suppressed");

    const match = await enqueue(t.db, {
      category: "infrastructure",
      impact: "major",
      componentIds: [comp!.id],
    });
    await planJob(t.db, match.id);
    const [c] = await t.db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.jobId, match.id), eq(deliveries.orgId, globex)));
    expect(c!.status).toBe("pending");
    await t.db
      .update(alertSettings)
      .set({ minImpact: "none", componentIds: [] })
      .where(eq(alertSettings.orgId, globex));
  });

  it("a disabled endpoint gets a skipped delivery saying when and why it was disabled, unless routing suppressed it anyway", async () => {
    const extra = await t.db
      .insert(alertEndpoints)
      .values(
        [
          {
            name: "gone",
            disabledAt: new Date("2026-11-30T09:15:42Z"),
            disabledCause: "gone" as const,
            disabledReason: "Answered HTTP 410 Gone on 2026-11-30T09:15:42.000Z",
          },
          {
            name: "failing",
            disabledAt: new Date("2026-11-29T23:05:00Z"),
            disabledCause: "failing" as const,
            disabledReason:
              "Every delivery has failed since 2026-11-24T23:00:00.000Z (5 days or more)",
          },
          // Disabled before Beacon recorded when and why: nothing is made up.
          { name: "unknown" },
          { name: "gone-strict", minImpact: "critical" as const, disabledCause: "gone" as const },
        ].map((e) => ({
          disabledAt: null,
          disabledReason: null,
          minImpact: "none" as const,
          ...e,
          orgId: acme,
          type: "webhook" as const,
          enabled: false,
          urlEncrypted: encryptSecret(`https://${e.name}.example.com/hook`),
          urlHint: `${e.name}.example.com`,
          secretEncrypted: encryptSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        })),
      )
      .returning();
    try {
      const job = await enqueue(t.db, { category: "infrastructure", impact: "major" });
      const result = await planJob(t.db, job.id);
      expect(result.due.map((d) => d.destination)).not.toContainEqual(
        expect.stringMatching(/^(gone|failing|unknown)/),
      );
      const rows = await t.db
        .select()
        .from(deliveries)
        .where(and(eq(deliveries.jobId, job.id), eq(deliveries.channel, "webhook")));
      const byName = (name: string) => rows.find((r) => r.destination.startsWith(`${name} (`))!;
      const step = (name: string) => byName(name).trace.find((x) => x.step === "endpoint");
      expect(byName("webhook ops").status).toBe("pending");
      expect(step("webhook ops")).toBeUndefined();
      expect(byName("gone").status).toBe("skipped");
      expect(step("gone")).toEqual({
        step: "endpoint",
        outcome: "skipped",
        detail: "skipped: endpoint disabled on 2026-11-30 09:15 UTC (410 Gone)",
      });
      expect(byName("failing").status).toBe("skipped");
      expect(step("failing")!.detail).toBe(
        "skipped: endpoint disabled on 2026-11-29 23:05 UTC (every delivery failed for 5 days)",
      );
      expect(byName("unknown").status).toBe("skipped");
      expect(step("unknown")!.detail).toBe("skipped: endpoint disabled");
      // Routing would not have sent it anyway: suppressed, with both reasons in the trace.
      expect(byName("gone-strict").status).toBe("suppressed");
      expect(byName("gone-strict").trace.map((x) => `${x.step}:${x.outcome}`)).toContain(
        "endpoint:skipped",
      );
    } finally {
      for (const e of extra) await t.db.delete(alertEndpoints).where(eq(alertEndpoints.id, e.id));
    }
  });

  it("gives each row of one fan-out its own trace when only an endpoint's own filters differ", async () => {
    const [comp] = await t.db.select().from(components).where(eq(components.name, "SIP trunking"));
    const extra = await t.db
      .insert(alertEndpoints)
      .values(
        [
          { name: "strict", minImpact: "critical" as const, componentIds: [] },
          { name: "elsewhere", minImpact: "none" as const, componentIds: [crypto.randomUUID()] },
        ].map((e) => ({
          ...e,
          orgId: acme,
          type: "webhook" as const,
          urlEncrypted: encryptSecret(`https://${e.name}.example.com/hook`),
          urlHint: `${e.name}.example.com`,
          secretEncrypted: encryptSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        })),
      )
      .returning();
    try {
      const job = await enqueue(t.db, {
        category: "infrastructure",
        impact: "major",
        componentIds: [comp!.id],
      });
      await planJob(t.db, job.id);
      const rows = await t.db
        .select()
        .from(deliveries)
        .where(and(eq(deliveries.jobId, job.id), eq(deliveries.channel, "webhook")));
      const byName = (name: string) => rows.find((r) => r.destination.startsWith(name))!;
      const step = (name: string, s: string) => byName(name).trace.find((x) => x.step === s)!;
      expect(byName("webhook ops").status).toBe("pending");
      expect(step("webhook ops", "severity").outcome).toBe("pass");
      expect(step("webhook ops", "filter").outcome).toBe("pass");
      expect(byName("strict").status).toBe("suppressed");
      expect(step("strict", "severity")).toMatchObject({
        outcome: "suppressed",
        detail: "impact major is below the minimum critical",
      });
      expect(step("strict", "filter").outcome).toBe("pass");
      expect(byName("elsewhere").status).toBe("suppressed");
      expect(step("elsewhere", "severity").outcome).toBe("pass");
      expect(step("elsewhere", "filter").outcome).toBe("suppressed");
    } finally {
      for (const e of extra) await t.db.delete(alertEndpoints).where(eq(alertEndpoints.id, e.id));
    }
  });

  it("holds for the digest (critical bypasses) and delays for quiet hours (critical allowed through)", async () => {
    await t.db
      .update(alertSettings)
      .set({
        digestMode: "hourly",
        timeZone: "UTC",
        quietEnabled: true,
        quietStart: 22 * 60,
        quietEnd: 7 * 60,
        quietAllowCritical: true,
      })
      .where(eq(alertSettings.orgId, globex));
    const at = new Date("2026-06-01T23:10:00Z");
    const minor = await enqueue(t.db, { category: "infrastructure", impact: "minor" });
    await planJob(t.db, minor.id, { now: at });
    const [held] = await t.db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.jobId, minor.id), eq(deliveries.orgId, globex)));
    expect(held!.status).toBe("held");
    expect(held!.runAt.toISOString()).toBe("2026-06-02T00:00:00.000Z");

    await t.db
      .update(alertSettings)
      .set({ digestMode: "immediate", quietAllowCritical: false })
      .where(eq(alertSettings.orgId, globex));
    const crit = await enqueue(t.db, { category: "infrastructure", impact: "critical" });
    await planJob(t.db, crit.id, { now: at });
    const [quiet] = await t.db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.jobId, crit.id), eq(deliveries.orgId, globex)));
    expect(quiet!.status).toBe("pending");
    expect(quiet!.runAt.toISOString()).toBe("2026-06-02T07:00:00.000Z");
    expect(quiet!.trace.find((s) => s.step === "quiet_hours")!.outcome).toBe("delayed");

    await t.db
      .update(alertSettings)
      .set({ quietAllowCritical: true })
      .where(eq(alertSettings.orgId, globex));
    const crit2 = await enqueue(t.db, { category: "infrastructure", impact: "critical" });
    await planJob(t.db, crit2.id, { now: at });
    const [through] = await t.db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.jobId, crit2.id), eq(deliveries.orgId, globex)));
    expect(through!.runAt.toISOString()).toBe(at.toISOString());
    expect(through!.trace.find((s) => s.step === "quiet_hours")!.detail).toMatch(
      /critical alerts are allowed through/,
    );
    await t.db
      .update(alertSettings)
      .set({ quietEnabled: false })
      .where(eq(alertSettings.orgId, globex));
  });
});
