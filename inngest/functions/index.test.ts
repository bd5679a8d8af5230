import { eq } from "drizzle-orm";
import { InngestTestEngine } from "@inngest/test";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { deliveries, publicSubscribers } from "@/db/schema";
import { createEndpoint } from "@/lib/alerts/endpoints";
import { sendTestAlert } from "@/lib/alerts/test-alert";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { enqueue, testSettings } from "@/test/alerts";
import { startReceiver, type Receiver } from "@/test/fake-receiver";
import { waitFor } from "@/test/wait";
import type { Ctx } from "@/lib/context";
import { createAlertFunctions } from "./index";

let t: TestDb;
let r: Receiver;
let admin: Ctx;
let fns: ReturnType<typeof createAlertFunctions>;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  r = await startReceiver();
  admin = await ctxFor(t.db, "admin@acme.test");
  const client = new Inngest({ id: "beacon-test", isDev: true });
  fns = createAlertFunctions(client, {
    getDb: async () => t.db,
    deliver: { settings: testSettings(), retryBaseMs: 1 },
  });
});
afterAll(async () => {
  await r.close();
  await t.close();
});

describe("Inngest functions (same lib steps as the embedded driver)", () => {
  it("plan-notification plans in a step and fans out one event per due delivery", async () => {
    const { endpoint } = await createEndpoint({
      ctx: admin,
      input: { type: "webhook", name: "hook", url: r.url },
      channelSettings: { allowPrivate: true },
    });
    const job = await enqueue(t.db, { category: "infrastructure", impact: "major" });
    const engine = new InngestTestEngine({
      function: fns.planNotification,
      events: [{ name: "alerts/job.enqueued", data: { jobId: job.id } }],
    });
    // sendEvent would reach an Inngest server; the fan-out step is mocked and its input asserted.
    const { result, ctx, error } = await engine.execute({
      steps: [{ id: "fan-out-0", handler: () => ({ ids: [] }) }],
    });
    expect(error).toBeUndefined();
    const rows = await t.db.select().from(deliveries).where(eq(deliveries.jobId, job.id));
    const pending = rows.filter((d) => d.status === "pending");
    expect(result).toMatchObject({ planned: true, dispatched: pending.length });
    expect(ctx.step.run).toHaveBeenCalledWith("plan", expect.any(Function));
    const sent = (
      ctx.step.sendEvent as unknown as {
        mock: { calls: [string, { name: string; data: { deliveryId: string } }[]][] };
      }
    ).mock.calls.flatMap((c) => c[1]);
    expect(sent.map((e) => e.data.deliveryId).sort()).toEqual(pending.map((d) => d.id).sort());
    expect(sent.every((e) => e.name === "alerts/delivery.due")).toBe(true);
    expect(pending.some((d) => d.recipientId === endpoint.id)).toBe(true);
  });

  it("send-delivery retries after a failure, sleeping until the retry time, then succeeds", async () => {
    const flaky = await startReceiver({ script: [{ status: 502 }], fallback: { status: 200 } });
    try {
      const { endpoint } = await createEndpoint({
        ctx: admin,
        input: { type: "webhook", name: "flaky", url: flaky.url },
        channelSettings: { allowPrivate: true },
      });
      const { deliveryIds } = await sendTestAlert({
        ctx: admin,
        input: { channel: "webhook", endpointId: endpoint.id },
      });
      await t.db
        .update(deliveries)
        .set({ maxAttempts: 3 })
        .where(eq(deliveries.id, deliveryIds[0]!));
      const engine = new InngestTestEngine({
        function: fns.sendDelivery,
        events: [
          {
            name: "alerts/delivery.due",
            data: { deliveryId: deliveryIds[0]!, destination: "flaky" },
          },
        ],
      });
      // The durable sleep is mocked: it ends when the retry is due (retryBaseMs: 1, so at once).
      const retryDue = async () => {
        const [d] = await t.db.select().from(deliveries).where(eq(deliveries.id, deliveryIds[0]!));
        return d!.runAt.getTime() <= Date.now();
      };
      const { result, ctx, error } = await engine.execute({
        steps: [{ id: "wait-0", handler: () => waitFor(retryDue).then(() => null) }],
      });
      expect(error).toBeUndefined();
      expect(result).toMatchObject({ status: "delivered" });
      expect(ctx.step.sleepUntil).toHaveBeenCalled();
      expect(flaky.requests).toHaveLength(2);
      // Running the function again (a duplicate event) sends nothing more.
      await new InngestTestEngine({
        function: fns.sendDelivery,
        events: [
          {
            name: "alerts/delivery.due",
            data: { deliveryId: deliveryIds[0]!, destination: "flaky" },
          },
        ],
      }).execute();
      expect(flaky.requests).toHaveLength(2);
    } finally {
      await flaky.close();
    }
  });
});

describe("the sweep cron", () => {
  it("deletes subscribers whose confirmation link expired unused, in its own step", async () => {
    const day = 24 * 60 * 60 * 1000;
    const ago = (ms: number) => new Date(Date.now() - ms);
    await t.db.insert(publicSubscribers).values([
      { kind: "email", email: "gone@example.com", confirmTokenHash: "x", createdAt: ago(8 * day) },
      { kind: "email", email: "soon@example.com", confirmTokenHash: "y", createdAt: ago(6 * day) },
      {
        kind: "webhook",
        urlHint: "hooks.example.com",
        confirmedAt: ago(30 * day),
        createdAt: ago(30 * day),
      },
    ]);
    const engine = new InngestTestEngine({
      function: fns.sweep,
      events: [{ name: "inngest/scheduled.timer", data: {} }],
    });
    // Earlier tests may have left work for the sweep to hand back to Inngest; those sends are mocked.
    const { result, ctx, error } = await engine.execute({
      steps: [
        { id: "replan", handler: () => ({ ids: [] }) },
        { id: "resend-due", handler: () => ({ ids: [] }) },
      ],
    });
    expect(error).toBeUndefined();
    expect(ctx.step.run).toHaveBeenCalledWith(
      "expire-unconfirmed-subscribers",
      expect.any(Function),
    );
    expect(result).toMatchObject({ expiredSubscribers: 1 });
    const left = await t.db.select().from(publicSubscribers);
    expect(left.map((s) => s.email ?? s.urlHint).sort()).toEqual([
      "hooks.example.com",
      "soon@example.com",
    ]);
  });
});
