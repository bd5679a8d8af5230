import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { and, asc, eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import {
  alertEndpoints,
  deliveries,
  deliveryAttempts,
  deliveryStarts,
  jobInstances,
  notificationJobs,
} from "@/db/schema";
import { getDelivery } from "@/lib/alerts/deliveries";
import { createEndpoint } from "@/lib/alerts/endpoints";
import { planJob } from "@/lib/alerts/plan";
import { withTransaction, type Ctx } from "@/lib/context";
import { enqueueNotification } from "@/lib/alerts/outbox";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { orgId, testSettings } from "@/test/alerts";
import { startReceiver, type Receiver } from "@/test/fake-receiver";
import { waitFor } from "@/test/wait";
import { startEmbeddedDriver, type EmbeddedDriver } from "./embedded-driver";

/**
 * Claims are leases held by a live instance's heartbeat. A process killed mid-fan-out leaves
 * deliveries "sending" and a job "planning" under its instance id; another instance (or the
 * restarted process) takes them over within seconds, not after a two-minute lock.
 */

let t: TestDb;
let admin: Ctx;
let acmeId: string;
let r: Receiver;
const drivers: EmbeddedDriver[] = [];

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  admin = await ctxFor(t.db, "admin@acme.test");
  acmeId = await orgId(t.db, "acme");
  r = await startReceiver();
});
afterEach(async () => {
  for (const d of drivers.splice(0)) await d.stop();
  // Removed, not disabled: a disabled endpoint gets a "skipped" delivery on later incidents.
  await t.db.delete(alertEndpoints).where(sql`true`);
});
afterAll(async () => {
  await r.close();
  await t.close();
});

function driver() {
  const d = startEmbeddedDriver(t.db, {
    pollIntervalMs: 60_000,
    deliver: { settings: testSettings() },
    onError: () => {},
  });
  drivers.push(d);
  return d;
}

/** An instance that is gone: its row, with a heartbeat `ageMs` old. */
async function deadInstance(opts: { ageMs: number; host?: string; pid?: number }) {
  const id = randomUUID();
  await t.db.insert(jobInstances).values({
    id,
    host: opts.host ?? "another-host",
    pid: opts.pid ?? 4242,
    startedAt: new Date(Date.now() - opts.ageMs - 60_000),
    heartbeatAt: new Date(Date.now() - opts.ageMs),
  });
  return id;
}

/**
 * A fan-out to two endpoints that the dead instance had claimed as it planned it; it had started
 * the request to the first (recorded, and the receiver may have had it), not the second.
 */
async function claimedBy(instanceId: string) {
  const a = await createEndpoint({
    ctx: admin,
    input: { type: "webhook", name: "started", url: `${r.url}/started` },
    channelSettings: { allowPrivate: true },
  });
  const b = await createEndpoint({
    ctx: admin,
    input: { type: "webhook", name: "waiting", url: `${r.url}/waiting` },
    channelSettings: { allowPrivate: true },
  });
  // Due in an hour, so no running driver claims it before the dead instance "has".
  const platform = await orgId(t.db, "platform");
  const job = await withTransaction({ db: t.db }, (tx) =>
    enqueueNotification(tx, {
      orgId: platform,
      kind: "incident.created",
      runAt: new Date(Date.now() + 3_600_000),
      payload: {
        title: "Killed mid fan-out",
        category: "infrastructure",
        impact: "major",
        audience: { type: "tenant", orgId: acmeId },
        componentIds: [],
        regionIds: [],
      },
    }),
  );
  // Planned by the dead instance, claiming as it wrote (no driver is running yet).
  await t.db
    .update(notificationJobs)
    .set({ status: "planning", lockedBy: instanceId })
    .where(eq(notificationJobs.id, job.id));
  const claimed: string[] = [];
  await planJob(t.db, job.id, {
    instanceId,
    onClaimed: (ds) => void claimed.push(...ds.map((d) => d.id)),
  });
  // It never marked the job planned: it was killed first.
  await t.db
    .update(notificationJobs)
    .set({ status: "planning", lockedBy: instanceId, plannedAt: null })
    .where(eq(notificationJobs.id, job.id));
  const hooks = await t.db
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.jobId, job.id), eq(deliveries.channel, "webhook")));
  const started = hooks.find((d) => d.recipientId === a.endpoint.id)!;
  const waiting = hooks.find((d) => d.recipientId === b.endpoint.id)!;
  expect([started.status, waiting.status]).toEqual(["sending", "sending"]);
  expect(started.lockedBy).toBe(instanceId);
  await t.db.insert(deliveryStarts).values({
    instanceId,
    startedAt: new Date(Date.now() - 20_000),
    deliveryIds: [started.id],
  });
  return { job, started, waiting };
}

