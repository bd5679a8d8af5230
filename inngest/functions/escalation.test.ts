import { eq } from "drizzle-orm";
import { InngestTestEngine, mockCtx } from "@inngest/test";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { escalationPages, escalations, users } from "@/db/schema";
import { openIncident } from "@/lib/incidents/open-incident";
import { acknowledgeIncident } from "@/lib/oncall/acknowledge";
import { createPolicy } from "@/lib/oncall/policies";
import type { Ctx } from "@/lib/context";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { createAlertFunctions } from "./index";

let t: TestDb;
let admin: Ctx;
let fns: ReturnType<typeof createAlertFunctions>;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  admin = await ctxFor(t.db, "admin@beacon.test");
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
  const client = new Inngest({ id: "beacon-test", isDev: true });
  fns = createAlertFunctions(client, { getDb: async () => t.db });
});
afterAll(async () => {
  await t.close();
});

async function started() {
  const { incident } = await openIncident({
    ctx: admin,
    input: {
      title: `Outage ${Math.random()}`,
      category: "infrastructure",
      impact: "critical",
      message: "Calls failing",
    },
  });
  const [e] = await t.db.select().from(escalations).where(eq(escalations.incidentId, incident.id));
  return { incident, e: e! };
}
/**
 * The durable wait, stood in for: @inngest/test hands a mocked waitForEvent's result to the
 * SDK's event validation as a promise, which fails, so the wait is replaced in the function's
 * context by `onWait` (null: the timeout passed; an event: it arrived). Every other step is the
 * real one.
 */
const engineFor = (
  escalationId: string,
  onWait: (id: string, n: number) => unknown = () => null,
  beforeStep?: (id: string) => Promise<void>,
) => {
  let n = 0;
  return new InngestTestEngine({
    function: fns.escalation,
    events: [{ name: "oncall/escalation.started", data: { escalationId } }],
    transformCtx: (raw) => {
      const ctx = mockCtx(raw);
      ctx.step.waitForEvent = vi.fn(async (id: string) => onWait(id, ++n)) as never;
      if (beforeStep) {
        const run = ctx.step.run;
        // Runs before the step's own body, inside the step.
        ctx.step.run = ((id: string, fn: () => Promise<unknown>) =>
          run(id, async () => {
            await beforeStep(id);
            return fn();
          })) as typeof run;
      }
      return ctx;
    },
  });
};
const tiersPaged = async (id: string) =>
  (
    await t.db
      .select()
      .from(escalationPages)
      .where(eq(escalationPages.escalationId, id))
      .orderBy(escalationPages.round, escalationPages.tier)
  ).map((p) => p.tier);
type WaitCall = [string, { timeout: string; match: string }];
const waits = (ctx: { step: { waitForEvent: unknown } }) =>
  (ctx.step.waitForEvent as unknown as { mock: { calls: WaitCall[] } }).mock.calls;

describe("the Inngest escalation function (same lib steps as the embedded driver)", () => {
  it("waits each tier's timeout for the acknowledgement; a timeout pages the next tier, then it gives up", async () => {
    const { e } = await started();
    // Both waits time out (the mocked durable wait returns null, as Inngest does at the timeout).
    const { result, ctx, error } = await engineFor(e.id).execute();
    expect(error).toBeUndefined();
    expect(result).toEqual({ id: e.id, status: "unacknowledged" });
    expect(waits(ctx).map(([id, o]) => [id, o.timeout, o.match])).toEqual([
      ["wait-1", "5m", "data.escalationId"],
      ["wait-2", "10m", "data.escalationId"],
    ]);
    expect(await tiersPaged(e.id)).toEqual([1, 2]);
  });

  it("an acknowledgement event during the wait stops it: tier 2 is never paged", async () => {
    const { e, incident } = await started();
    const { result, ctx } = await engineFor(e.id, async () => {
      await acknowledgeIncident({
        ctx: await ctxFor(t.db, "oncall@beacon.test"),
        input: { incidentId: incident.id },
      });
      return { name: "oncall/escalation.stopped", data: { escalationId: e.id } };
    }).execute();
    expect(result).toEqual({ id: e.id, status: "stopped" });
    expect(waits(ctx)).toHaveLength(1);
    expect(await tiersPaged(e.id)).toEqual([1]);
    const [row] = await t.db.select().from(escalations).where(eq(escalations.id, e.id));
    expect(row!.status).toBe("acknowledged");
  });

  it("reads the database before waiting: an acknowledgement that came first is not missed", async () => {
    const { e, incident } = await started();
    // The acknowledgement lands after tier 1 is paged, before the function starts waiting.
    const { result, ctx } = await engineFor(e.id, undefined, async (id) => {
      if (id === "check-1")
        await acknowledgeIncident({
          ctx: await ctxFor(t.db, "oncall@beacon.test"),
          input: { incidentId: incident.id },
        });
    }).execute();
    expect(result).toEqual({ id: e.id, status: "acknowledged" });
    expect(waits(ctx)).toHaveLength(0);
    expect(await tiersPaged(e.id)).toEqual([1]);
  });

  it("a replayed run (a restart, a duplicate event) pages no one twice", async () => {
    const { e } = await started();
    await engineFor(e.id).execute();
    await engineFor(e.id).execute();
    expect(await tiersPaged(e.id)).toEqual([1, 2]);
  });
});
