import { asc, eq } from "drizzle-orm";
import { InngestTestEngine } from "@inngest/test";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { components, maintenances, maintenanceUpdates, regions } from "@/db/schema";
import { scheduleMaintenance } from "@/lib/incidents/schedule-maintenance";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { createMaintenanceSteps } from "./maintenance";

let t: TestDb;
let clock = new Date("2032-01-01T08:00:00Z");
let fn: ReturnType<typeof createMaintenanceSteps>;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  fn = createMaintenanceSteps(new Inngest({ id: "beacon-test", isDev: true }), {
    getDb: async () => t.db,
    now: () => clock,
  });
});
afterAll(() => t.close());

describe("maintenance-steps (Inngest)", () => {
  it("runs what is due, sleeps until a step due within the minute and runs it on time", async () => {
    const ctx = await ctxFor(t.db, "oncall@beacon.test");
    const api = (await t.db.select().from(components)).find((c) => c.name === "API")!.id;
    const bom = (await t.db.select().from(regions)).find((r) => r.code === "BOM")!.id;
    const start = new Date(clock.getTime() + 30_000);
    const { maintenance: m } = await scheduleMaintenance({
      ctx,
      now: clock,
      input: {
        title: "Carrier cut-over",
        message: "Cutting over",
        scheduledFor: start.toISOString(),
        scheduledUntil: new Date(start.getTime() + 3_600_000).toISOString(),
        cells: [{ componentId: api, regionId: bom }],
      },
    });

    let sleptUntil: string | null = null;
    const engine = new InngestTestEngine({ function: fn });
    const { result, error } = await engine.execute({
      steps: [
        {
          id: "until-next-due",
          // The durable sleep: the clock moves to when it would wake.
          handler: () => {
            sleptUntil = start.toISOString();
            clock = start;
          },
        },
      ],
    });
    expect(error).toBeUndefined();
    expect(sleptUntil).toBe(start.toISOString());
    expect(result).toEqual({ ran: [{ kind: "start", outcome: "moved to in_progress" }] });
    const [row] = await t.db.select().from(maintenances).where(eq(maintenances.id, m.id));
    expect(row!.status).toBe("in_progress");
    expect(row!.startedAt!.toISOString()).toBe(start.toISOString());

    // A run an hour later completes it; one more finds nothing to do (nothing twice).
    clock = new Date(start.getTime() + 3_600_000);
    const again = await new InngestTestEngine({ function: fn }).execute();
    expect(again.result).toEqual({ ran: [{ kind: "complete", outcome: "moved to completed" }] });
    const none = await new InngestTestEngine({ function: fn }).execute();
    expect(none.result).toEqual({ ran: [] });
    const updates = await t.db
      .select()
      .from(maintenanceUpdates)
      .where(eq(maintenanceUpdates.maintenanceId, m.id))
      .orderBy(asc(maintenanceUpdates.createdAt));
    expect(updates.map((u) => u.status)).toEqual(["scheduled", "in_progress", "completed"]);
  });
});
