import http from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import {
  alertEndpoints,
  alertSettings,
  deliveries,
  deliveryAttempts,
  devMailbox,
  inboxItems,
  memberships,
  notificationJobs,
  users,
} from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { enqueue, orgId, ownTestDestination, resetRateLimits, testSettings } from "@/test/alerts";
import { startReceiver, type Receiver } from "@/test/fake-receiver";
import { waitFor } from "@/test/wait";
import type { Ctx } from "@/lib/context";
import { createEndpoint, rotateEndpointSecret } from "./endpoints";
import { planJob, releaseJob } from "./plan";
import { encryptSecret } from "@/lib/crypto/secrets";
import { pinnedLookup, type Resolver } from "@/lib/channels/net";
import { createSender } from "@/lib/jobs/sender";
import { drainDueDeliveries, processDueDeliveries } from "@/test/sending";
import { flushDigests } from "./digests";
import { claimDeliveries } from "./queue";
import { processDelivery } from "./send";
import { sweepStuck } from "./sweep";
import type { ClaimedDelivery, PrepCache } from "./claim";
import { sendTestAlert } from "./test-alert";
import { resendDelivery, getDelivery, listDeliveries } from "./deliveries";
import { explainRouting } from "./explain";
import { TIMEOUT_ATTEMPTS } from "./retry";
import { deliveryStateLabel, logTime } from "@/lib/labels";
import type { Socket } from "node:net";

let t: TestDb;
let admin: Ctx;
let acme: string;
const receivers: Receiver[] = [];
const settings = testSettings();
/** For receivers a test holds until it has checked something: no webhook timeout meanwhile. */
const patient = testSettings({ webhookTimeoutMs: 30_000 });

async function receiver(opts?: Parameters<typeof startReceiver>[0]) {
  const r = await startReceiver(opts);
  receivers.push(r);
  return r;
}

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  admin = await ctxFor(t.db, "admin@acme.test");
  acme = await orgId(t.db, "acme");
  // Test alerts go only to the organization's own destinations.
  for (const address of ["oncall@acme.test", "bad@acme.test", "keys@acme.test"]) {
    await ownTestDestination(t.db, acme, "email", address);
  }
  for (const phone of ["+919800000001", "+919800000002"]) {
    await ownTestDestination(t.db, acme, "sms", phone);
  }
});
// Test alerts are limited per hour; every test starts with fresh windows.
beforeEach(() => resetRateLimits(t.db));
afterEach(async () => {
  // Endpoints from one test must not receive another test's fan-out.
  await t.db.delete(alertEndpoints).where(eq(alertEndpoints.orgId, acme));
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await t.close();
});

async function webhookEndpoint(url: string) {
  return createEndpoint({
    ctx: admin,
    input: { type: "webhook", name: "Ops hook", url },
    channelSettings: { allowPrivate: true },
  });
}

async function testAlertTo(endpointId: string) {
  const res = await sendTestAlert({ ctx: admin, input: { channel: "webhook", endpointId } });
  // Tests exercise retries, so give the test delivery the normal attempt budget.
  await t.db
    .update(deliveries)
    .set({ maxAttempts: 6 })
    .where(eq(deliveries.id, res.deliveryIds[0]!));
  return res.deliveryIds[0]!;
}

