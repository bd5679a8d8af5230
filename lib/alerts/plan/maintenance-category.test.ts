import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { alertRules, alertSettings, deliveries, memberships, users } from "@/db/schema";
import { seedDemo } from "@/test/fixtures";
import { enqueue, orgId } from "@/test/alerts";
import { adoptMaintenanceCategory } from "@/lib/alerts/defaults";
import { planJob } from ".";

/** Maintenance advisories are their own row in Alerts & Notifications (seed 000). */
let t: TestDb;
let acme: string;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  acme = await orgId(t.db, "acme");
});
afterAll(() => t.close());

async function routes(jobId: string) {
  const rows = await t.db
    .select({ d: deliveries, role: memberships.role })
    .from(deliveries)
    .leftJoin(users, eq(users.id, deliveries.recipientId))
    .leftJoin(
      memberships,
      and(eq(memberships.userId, users.id), eq(memberships.orgId, deliveries.orgId)),
    )
    .where(and(eq(deliveries.jobId, jobId), eq(deliveries.orgId, acme)));
  return {
    sent: rows
      .filter((r) => r.d.status !== "suppressed")
      .map((r) => `${r.role ?? r.d.recipientType}:${r.d.channel}`)
      .sort(),
    suppressed: rows
      .filter((r) => r.d.status === "suppressed")
      .map((r) => r.d.trace.map((s) => `${s.step}:${s.outcome}`).join(" ")),
  };
}

const advisory = () =>
  enqueue(t.db, { category: "maintenance", impact: "none" }, "maintenance.reminder");

describe("maintenance advisories", () => {
  it("reach the role groups and channels of the maintenance row by default, never by SMS", async () => {
    const job = await advisory();
    await planJob(t.db, job.id);
    const { sent } = await routes(job.id);
    expect(sent.filter((r) => r.endsWith(":email")).sort()).toEqual([
      "org_admin:email",
      "support_manager:email",
      "tech_devops:email",
    ]);
    expect(sent.filter((r) => r.endsWith(":sms"))).toEqual([]);
    // Billing admins hear of billing, not of planned work.
    expect(sent.some((r) => r.startsWith("billing_admin:"))).toBe(false);
  });

  it("have their own toggle and channels, and the minimum severity for incidents does not hide them", async () => {
    await t.db
      .update(alertSettings)
      .set({ minImpact: "major" })
      .where(eq(alertSettings.orgId, acme));
    // Support managers no longer want maintenance by email; Infrastructure is left as it was.
    await t.db
      .update(alertRules)
      .set({ enabled: false })
      .where(
        and(
          eq(alertRules.orgId, acme),
          eq(alertRules.category, "maintenance"),
          eq(alertRules.roleGroup, "support_manager"),
          eq(alertRules.channel, "email"),
        ),
      );
    const job = await advisory();
    await planJob(t.db, job.id);
    const { sent } = await routes(job.id);
    expect(sent).toContain("org_admin:email");
    expect(sent).not.toContain("support_manager:email");
    const infra = await enqueue(t.db, { category: "infrastructure", impact: "major" });
    await planJob(t.db, infra.id);
    expect((await routes(infra.id)).sent).toContain("support_manager:email");

    await t.db
      .update(alertSettings)
      .set({
        categories: { infrastructure: true, billing: true, configurable: true, maintenance: false },
      })
      .where(eq(alertSettings.orgId, acme));
    const off = await advisory();
    await planJob(t.db, off.id);
    const r = await routes(off.id);
    expect(r.sent).toEqual([]);
    expect(r.suppressed.length).toBeGreaterThan(0);
    expect(r.suppressed.every((s) => s.includes("category:suppressed"))).toBe(true);
  });

  it("are adopted once by tenants whose settings predate the category", async () => {
    const globex = await orgId(t.db, "globex");
    await t.db
      .update(alertSettings)
      .set({ categories: { infrastructure: true, billing: true, configurable: true } as never })
      .where(eq(alertSettings.orgId, globex));
    await t.db
      .delete(alertRules)
      .where(and(eq(alertRules.orgId, globex), eq(alertRules.category, "maintenance")));
    expect(await adoptMaintenanceCategory(t.db)).toBe(1);
    const cells = await t.db
      .select()
      .from(alertRules)
      .where(and(eq(alertRules.orgId, globex), eq(alertRules.category, "maintenance")));
    expect(cells.length).toBe(11);
    const [s] = await t.db.select().from(alertSettings).where(eq(alertSettings.orgId, globex));
    expect(s!.categories.maintenance).toBe(true);
    // Done once: a cell unticked later stays unticked.
    await t.db
      .update(alertRules)
      .set({ enabled: false })
      .where(and(eq(alertRules.orgId, globex), eq(alertRules.category, "maintenance")));
    expect(await adoptMaintenanceCategory(t.db)).toBe(0);
    const after = await t.db
      .select()
      .from(alertRules)
      .where(and(eq(alertRules.orgId, globex), eq(alertRules.category, "maintenance")));
    expect(after.every((c) => !c.enabled)).toBe(true);
  });
});
