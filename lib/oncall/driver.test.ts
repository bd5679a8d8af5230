import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { deliveries, escalationPages, escalations, notificationJobs, users } from "@/db/schema";
import { openIncident } from "@/lib/incidents/open-incident";
import { startEmbeddedDriver } from "@/lib/jobs/embedded-driver";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { testSettings } from "@/test/alerts";
import { waitFor } from "@/test/wait";
import { createPolicy } from "./policies";

let t: TestDb;

// A fresh seeded database takes a while on a busy machine.
beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
}, 300_000);
afterAll(async () => {
  await t.close();
});

const driver = () =>
  startEmbeddedDriver(t.db, { pollIntervalMs: 100, deliver: { settings: testSettings() } });

it(
  "a restart between tiers of the embedded driver neither loses nor repeats a page",
  {
    timeout: 180_000,
  },
  async () => {
    const admin = await ctxFor(t.db, "admin@beacon.test");
    const [o] = await t.db.select().from(users).where(eq(users.email, "oncall@beacon.test"));
    const [a] = await t.db.select().from(users).where(eq(users.email, "admin@beacon.test"));
    await createPolicy({
      ctx: admin,
      input: {
        name: "Platform on-call",
        incidentMinImpact: "major",
        tiers: [
          { userIds: [o!.id], timeoutMinutes: 5 },
          { userIds: [a!.id], timeoutMinutes: 10 },
        ],
      },
    });
    const pages = async (id: string) =>
      (
        await t.db
          .select()
          .from(escalationPages)
          .where(eq(escalationPages.escalationId, id))
          .orderBy(escalationPages.tier)
      ).map((p) => p.tier);

    let first = driver();
    const { incident } = await openIncident({
      ctx: admin,
      input: { title: "Outage", category: "infrastructure", impact: "major", message: "Down" },
    });
    const [e] = await t.db
      .select()
      .from(escalations)
      .where(eq(escalations.incidentId, incident.id));
    // The driver pages tier 1 at once, and the page is delivered (in-app among its channels).
    await waitFor(async () => (await pages(e!.id)).length === 1);
    const delivered = async (tier: number) => {
      const rows = await t.db
        .select({ status: deliveries.status, channel: deliveries.channel })
        .from(deliveries)
        .innerJoin(notificationJobs, eq(notificationJobs.id, deliveries.jobId))
        .where(
          and(
            eq(notificationJobs.kind, "oncall.page"),
            sql`${notificationJobs.payload}->'data'->>'escalationId' = ${e!.id}`,
            sql`(${notificationJobs.payload}->'data'->>'tier')::int = ${tier}`,
          ),
        );
      return rows;
    };
    await waitFor(async () =>
      (await delivered(1)).some((d) => d.channel === "in_app" && d.status === "delivered"),
    );
    await first.stop();

    // While no driver runs, tier 1's five minutes pass (its step is due now).
    await t.db
      .update(escalations)
      .set({ nextAt: new Date(Date.now() - 1000) })
      .where(eq(escalations.id, e!.id));

    // A new process picks the due step up from the database: tier 2, once; tier 1 not again.
    first = driver();
    try {
      await waitFor(async () => (await pages(e!.id)).length === 2);
      await waitFor(async () =>
        (await delivered(2)).some((d) => d.channel === "in_app" && d.status === "delivered"),
      );
      // A few more rounds of the loop change nothing.
      await first.kick();
      await first.kick();
    } finally {
      await first.stop();
    }
    expect(await pages(e!.id)).toEqual([1, 2]);
    const jobs = await t.db
      .select()
      .from(notificationJobs)
      .where(
        and(
          eq(notificationJobs.kind, "oncall.page"),
          sql`${notificationJobs.payload}->'data'->>'escalationId' = ${e!.id}`,
        ),
      );
    expect(jobs).toHaveLength(2);
    // One delivery per channel per page: in-app, email and SMS (no phone: suppressed).
    expect((await delivered(1)).map((d) => d.channel).sort()).toEqual(["email", "in_app", "sms"]);
    expect((await delivered(2)).map((d) => d.channel).sort()).toEqual(["email", "in_app", "sms"]);
    const [after] = await t.db.select().from(escalations).where(eq(escalations.id, e!.id));
    expect(after).toMatchObject({ status: "active", tier: 2, round: 1 });
  },
);