describe("signed webhooks", () => {
  it("retries a receiver that fails twice, then succeeds; every attempt is signed and verifiable", async () => {
    const r = await receiver({
      script: [{ status: 503 }, { status: 500 }],
      fallback: { status: 204 },
    });
    const { endpoint, secret } = await webhookEndpoint(`${r.url}/hook`);
    expect(secret).toMatch(/^whsec_/);
    const id = await testAlertTo(endpoint.id);

    let now = new Date();
    const first = await processDelivery(t.db, id, { now, settings, random: () => 0.5 });
    expect(first.status).toBe("pending");
    expect(first.responseCode).toBe(503);
    // Not due yet: nothing is sent.
    const early = await processDelivery(t.db, id, { now, settings });
    expect(early.status).toBe("pending");
    expect(r.requests).toHaveLength(1);

    now = new Date(first.retryAt!.getTime() + 1);
    const second = await processDelivery(t.db, id, { now, settings, random: () => 0.5 });
    expect(second.status).toBe("pending");
    expect(second.retryAt!.getTime() - now.getTime()).toBeGreaterThan(
      first.retryAt!.getTime() - now.getTime() - 60_000,
    );
    now = new Date(second.retryAt!.getTime() + 1);
    const third = await processDelivery(t.db, id, { now, settings });
    expect(third.status).toBe("delivered");
    expect(r.requests).toHaveLength(3);

    const wh = new Webhook(secret!);
    const ids = new Set<string>();
    for (const req of r.requests) {
      const event = wh.verify(req.body, req.headers as Record<string, string>) as {
        type: string;
        timestamp: string;
        data: { test: boolean; occurred_at: string };
      };
      expect(event.type).toBe("alert.test");
      expect(event.data.test).toBe(true);
      // The body's timestamp is the event's; each attempt's own time is in the signed header.
      expect(event.timestamp).toBe(event.data.occurred_at);
      ids.add(String(req.headers["webhook-id"]));
    }
    expect(ids.size).toBe(1);
    expect(new Set(r.requests.map((q) => q.body)).size).toBe(1);
    expect(new Set(r.requests.map((q) => q.headers["webhook-timestamp"])).size).toBe(3);
    const detail = await getDelivery({ ctx: admin, input: { id } });
    expect(detail.attemptLog.map((a) => a.responseCode)).toEqual([503, 500, 204]);
  });

  it("honours Retry-After on 429", async () => {
    const r = await receiver({ script: [{ status: 429, headers: { "retry-after": "120" } }] });
    const { endpoint } = await webhookEndpoint(r.url);
    const id = await testAlertTo(endpoint.id);
    const now = new Date();
    const out = await processDelivery(t.db, id, { now, settings });
    expect(out.status).toBe("pending");
    expect(out.retryAt!.getTime() - now.getTime()).toBe(120_000);
  });

  it("gives up on a silent receiver at the timeout and retries; a stalled body does not hold the sender", async () => {
    const quick = testSettings({ webhookTimeoutMs: 300 });
    const r = await receiver({
      script: [
        { status: 200, delayMs: 2000 },
        // The status line is the receiver's acknowledgement; its body is read only for the log.
        { status: 200, body: "ok", bodyDelayMs: 2000 },
      ],
    });
    const { endpoint } = await webhookEndpoint(r.url);
    const id = await testAlertTo(endpoint.id);
    const now = new Date();
    const started = Date.now();
    const silent = await processDelivery(t.db, id, { now, settings: quick });
    expect(silent.status).toBe("pending");
    expect(silent.error).toBe("Webhook endpoint timed out after 0.3 s");
    const stalled = await processDelivery(t.db, id, { now: silent.retryAt!, settings: quick });
    expect(stalled.status).toBe("delivered");
    // Waiting out the receiver would have taken four seconds.
    expect(Date.now() - started).toBeLessThan(3000);
    expect(r.requests).toHaveLength(2);
  });

  it("treats a 400 as permanent: failed after one attempt, visible, and resendable", async () => {
    const r = await receiver({ script: [{ status: 400, body: '{"error":"bad"}' }] });
    const { endpoint } = await webhookEndpoint(r.url);
    const id = await testAlertTo(endpoint.id);
    const out = await processDelivery(t.db, id, { settings });
    expect(out.status).toBe("failed");
    expect(out.error).toMatch(/HTTP 400/);
    await resendDelivery({ ctx: admin, input: { id } });
    const again = await processDelivery(t.db, id, { settings });
    expect(again.status).toBe("delivered");
    expect(r.requests).toHaveLength(2);
  });

  it("disables an endpoint that answers 410 and warns the org admins through the alert pipeline", async () => {
    const adminId = admin.actor.id!;
    // The admin opted in to email for user-level warnings; in-app comes regardless.
    await t.db
      .update(memberships)
      .set({ warningEmail: true })
      .where(and(eq(memberships.userId, adminId), eq(memberships.orgId, acme)));
    const r = await receiver({ fallback: { status: 410 } });
    const { endpoint } = await webhookEndpoint(r.url);
    const id = await testAlertTo(endpoint.id);
    const out = await processDelivery(t.db, id, { settings });
    expect(out.status).toBe("failed");
    const [e] = await t.db.select().from(alertEndpoints).where(eq(alertEndpoints.id, endpoint.id));
    expect(e!.enabled).toBe(false);
    expect(e!.disabledReason).toMatch(/410/);

    // Not written into the inbox directly: an outbox job of kind user.warning, to the org admins.
    const [job] = await t.db
      .select()
      .from(notificationJobs)
      .where(
        and(
          eq(notificationJobs.kind, "user.warning"),
          sql`${notificationJobs.payload} -> 'data' ->> 'endpointId' = ${endpoint.id}`,
        ),
      );
    expect(job!.orgId).toBe(acme);
    expect(job!.payload.userIds).toEqual([adminId]);
    expect(job!.payload.title).toBe('Endpoint "Ops hook" was disabled');
    expect(
      await t.db
        .select()
        .from(inboxItems)
        .where(eq(inboxItems.title, 'Warning: Endpoint "Ops hook" was disabled')),
    ).toHaveLength(0);

    await planJob(t.db, job!.id);
    const planned = await t.db.select().from(deliveries).where(eq(deliveries.jobId, job!.id));
    expect(planned.map((d) => `${d.channel}:${d.status}`).sort()).toEqual([
      "email:pending",
      "in_app:pending",
      "sms:suppressed",
    ]);
    await processDueDeliveries(t.db, { settings });
    const [notice] = await t.db
      .select()
      .from(inboxItems)
      .where(
        and(
          eq(inboxItems.userId, adminId),
          eq(inboxItems.title, 'Warning: Endpoint "Ops hook" was disabled'),
        ),
      );
    expect(notice!.deliveryId).toBe(planned.find((d) => d.channel === "in_app")!.id);
    expect(notice!.body).toMatch(/410 Gone.*enable it again/s);
    const mail = await t.db
      .select()
      .from(devMailbox)
      .where(
        and(
          eq(devMailbox.to, "admin@acme.test"),
          eq(devMailbox.subject, '[Beacon] Warning: Endpoint "Ops hook" was disabled'),
        ),
      );
    expect(mail).toHaveLength(1);

    // Resending to the now disabled endpoint fails without sending, and warns nobody twice.
    await resendDelivery({ ctx: admin, input: { id } });
    expect((await processDelivery(t.db, id, { settings })).error).toMatch(/disabled/);
    const warnings = await t.db
      .select()
      .from(notificationJobs)
      .where(sql`${notificationJobs.payload} -> 'data' ->> 'endpointId' = ${endpoint.id}`);
    expect(warnings).toHaveLength(1);
    expect(r.requests).toHaveLength(1);
    await t.db
      .update(memberships)
      .set({ warningEmail: false })
      .where(and(eq(memberships.userId, adminId), eq(memberships.orgId, acme)));
  });

  it("an endpoint disabled after 410 gets a skipped delivery with the reason on a later incident, and the explainer agrees", async () => {
    const r = await receiver({ fallback: { status: 410 } });
    const { endpoint } = await webhookEndpoint(r.url);
    const id = await testAlertTo(endpoint.id);
    const goneAt = new Date();
    expect((await processDelivery(t.db, id, { now: goneAt, settings })).status).toBe("failed");
    const [e] = await t.db.select().from(alertEndpoints).where(eq(alertEndpoints.id, endpoint.id));
    expect(e!.enabled).toBe(false);

    // The next incident reaches webhooks (Org Admins, Infrastructure): the endpoint is not
    // silently left out but gets a row that says why nothing was sent.
    const job = await enqueue(t.db, { category: "infrastructure", impact: "major" });
    await planJob(t.db, job.id);
    const rows = await t.db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.jobId, job.id), eq(deliveries.recipientId, endpoint.id)));
    expect(rows).toHaveLength(1);
    const reason = `skipped: endpoint disabled on ${goneAt.toISOString().slice(0, 16).replace("T", " ")} UTC (410 Gone)`;
    expect(rows[0]!.status).toBe("skipped");
    expect(rows[0]!.trace.find((s) => s.step === "endpoint")).toEqual({
      step: "endpoint",
      outcome: "skipped",
      detail: reason,
    });
    // Nothing is sent to it.
    await processDueDeliveries(t.db, { settings });
    expect(r.requests).toHaveLength(1);

    // The delivery log (list and detail) shows the row and its reason.
    const listed = await listDeliveries({ ctx: admin, input: { status: "skipped" } });
    expect(listed.find((d) => d.id === rows[0]!.id)?.reason).toBe(reason);
    expect((await getDelivery({ ctx: admin, input: { id: rows[0]!.id } })).reason).toBe(reason);

    // The explainer gives the same verdict.
    const ex = await explainRouting({
      ctx: admin,
      input: { jobId: job.id, endpointId: endpoint.id },
    });
    const decision = ex.notifications[0]!.decisions[0]!;
    expect(decision.status).toBe("skipped");
    expect(decision.steps.find((s) => s.outcome === "skipped")?.detail).toBe(reason);

    // What it missed can be resent by hand once it is enabled again.
    expect((await resendDelivery({ ctx: admin, input: { id: rows[0]!.id } })).status).toBe(
      "pending",
    );
  });

  it("a hanging endpoint shows as retrying after each timeout and fails visibly within minutes; it stays resendable", async () => {
    // Accepts the connection, reads the request, never answers.
    const sockets = new Set<Socket>();
    const server = http.createServer(() => {});
    server.on("connection", (s) => {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    try {
      const quick = testSettings({ webhookTimeoutMs: 200 });
      const port = (server.address() as AddressInfo).port;
      const { endpoint } = await webhookEndpoint(`http://127.0.0.1:${port}/hook`);
      const id = await testAlertTo(endpoint.id);
      const start = new Date();
      let now = start;
      let attempts = 0;
      for (;;) {
        const out = await processDelivery(t.db, id, { now, settings: quick });
        attempts++;
        const detail = await getDelivery({ ctx: admin, input: { id } });
        if (out.status === "failed") {
          expect(detail.reason).toBe("Webhook endpoint timed out after 0.2 s");
          expect(deliveryStateLabel(detail)).toBe("failed");
          break;
        }
        // At once: visibly retrying, with why and when.
        expect(out.status).toBe("pending");
        expect(deliveryStateLabel(detail)).toBe("retrying");
        expect(detail.reason).toBe(
          `Webhook endpoint timed out after 0.2 s, retrying at ${logTime(out.retryAt!, { seconds: true })}`,
        );
        expect(attempts).toBeLessThan(TIMEOUT_ATTEMPTS);
        now = new Date(out.retryAt!.getTime() + 1);
      }
      // A bounded number of attempts, and failed within a few minutes of the first one even at
      // the production timeout (15 s per attempt).
      expect(attempts).toBe(TIMEOUT_ATTEMPTS);
      expect(now.getTime() - start.getTime() + TIMEOUT_ATTEMPTS * 15_000).toBeLessThan(5 * 60_000);
      const log = (await getDelivery({ ctx: admin, input: { id } })).attemptLog;
      expect(log.map((a) => a.error)).toEqual(
        Array(TIMEOUT_ATTEMPTS).fill("Webhook endpoint timed out after 0.2 s"),
      );
      expect(log.at(-1)!.retryAt).toBeNull();
      // Still resendable by hand, with a fresh set of attempts.
      await resendDelivery({ ctx: admin, input: { id } });
      const again = await processDelivery(t.db, id, { settings: quick });
      expect(again.status).toBe("pending");
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((ok) => server.close(ok));
    }
  });

  it("signs with both secrets for 24 hours after a rotation", async () => {
    const r = await receiver();
    const { endpoint, secret: oldSecret } = await webhookEndpoint(r.url);
    const { secret: newSecret } = await rotateEndpointSecret({
      ctx: admin,
      input: { id: endpoint.id },
    });
    const id = await testAlertTo(endpoint.id);
    expect((await processDelivery(t.db, id, { settings })).status).toBe("delivered");
    const req = r.requests[0]!;
    expect(String(req.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    expect(() =>
      new Webhook(oldSecret!).verify(req.body, req.headers as Record<string, string>),
    ).not.toThrow();
    expect(() =>
      new Webhook(newSecret).verify(req.body, req.headers as Record<string, string>),
    ).not.toThrow();
    // After the overlap only the new secret signs.
    const later = new Date(Date.now() + 25 * 3600_000);
    const id2 = await testAlertTo(endpoint.id);
    await processDelivery(t.db, id2, { settings, now: later });
    expect(String(r.requests[1]!.headers["webhook-signature"]).split(" ")).toHaveLength(1);
  });

  it("disables an endpoint none of whose deliveries succeeded for five days, and tells the admins", async () => {
    const r = await receiver({ fallback: { status: 400, body: "no such hook" } });
    const { endpoint } = await webhookEndpoint(r.url);
    const old = async (status: "failed" | "delivered", daysAgo: number) => {
      const at = new Date(Date.now() - daysAgo * 86_400_000);
      await t.db.insert(deliveries).values({
        orgId: acme,
        channel: "webhook",
        recipientType: "endpoint",
        recipientId: endpoint.id,
        destination: "Ops hook",
        idempotencyKey: `streak-${endpoint.id}-${status}-${daysAgo}`,
        status,
        createdAt: at,
        runAt: at,
        deliveredAt: status === "delivered" ? at : null,
      });
    };
    const isEnabled = async () =>
      (await t.db.select().from(alertEndpoints).where(eq(alertEndpoints.id, endpoint.id)))[0]!;

    // A failure six days ago, but a success two days ago: the streak is two days old, not five.
    await old("failed", 6);
    await old("delivered", 2);
    expect((await processDelivery(t.db, await testAlertTo(endpoint.id), { settings })).status).toBe(
      "failed",
    );
    expect((await isEnabled()).enabled).toBe(true);

    // Without that success, the run of failures began six days ago: the endpoint is switched off.
    await t.db
      .delete(deliveries)
      .where(and(eq(deliveries.recipientId, endpoint.id), eq(deliveries.status, "delivered")));
    expect((await processDelivery(t.db, await testAlertTo(endpoint.id), { settings })).status).toBe(
      "failed",
    );
    const e = await isEnabled();
    expect(e.enabled).toBe(false);
    expect(e.disabledReason).toMatch(/^Every delivery has failed since .* \(5 days or more\)$/);
    // The admins are told by a user-level warning, planned and sent like any notification.
    const [job] = await t.db
      .select()
      .from(notificationJobs)
      .where(
        and(
          eq(notificationJobs.kind, "user.warning"),
          sql`${notificationJobs.payload} -> 'data' ->> 'endpointId' = ${endpoint.id}`,
        ),
      );
    await planJob(t.db, job!.id);
    await processDueDeliveries(t.db, { settings });
    const [adminUser] = await t.db.select().from(users).where(eq(users.email, "admin@acme.test"));
    const told = await t.db
      .select()
      .from(inboxItems)
      .where(and(eq(inboxItems.userId, adminUser!.id), eq(inboxItems.orgId, acme)));
    expect(told.filter((m) => m.body.startsWith(e.disabledReason!))).toHaveLength(1);
  });

  it("refuses loopback and metadata addresses unless private webhooks are allowed", async () => {
    await expect(
      createEndpoint({
        ctx: admin,
        input: { type: "webhook", name: "x", url: "https://127.0.0.1/hook" },
        channelSettings: { allowPrivate: false },
      }),
    ).rejects.toMatchObject({
      issues: [{ field: "url", message: expect.stringMatching(/private, loopback/) }],
    });
    await expect(
      createEndpoint({
        ctx: admin,
        input: { type: "webhook", name: "x", url: "https://169.254.169.254/latest" },
        channelSettings: { allowPrivate: false },
      }),
    ).rejects.toMatchObject({ issues: [{ field: "url" }] });
    // A stored endpoint whose address is private is refused at send time too.
    const r = await receiver();
    const { endpoint } = await webhookEndpoint(r.url);
    const id = await testAlertTo(endpoint.id);
    const out = await processDelivery(t.db, id, {
      settings: testSettings({ allowPrivate: false }),
    });
    expect(out.status).toBe("failed");
    expect(out.error).toMatch(/https|private/);
    expect(r.requests).toHaveLength(0);
    // So is one written as a private address behind https, before any connection is tried.
    const literal = await createEndpoint({
      ctx: admin,
      input: { type: "webhook", name: "Literal", url: "https://169.254.169.254/latest" },
      channelSettings: { allowPrivate: true },
    });
    const refused = await processDelivery(t.db, await testAlertTo(literal.endpoint.id), {
      settings: testSettings({ allowPrivate: false }),
    });
    expect(refused.status).toBe("failed");
    expect(refused.error).toBe(
      "Destination refused: resolves to a private, loopback, link-local or metadata address (169.254.169.254), which is not allowed",
    );
  });

  it("refuses a host that re-resolves to a private address between the check and the connection", async () => {
    // DNS rebinding: a public address when the endpoint is saved and checked, loopback afterwards.
    let calls = 0;
    const rebinding: Resolver = async () => [
      { address: ++calls <= 1 ? "93.184.216.34" : "127.0.0.1", family: 4 },
    ];
    const { endpoint } = await createEndpoint({
      ctx: admin,
      input: { type: "webhook", name: "Rebinder", url: "https://rebind.example:4443/hook" },
      channelSettings: { allowPrivate: false, resolver: rebinding },
    });
    const id = await testAlertTo(endpoint.id);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const out = await processDelivery(t.db, id, {
      settings: testSettings({ allowPrivate: false, resolver: rebinding }),
    });
    // Checked when saved (1st lookup), refused when the socket resolved (2nd): no look-up per send.
    expect(calls).toBe(2);
    expect(out.status).toBe("failed");
    // The tenant's delivery log says why in general; where the name points is for the server log.
    expect(out.error).toBe(
      "Destination refused: destination not allowed (private or internal address)",
    );
    expect(out.error).not.toContain("127.0.0.1");
    const [stored] = await t.db
      .select({ error: deliveries.error })
      .from(deliveries)
      .where(eq(deliveries.id, id));
    expect(stored!.error).not.toContain("127.0.0.1");
    const attempts = await t.db
      .select({ error: deliveryAttempts.error })
      .from(deliveryAttempts)
      .where(eq(deliveryAttempts.deliveryId, id));
    expect(attempts.length).toBeGreaterThan(0);
    for (const a of attempts) expect(a.error ?? "").not.toContain("127.0.0.1");
    const logged = warn.mock.calls.map((c) => c.join(" ")).join("\n");
    expect(logged).toContain("rebind.example");
    expect(logged).toContain("127.0.0.1");
    warn.mockRestore();
  });

  it("the timeout also bounds a slow DNS answer when the socket connects", async () => {
    // A quick answer for saving (1st lookup); the socket's lookup (2nd) fails after two seconds,
    // long after the 0.3 s timeout.
    let calls = 0;
    const slow: Resolver = async () => {
      if (++calls < 2) return [{ address: "93.184.216.34", family: 4 }];
      await new Promise((res) => setTimeout(res, 2000));
      throw new Error("no answer");
    };
    const { endpoint } = await createEndpoint({
      ctx: admin,
      input: { type: "webhook", name: "Slow DNS", url: "https://slow-dns.example/hook" },
      channelSettings: { allowPrivate: false, resolver: slow },
    });
    const id = await testAlertTo(endpoint.id);
    const started = Date.now();
    const out = await processDelivery(t.db, id, {
      settings: testSettings({ allowPrivate: false, resolver: slow, webhookTimeoutMs: 300 }),
    });
    expect(calls).toBe(2);
    expect(out.status).toBe("pending");
    expect(out.error).toBe("Webhook endpoint timed out after 0.3 s");
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("a pinned socket lookup hands over the address it checked, in both lookup forms", async () => {
    const addrs = [
      { address: "93.184.216.34", family: 4 },
      { address: "2606:2800:220:1:248:1893:25c8:1946", family: 6 },
    ];
    const lookup = pinnedLookup(async () => addrs);
    const one = await new Promise((res, rej) =>
      lookup("h.example", {}, (e, a, f) => (e ? rej(e) : res([a, f]))),
    );
    expect(one).toEqual(["93.184.216.34", 4]);
    const all = await new Promise((res, rej) =>
      lookup("h.example", { all: true }, (e, a) => (e ? rej(e) : res(a))),
    );
    expect(all).toEqual(addrs);
    const mixed = pinnedLookup(async () => [...addrs, { address: "10.0.0.7", family: 4 }]);
    await expect(
      new Promise((res, rej) => mixed("h.example", { all: true }, (e, a) => (e ? rej(e) : res(a)))),
    ).rejects.toMatchObject({
      message: "destination not allowed (private or internal address)",
      host: "h.example",
      address: "10.0.0.7",
    });
  });
});

describe("providers", () => {
  it("email through Resend with Idempotency-Key and List-Unsubscribe; a 422 is permanent", async () => {
    const r = await receiver({ script: [{ status: 200, body: '{"id":"email_123"}' }] });
    const s = testSettings({
      email: { apiKey: "re_test_123", baseUrl: r.url, from: "Beacon <alerts@beacon.test>" },
    });
    const { deliveryIds } = await sendTestAlert({
      ctx: admin,
      input: { channel: "email", to: "oncall@acme.test" },
    });
    const out = await processDelivery(t.db, deliveryIds[0]!, { settings: s });
    expect(out.status).toBe("delivered");
    const req = r.requests[0]!;
    expect(req.path).toBe("/emails");
    expect(req.headers["idempotency-key"]).toContain(":test");
    const body = JSON.parse(req.body);
    expect(body.to).toBe("oncall@acme.test");
    expect(body.headers["List-Unsubscribe"]).toMatch(/^<http:\/\/beacon\.test\//);
    const [d] = await t.db.select().from(deliveries).where(eq(deliveries.id, deliveryIds[0]!));
    expect(d!.providerId).toBe("email_123");

    r.push({
      status: 422,
      body: '{"name":"validation_error","message":"Invalid `to` field","statusCode":422}',
    });
    const second = await sendTestAlert({
      ctx: admin,
      input: { channel: "email", to: "bad@acme.test" },
    });
    const failed = await processDelivery(t.db, second.deliveryIds[0]!, { settings: s });
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/Invalid `to` field/);
  });

  it("a retry repeats the provider's idempotency key and a resend gets a new one", async () => {
    const r = await receiver({
      script: [
        { status: 500, body: '{"name":"application_error","message":"busy","statusCode":500}' },
        { status: 200, body: '{"id":"email_first"}' },
        { status: 200, body: '{"id":"email_resent"}' },
      ],
    });
    const s = testSettings({
      email: { apiKey: "re_test_keys", baseUrl: r.url, from: "Beacon <alerts@beacon.test>" },
    });
    const { deliveryIds } = await sendTestAlert({
      ctx: admin,
      input: { channel: "email", to: "keys@acme.test" },
    });
    const id = deliveryIds[0]!;
    await t.db.update(deliveries).set({ maxAttempts: 6 }).where(eq(deliveries.id, id));
    const first = await processDelivery(t.db, id, { settings: s, random: () => 0.5 });
    expect(first.status).toBe("pending");
    const retried = await processDelivery(t.db, id, {
      settings: s,
      now: new Date(first.retryAt!.getTime() + 1),
    });
    expect(retried.status).toBe("delivered");
    await resendDelivery({ ctx: admin, input: { id } });
    expect((await processDelivery(t.db, id, { settings: s })).status).toBe("delivered");

    const keys = r.requests.map((q) => q.headers["idempotency-key"]);
    expect(keys).toHaveLength(3);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
    const [d] = await t.db.select().from(deliveries).where(eq(deliveries.id, id));
    expect(d!.providerId).toBe("email_resent");
  });

  it("without RESEND_API_KEY, email lands in the dev mailbox for this tenant", async () => {
    const { deliveryIds } = await sendTestAlert({ ctx: admin, input: { channel: "email" } });
    expect((await processDelivery(t.db, deliveryIds[0]!, { settings })).status).toBe("delivered");
    const mail = await t.db
      .select()
      .from(devMailbox)
      .where(and(eq(devMailbox.to, "admin@acme.test"), eq(devMailbox.orgId, acme)));
    expect(mail.map((m) => m.subject)).toContainEqual(expect.stringMatching(/Test alert/));
  });

  it("SMS through Twilio, fitted to one GSM-7 segment", async () => {
    const r = await receiver({ script: [{ status: 201, body: '{"sid":"SM123"}' }] });
    const sid = `AC${"0".repeat(32)}`;
    const s = testSettings({
      twilio: { accountSid: sid, authToken: "tok", from: "+15550001111", baseUrl: r.url },
    });
    const { deliveryIds } = await sendTestAlert({
      ctx: admin,
      input: { channel: "sms", to: "+919800000001" },
    });
    expect((await processDelivery(t.db, deliveryIds[0]!, { settings: s })).status).toBe(
      "delivered",
    );
    const req = r.requests[0]!;
    expect(req.path).toBe(`/2010-04-01/Accounts/${sid}/Messages.json`);
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`${sid}:tok`).toString("base64")}`);
    const form = new URLSearchParams(req.body);
    expect(form.get("To")).toBe("+919800000001");
    expect(form.get("Body")!.length).toBeLessThanOrEqual(160);
  });

  it("SMS through a generic gateway carries the DLT entity and template ids", async () => {
    const r = await receiver({ script: [{ status: 200, body: '{"id":"g-1"}' }] });
    const s = testSettings({
      smsGateway: {
        url: `${r.url}/send`,
        token: "gw",
        senderId: "BEACON",
        dltEntityId: "1101234567890",
        dltTemplateIds: { infrastructure: "1107000000000000001" },
      },
    });
    const { deliveryIds } = await sendTestAlert({
      ctx: admin,
      input: { channel: "sms", to: "+919800000002" },
    });
    expect((await processDelivery(t.db, deliveryIds[0]!, { settings: s })).status).toBe(
      "delivered",
    );
    const body = JSON.parse(r.requests[0]!.body);
    expect(body).toMatchObject({
      to: "+919800000002",
      sender: "BEACON",
      dlt_entity_id: "1101234567890",
      dlt_template_id: "1107000000000000001",
    });
    expect(r.requests[0]!.headers.authorization).toBe("Bearer gw");
  });

  it("Slack gets Block Kit and Teams an Adaptive Card", async () => {
    const slack = await receiver();
    const teams = await receiver({ fallback: { status: 202 } });
    const se = await createEndpoint({
      ctx: admin,
      input: { type: "slack", name: "Slack", url: slack.url },
      channelSettings: { allowPrivate: true },
    });
    const te = await createEndpoint({
      ctx: admin,
      input: { type: "teams", name: "Teams", url: teams.url },
      channelSettings: { allowPrivate: true },
    });
    const a = await sendTestAlert({
      ctx: admin,
      input: { channel: "slack", endpointId: se.endpoint.id },
    });
    const b = await sendTestAlert({
      ctx: admin,
      input: { channel: "teams", endpointId: te.endpoint.id },
    });
    expect((await processDelivery(t.db, a.deliveryIds[0]!, { settings })).status).toBe("delivered");
    expect((await processDelivery(t.db, b.deliveryIds[0]!, { settings })).status).toBe("delivered");
    const sb = JSON.parse(slack.requests[0]!.body);
    expect(sb.blocks[0].type).toBe("header");
    expect(sb.blocks.some((x: { type: string }) => x.type === "section")).toBe(true);
    const tb = JSON.parse(teams.requests[0]!.body);
    expect(tb.attachments[0].contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(tb.attachments[0].content.type).toBe("AdaptiveCard");
  });
});

describe("pipeline", () => {
  it("a fan-out's emails go through Resend's batch endpoint in one request", async () => {
    const resend = await receiver({
      handler: (req) => ({
        status: 200,
        body: JSON.stringify({
          data: (JSON.parse(req.body) as unknown[]).map((_, i) => ({ id: `batch_${i}` })),
        }),
      }),
    });
    const s = testSettings({
      email: { apiKey: "re_test_batch", baseUrl: resend.url, from: "Beacon <alerts@beacon.test>" },
    });
    const job = await enqueue(t.db, {
      category: "infrastructure",
      impact: "major",
      title: "Batch me",
    });
    await planJob(t.db, job.id);
    await processDueDeliveries(t.db, { settings: s });
    const emails = await t.db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.jobId, job.id), eq(deliveries.channel, "email")));
    expect(emails.length).toBeGreaterThanOrEqual(4);
    expect(emails.map((e) => [e.status, e.providerId?.slice(0, 6), e.error])).toEqual(
      emails.map(() => ["delivered", "batch_", null]),
    );
    expect(resend.requests).toHaveLength(1);
    expect(resend.requests[0]!.path).toBe("/emails/batch");
    expect(resend.requests[0]!.headers["idempotency-key"]).toMatch(/^batch-[0-9a-f]{64}$/);
    const sentTo = (JSON.parse(resend.requests[0]!.body) as { to: string }[])
      .map((m) => m.to)
      .sort();
    expect(sentTo).toEqual(emails.map((e) => e.destination).sort());
  });

  it("drains a fan-out larger than one claim in one call and records every outcome", async () => {
    let n = 0;
    // Every fifth POST fails, so one batched write holds delivered and retrying outcomes together.
    const r = await receiver({ handler: () => ({ status: ++n % 5 === 0 ? 503 : 200 }) });
    const url = encryptSecret(r.url);
    const secret = encryptSecret(`whsec_${Buffer.alloc(32, 7).toString("base64")}`);
    await t.db.insert(alertEndpoints).values(
      Array.from({ length: 250 }, (_, i) => ({
        orgId: acme,
        type: "webhook" as const,
        name: `fan ${i}`,
        urlEncrypted: url,
        urlHint: "127.0.0.1",
        secretEncrypted: secret,
      })),
    );
    const job = await enqueue(t.db, { category: "infrastructure", impact: "major" });
    await planJob(t.db, job.id);
    const out = await drainDueDeliveries(t.db, { settings, limit: 100, concurrency: 8 });
    const rows = await t.db.select().from(deliveries).where(eq(deliveries.jobId, job.id));
    // Three claims of 100 were needed; every due delivery of the job was sent in this one call.
    expect(out.length).toBeGreaterThanOrEqual(250);
    expect(new Set(out.map((o) => o.id)).size).toBe(out.length);
    const hooks = rows.filter((d) => d.channel === "webhook");
    expect(hooks).toHaveLength(250);
    expect(r.requests).toHaveLength(250);
    const by = (status: string) => hooks.filter((d) => d.status === status);
    expect(by("delivered")).toHaveLength(200);
    expect(by("pending")).toHaveLength(50);
    expect(by("pending").every((d) => d.responseCode === 503 && d.lockedUntil === null)).toBe(true);
    expect(by("pending").every((d) => d.runAt.getTime() > Date.now())).toBe(true);
    expect(rows.filter((d) => d.status === "sending")).toEqual([]);
    const attempts = await t.db
      .select({ deliveryId: deliveryAttempts.deliveryId, code: deliveryAttempts.responseCode })
      .from(deliveryAttempts)
      .innerJoin(deliveries, eq(deliveries.id, deliveryAttempts.deliveryId))
      .where(eq(deliveries.channel, "webhook"));
    const mine = new Set(hooks.map((d) => d.id));
    const own = attempts.filter((a) => mine.has(a.deliveryId));
    expect(own).toHaveLength(250);
    expect(own.filter((a) => a.code === 503)).toHaveLength(50);
  });

  it("a delivery stamped later within the current millisecond is due now, not at the next sweep", async () => {
    // PostgreSQL stamps microseconds and a JavaScript clock reads milliseconds: a row written with
    // now() just before a claim can lie 0.5 ms "after" the claim's `now`.
    const job = await enqueue(t.db, { category: "infrastructure", impact: "minor", title: "µs" });
    const now = new Date();
    const [d] = await t.db
      .insert(deliveries)
      .values({
        jobId: job.id,
        orgId: job.orgId,
        channel: "email",
        recipientType: "member",
        recipientId: admin.actor.id!,
        destination: "admin@acme.test",
        idempotencyKey: `${job.id}:µs`,
        status: "pending",
        runAt: sql`${now.toISOString()}::timestamptz + interval '500 microseconds'`,
      })
      .returning();
    const [claimed] = await claimDeliveries(t.db, { now, ids: [d!.id] });
    expect(claimed?.id).toBe(d!.id);
    // A whole millisecond later is still not due.
    await t.db
      .update(deliveries)
      .set({ status: "pending", runAt: new Date(now.getTime() + 1) })
      .where(eq(deliveries.id, d!.id));
    expect(await claimDeliveries(t.db, { now, ids: [d!.id] })).toEqual([]);
  });

  it("a job planned and sent twice sends once", async () => {
    const r = await receiver();
    await webhookEndpoint(r.url);
    const job = await enqueue(t.db, {
      category: "infrastructure",
      impact: "major",
      title: "Sent once",
    });
    await planJob(t.db, job.id);
    await processDueDeliveries(t.db, { settings });
    await planJob(t.db, job.id);
    await processDueDeliveries(t.db, { settings });
    expect(r.requests).toHaveLength(1);
    const attempts = await t.db
      .select()
      .from(deliveryAttempts)
      .innerJoin(deliveries, eq(deliveries.id, deliveryAttempts.deliveryId))
      .where(eq(deliveries.jobId, job.id));
    const sent = await t.db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.jobId, job.id), eq(deliveries.status, "delivered")));
    expect(attempts.length).toBe(sent.length);
    // Members reached in-app? Not by default (the seed's table has no in-app ticks); email is in the dev mailbox.
    const [adminUser] = await t.db.select().from(users).where(eq(users.email, "devops@acme.test"));
    const mail = await t.db.select().from(devMailbox).where(eq(devMailbox.to, adminUser!.email));
    expect(mail.filter((m) => m.subject.includes("Sent once")).length).toBe(1);
  });

  it("groups held alerts into one digest per destination", async () => {
    const slack = await receiver();
    await createEndpoint({
      ctx: admin,
      input: { type: "slack", name: "Digest Slack", url: slack.url },
      channelSettings: { allowPrivate: true },
    });
    await t.db
      .update(alertSettings)
      .set({ digestMode: "hourly", timeZone: "UTC" })
      .where(eq(alertSettings.orgId, acme));
    const at = new Date("2026-07-01T10:05:00Z");
    const titles = ["Latency in Mumbai", "SIP registrations failing", "Dashboard slow"];
    for (const title of titles) {
      const job = await enqueue(t.db, { category: "infrastructure", impact: "minor", title });
      await planJob(t.db, job.id, { now: at });
    }
    expect(await flushDigests(t.db, { now: at })).toEqual([]);
    const flushAt = new Date("2026-07-01T11:00:01Z");
    const digests = await flushDigests(t.db, { now: flushAt });
    // One digest per (tenant, channel, destination): devops, support, admin email + the Slack endpoint
    // for acme, and globex's admin.
    expect(digests.length).toBeGreaterThanOrEqual(4);
    expect(await flushDigests(t.db, { now: flushAt })).toEqual([]);
    await processDueDeliveries(t.db, { settings, now: flushAt });
    expect(slack.requests).toHaveLength(1);
    const body = JSON.parse(slack.requests[0]!.body);
    expect(body.text).toMatch(/Digest: 3 alerts/);
    const mail = await t.db.select().from(devMailbox).where(eq(devMailbox.to, "support@acme.test"));
    expect(mail.some((m) => titles.every((title) => m.text.includes(title)))).toBe(true);
    const held = await t.db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.orgId, acme), eq(deliveries.status, "held")));
    expect(held).toEqual([]);
    await t.db
      .update(alertSettings)
      .set({ digestMode: "immediate" })
      .where(eq(alertSettings.orgId, acme));
  });
});

describe("planning that claims what is due (the embedded driver)", () => {
  type Batch = { ds: ClaimedDelivery[]; cache: PrepCache };

  it("hands over what is due already claimed, with its endpoint, and it is sent once", async () => {
    const r = await receiver();
    const endpoint = await webhookEndpoint(r.url);
    const job = await enqueue(t.db, { category: "infrastructure", impact: "major" });
    const batches: Batch[] = [];
    const before = Date.now();
    // An hourly digest holds the emails (not due, so not claimed); webhooks are never digested.
    await t.db
      .update(alertSettings)
      .set({ digestMode: "hourly" })
      .where(eq(alertSettings.orgId, acme));
    try {
      await planJob(t.db, job.id, { onClaimed: (ds, cache) => void batches.push({ ds, cache }) });
    } finally {
      await t.db
        .update(alertSettings)
        .set({ digestMode: "immediate" })
        .where(eq(alertSettings.orgId, acme));
    }
    const handed = batches.flatMap((b) => b.ds);
    const rows = await t.db.select().from(deliveries).where(eq(deliveries.jobId, job.id));
    // Exactly the rows due now were claimed in the same statement that wrote them.
    expect(handed.map((d) => d.id).sort()).toEqual(
      rows
        .filter((d) => d.status === "sending")
        .map((d) => d.id)
        .sort(),
    );
    expect(rows.filter((d) => d.status === "pending")).toEqual([]);
    expect(rows.some((d) => d.status === "held")).toBe(true);
    for (const d of handed) {
      expect(d.attempts).toBe(1);
      expect(d.lockedUntil!.getTime()).toBeGreaterThanOrEqual(before + 60_000);
    }
    const hook = handed.find((d) => d.channel === "webhook")!;
    expect(batches[0]!.cache.endpoints.get(hook.recipientId!)).toMatchObject({
      id: endpoint.endpoint.id,
      orgId: acme,
      enabled: true,
    });
    // Nothing is left for the queue, and a second plan of the job claims nothing more.
    expect(await claimDeliveries(t.db)).toEqual([]);
    await planJob(t.db, job.id, {
      onClaimed: (ds) => void batches.push({ ds, cache: batches[0]!.cache }),
    });
    expect(batches.flatMap((b) => b.ds)).toHaveLength(handed.length);

    const sender = createSender(t.db, { settings });
    for (const b of batches) sender.submit(b.ds, b.cache);
    const out = await sender.drain();
    await sender.close();
    expect(out.map((o) => o.id).sort()).toEqual(handed.map((d) => d.id).sort());
    expect(r.requests).toHaveLength(1);
    const after = await t.db.select().from(deliveries).where(eq(deliveries.jobId, job.id));
    expect(after.filter((d) => d.status === "sending" || d.status === "pending")).toEqual([]);
    expect(after.find((d) => d.id === hook.id)!.status).toBe("delivered");
  });

  it("renews the lock on deliveries it still holds, so the sweeper leaves them alone", async () => {
    // The receiver holds its answer until the renewal has been seen.
    let release = () => {};
    const released = new Promise<void>((res) => (release = res));
    const r = await receiver({ fallback: { status: 200, until: released } });
    await webhookEndpoint(r.url);
    const job = await enqueue(t.db, { category: "infrastructure", impact: "major" });
    // Planned with a clock ten minutes behind: the lock still runs from when the row is written.
    const batches: Batch[] = [];
    const before = Date.now();
    await planJob(t.db, job.id, {
      now: new Date(Date.now() - 10 * 60_000),
      onClaimed: (ds, cache) => void batches.push({ ds, cache }),
    });
    const hook = batches.flatMap((b) => b.ds).find((d) => d.channel === "webhook")!;
    expect(hook.lockedUntil!.getTime()).toBeGreaterThanOrEqual(before + 60_000);
    // It then waited in a long queue until its lock ran out.
    await t.db
      .update(deliveries)
      .set({ lockedUntil: new Date(Date.now() - 1000) })
      .where(eq(deliveries.id, hook.id));
    const sender = createSender(t.db, { settings: patient, renewEveryMs: 50 });
    for (const b of batches) sender.submit(b.ds, b.cache);
    const draining = sender.drain();
    const lockOf = async () =>
      (await t.db.select().from(deliveries).where(eq(deliveries.id, hook.id)))[0]!;
    await waitFor(async () => (await lockOf()).lockedUntil!.getTime() > Date.now() + 60_000);
    const held = await lockOf();
    expect(held!.status).toBe("sending");
    expect(held!.lockedUntil!.getTime()).toBeGreaterThan(Date.now() + 60_000);
    expect((await sweepStuck(t.db)).deliveries).toBe(0);
    release();
    await draining;
    await sender.close();
    expect(r.requests).toHaveLength(1);
    const [done] = await t.db.select().from(deliveries).where(eq(deliveries.id, hook.id));
    expect(done!.status).toBe("delivered");
  });

  it("room() waits until fewer than n handed-over deliveries are unsent", async () => {
    const r = await receiver({ fallback: { status: 200, delayMs: 300 } });
    for (let i = 0; i < 3; i++) await webhookEndpoint(`${r.url}/${i}`);
    const job = await enqueue(t.db, { category: "infrastructure", impact: "major" });
    const batches: Batch[] = [];
    await planJob(t.db, job.id, { onClaimed: (ds, cache) => void batches.push({ ds, cache }) });
    const handed = batches.flatMap((b) => b.ds);
    expect(handed.filter((d) => d.channel === "webhook")).toHaveLength(3);
    const sender = createSender(t.db, { settings, concurrency: 8 });
    for (const b of batches) sender.submit(b.ds, b.cache);
    let roomy = false;
    void sender.room(handed.length + 1).then(() => (roomy = true));
    // Fewer than 3 unsent means at least one webhook was answered, which takes 300 ms.
    const start = Date.now();
    const roomAt = sender.room(3).then(() => Date.now());
    await Promise.resolve();
    expect(roomy).toBe(true);
    const out = await sender.drain();
    await sender.close();
    expect((await roomAt) - start).toBeGreaterThanOrEqual(250);
    expect(out).toHaveLength(handed.length);
    expect(r.requests).toHaveLength(3);
  });

  it("work handed over while a drain winds down is sent at full concurrency", async () => {
    // A receiver that counts requests in flight; /slow answers after 700 ms, the rest after 200.
    let inFlight = 0;
    let most = 0;
    const counting = http.createServer((req, res) => {
      inFlight++;
      most = Math.max(most, inFlight);
      req.resume();
      const delay = req.url?.endsWith("/slow") ? 700 : 200;
      req.on("end", () =>
        setTimeout(() => {
          inFlight--;
          res.end();
        }, delay),
      );
    });
    await new Promise<void>((res) => counting.listen(0, "127.0.0.1", res));
    const base = `http://127.0.0.1:${(counting.address() as AddressInfo).port}`;
    try {
      const { endpoint: slowEndpoint } = await webhookEndpoint(`${base}/slow`);
      for (let i = 0; i < 8; i++) await webhookEndpoint(`${base}/fast/${i}`);
      const job = await enqueue(t.db, { category: "infrastructure", impact: "major" });
      const batches: Batch[] = [];
      await planJob(t.db, job.id, { onClaimed: (ds, cache) => void batches.push({ ds, cache }) });
      const all = batches.flatMap((b) => b.ds);
      const slow = all.find((d) => d.recipientId === slowEndpoint.id)!;
      expect(all.filter((d) => d.channel === "webhook")).toHaveLength(9);
      const sender = createSender(t.db, { settings, concurrency: 8 });
      sender.submit([slow], batches[0]!.cache);
      const started = Date.now();
      const draining = sender.drain();
      // The other workers find nothing to do and leave; once the slow one is out, the rest of the
      // fan-out arrives.
      await waitFor(() => inFlight === 1);
      sender.submit(
        all.filter((d) => d !== slow),
        batches[0]!.cache,
      );
      await draining;
      await sender.close();
      // The eight 200 ms answers went side by side while the slow one was still out.
      expect(most).toBeGreaterThanOrEqual(8);
      expect(Date.now() - started).toBeLessThan(1300);
    } finally {
      counting.closeAllConnections();
      await new Promise((res) => counting.close(res));
    }
  });

  it("room() counts only what planning handed over, not a backlog claimed from the queue", async () => {
    // The receiver holds its answers until the planner has asked for room.
    let release = () => {};
    const released = new Promise<void>((res) => (release = res));
    const r = await receiver({ fallback: { status: 200, until: released } });
    for (let i = 0; i < 4; i++) await webhookEndpoint(`${r.url}/${i}`);
    // Planned without claiming: four due webhooks wait in the queue.
    const job = await enqueue(t.db, { category: "infrastructure", impact: "major" });
    await planJob(t.db, job.id);
    const sender = createSender(t.db, { settings: patient, concurrency: 4 });
    const draining = sender.drain();
    await waitFor(() => r.requests.length >= 4);
    expect(r.requests.length).toBeGreaterThanOrEqual(4);
    // The queue's claims are in flight, yet a planner is not held back by them: room() answers
    // while the receiver still holds every answer (had it counted them, it would wait for the
    // release, which comes only after this check).
    const roomGiven = await Promise.race([
      sender.room(1).then(() => true),
      new Promise<boolean>((res) => setTimeout(() => res(false), 10_000)),
    ]);
    expect(roomGiven).toBe(true);
    release();
    await draining;
    await sender.close();
  });

  it("a sender created with collect: false sends and records everything but keeps no outcomes", async () => {
    const r = await receiver({ fallback: { status: 200 } });
    for (let i = 0; i < 3; i++) await webhookEndpoint(`${r.url}/${i}`);
    const job = await enqueue(t.db, { category: "infrastructure", impact: "major" });
    await planJob(t.db, job.id);
    const sender = createSender(t.db, { settings, concurrency: 2, collect: false });
    expect(await sender.drain()).toEqual([]);
    await sender.close();
    expect(r.requests).toHaveLength(3);
    const hooks = await t.db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.jobId, job.id), eq(deliveries.channel, "webhook")));
    expect(hooks.map((h) => h.status)).toEqual(["delivered", "delivered", "delivered"]);
  });

  it("a stopping planner leaves the job unplanned and hands it back; a re-run completes it", async () => {
    for (let i = 0; i < 3; i++) await webhookEndpoint(`https://hooks-${i}.example/x`);
    const job = await enqueue(t.db, { category: "infrastructure", impact: "major" });
    await t.db
      .update(notificationJobs)
      .set({ status: "planning" })
      .where(eq(notificationJobs.id, job.id));
    let parts = 0;
    const stopped = await planJob(t.db, job.id, {
      partRows: 1,
      onPart: () => void parts++,
      shouldStop: () => parts >= 1,
    });
    expect(stopped).toMatchObject({ planned: false, stopped: true });
    expect(parts).toBe(1);
    const [left] = await t.db
      .select()
      .from(notificationJobs)
      .where(eq(notificationJobs.id, job.id));
    expect(left!.status).toBe("planning");
    await releaseJob(t.db, job.id);
    const [back] = await t.db
      .select()
      .from(notificationJobs)
      .where(eq(notificationJobs.id, job.id));
    expect(back!.status).toBe("pending");
    expect(back!.runAt.getTime()).toBeLessThanOrEqual(Date.now());
    const done = await planJob(t.db, job.id, { partRows: 1 });
    expect(done.planned).toBe(true);
    const hooks = await t.db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.jobId, job.id), eq(deliveries.channel, "webhook")));
    expect(hooks).toHaveLength(3);
  });
});
