import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { deliveries, notificationJobs, publicSubscribers } from "@/db/schema";
import { createEndpoint } from "@/lib/alerts/endpoints";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { enqueue, testSettings } from "@/test/alerts";
import { startReceiver, type Receiver } from "@/test/fake-receiver";
import { waitFor } from "@/test/wait";
import { startEmbeddedDriver } from "./embedded-driver";
import { wakeJobDriver } from "@/lib/alerts/outbox";

let t: TestDb;
let r: Receiver;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  r = await startReceiver({ script: [{ status: 503 }], fallback: { status: 200 } });
  const admin = await ctxFor(t.db, "admin@acme.test");
  await createEndpoint({
    ctx: admin,
    input: { type: "webhook", name: "hook", url: r.url },
    channelSettings: { allowPrivate: true },
  });
});
afterAll(async () => {
  await r.close();
  await t.close();
});

it("is woken after commit, plans and sends, and retries a failure", async () => {
  const driver = startEmbeddedDriver(t.db, {
    pollIntervalMs: 60_000,
    deliver: { settings: testSettings(), retryBaseMs: 1 },
  });
  try {
    await driver.kick();
    const job = await enqueue(t.db, { category: "infrastructure", impact: "major" });
    wakeJobDriver();
    // The wake-up plans the job and makes the first (failing) attempt; the retry (backoff base
    // 1 ms) is claimed on a later round of the driver's loop (its heartbeat runs one every few
    // seconds, whatever the poll interval).
    const hookOf = async () =>
      (
        await t.db
          .select()
          .from(deliveries)
          .where(and(eq(deliveries.jobId, job.id), eq(deliveries.channel, "webhook")))
      )[0];
    await waitFor(async () => (await hookOf())?.status === "delivered");
    const [j] = await t.db.select().from(notificationJobs).where(eq(notificationJobs.id, job.id));
    expect(j!.status).toBe("planned");
    const rows = await t.db.select().from(deliveries).where(eq(deliveries.jobId, job.id));
    const hook = rows.find((d) => d.channel === "webhook")!;
    expect(hook.attempts).toBe(2);
    expect(r.requests).toHaveLength(2);
    await waitFor(async () =>
      (await t.db.select().from(deliveries).where(eq(deliveries.jobId, job.id))).every(
        (d) => d.status !== "pending" && d.status !== "sending",
      ),
    );
  } finally {
    await driver.stop();
  }
});

it("sends a fan-out planned in many parts completely", async () => {
  const driver = startEmbeddedDriver(t.db, {
    pollIntervalMs: 60_000,
    planPartRows: 1,
    deliver: { settings: testSettings() },
  });
  try {
    await driver.kick();
    const before = r.requests.length;
    const job = await enqueue(t.db, { category: "infrastructure", impact: "critical" });
    const settled = async () => {
      const [j] = await t.db.select().from(notificationJobs).where(eq(notificationJobs.id, job.id));
      const rows = await t.db.select().from(deliveries).where(eq(deliveries.jobId, job.id));
      return (
        j!.status === "planned" &&
        rows.length > 3 &&
        rows.every((d) => d.status !== "pending" && d.status !== "sending")
      );
    };
    await waitFor(settled);
    const rows = await t.db.select().from(deliveries).where(eq(deliveries.jobId, job.id));
    // Members' email and in-app, the webhook: everything routed was sent, nothing left due.
    expect(rows.some((d) => d.channel === "webhook" && d.status === "delivered")).toBe(true);
    expect(r.requests.length).toBe(before + 1);
  } finally {
    await driver.stop();
  }
});

it("its periodic sweep deletes subscribers whose confirmation link expired unused", async () => {
  const day = 24 * 60 * 60 * 1000;
  const ago = (ms: number) => new Date(Date.now() - ms);
  await t.db.insert(publicSubscribers).values([
    {
      kind: "email",
      email: "expired@example.com",
      confirmTokenHash: "a",
      createdAt: ago(8 * day),
    },
    {
      kind: "email",
      email: "waiting@example.com",
      confirmTokenHash: "b",
      createdAt: ago(1 * day),
    },
    {
      kind: "email",
      email: "kept@example.com",
      confirmedAt: ago(9 * day),
      createdAt: ago(10 * day),
    },
  ]);
  // A new driver prunes on its first round (later rounds every 30 s).
  const driver = startEmbeddedDriver(t.db, {
    pollIntervalMs: 60_000,
    deliver: { settings: testSettings() },
  });
  try {
    await driver.kick();
  } finally {
    await driver.stop();
  }
  const left = await t.db.select().from(publicSubscribers);
  expect(left.map((s) => s.email).sort()).toEqual(["kept@example.com", "waiting@example.com"]);
});