async function attemptsOf(id: string) {
  return t.db
    .select()
    .from(deliveryAttempts)
    .where(eq(deliveryAttempts.deliveryId, id))
    .orderBy(asc(deliveryAttempts.attempt));
}

it("takes over a dead instance's claims within seconds; its in-flight attempt is logged as outcome unknown", async () => {
  const dead = await deadInstance({ ageMs: 60_000 });
  const { job, started, waiting } = await claimedBy(dead);
  const before = r.requests.length;
  const took = Date.now();
  driver();
  const status = async (id: string) =>
    (await t.db.select().from(deliveries).where(eq(deliveries.id, id)))[0]!.status;
  // Far sooner than the two-minute lock of old.
  await waitFor(
    async () =>
      (await status(started.id)) === "delivered" && (await status(waiting.id)) === "delivered",
    { timeoutMs: 15_000 },
  );
  expect(Date.now() - took).toBeLessThan(15_000);
  // The unfinished plan was taken over too, and completed.
  await waitFor(async () => {
    const [j] = await t.db.select().from(notificationJobs).where(eq(notificationJobs.id, job.id));
    return j!.status === "planned";
  });
  // The request in flight at the kill: attempt 1's outcome is unknown, attempt 2 delivered it,
  // with the same webhook-id (the receiver de-duplicates on it).
  const a = await attemptsOf(started.id);
  expect(a.map((x) => [x.attempt, x.error, x.responseCode])).toEqual([
    [1, "outcome unknown (process stopped)", null],
    [2, null, 200],
  ]);
  // The one never started is sent as its first attempt, as if never claimed.
  const w = await attemptsOf(waiting.id);
  expect(w.map((x) => [x.attempt, x.error, x.responseCode])).toEqual([[1, null, 200]]);
  const sent = r.requests.slice(before);
  const idOf = (d: { id: string }) => `msg_${d.id.replace(/-/g, "")}`;
  expect(sent.map((q) => q.headers["webhook-id"]).sort()).toEqual(
    [idOf(started), idOf(waiting)].sort(),
  );
  // The delivery log (portal and API) shows it.
  const detail = await getDelivery({ ctx: admin, input: { id: started.id } });
  expect(detail.attemptLog[0]!.error).toBe("outcome unknown (process stopped)");
  const [inst] = await t.db.select().from(jobInstances).where(eq(jobInstances.id, dead));
  expect(inst!.stoppedAt).not.toBeNull();
});

it("a restarted process takes its previous incarnation's claims back at once, without waiting for the lease", async () => {
  // Same host, a process id that no longer runs, and a heartbeat that is still fresh.
  const exited = spawnSync(process.execPath, ["-e", "0"]).pid;
  const dead = await deadInstance({ ageMs: 0, host: hostname(), pid: exited });
  const { started, waiting } = await claimedBy(dead);
  const took = Date.now();
  driver();
  await waitFor(
    async () => {
      const rows = await t.db.select().from(deliveries).where(eq(deliveries.id, waiting.id));
      return rows[0]!.status === "delivered";
    },
    { timeoutMs: 8_000 },
  );
  // Well inside the 10 s lease: it did not wait for the heartbeat to go stale.
  expect(Date.now() - took).toBeLessThan(8_000);
  expect((await attemptsOf(started.id))[0]!.error).toBe("outcome unknown (process stopped)");
});

it("leaves a live instance's claims alone", async () => {
  const other = driver();
  const d = driver();
  await waitFor(() => other.peers() >= 1 && d.peers() >= 1);
  // A claim of the other (live) instance, held in a long queue: no one takes it over.
  const { started } = await claimedBy(other.instanceId());
  await d.kick();
  await d.kick();
  const [row] = await t.db.select().from(deliveries).where(eq(deliveries.id, started.id));
  expect(row!.status).toBe("sending");
  expect(row!.lockedBy).toBe(other.instanceId());
});
