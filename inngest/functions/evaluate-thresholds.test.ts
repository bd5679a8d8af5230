import { InngestTestEngine } from "@inngest/test";
import { Inngest } from "inngest";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { thresholdRules } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { createRule } from "@/lib/metrics/rules";
import { createAlertFunctions } from "./index";

let t: TestDb;
let client: Inngest;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  client = new Inngest({ id: "beacon-test", isDev: true });
});
afterAll(() => t.close());

describe("the threshold rules cron (Inngest)", () => {
  it("runs every minute and moves a silent rule to no data", async () => {
    const fns = createAlertFunctions(client, { getDb: async () => t.db });
    expect(fns.evaluateThresholds.opts).toMatchObject({
      triggers: [{ cron: "* * * * *" }],
      concurrency: { limit: 1 },
    });
    const admin = await ctxFor(t.db, "admin@acme.test");
    // No sample has ever arrived: no data at once. Put back to normal, the cron finds it silent.
    const past = new Date(Date.now() - 3_600_000);
    const rule = await createRule({
      ctx: admin,
      now: past,
      input: { name: "Silent", metric: "cps_cron", operator: ">", threshold: 5, noDataMinutes: 30 },
    });
    expect(rule.state).toBe("nodata");
    await t.db.update(thresholdRules).set({ state: "ok" }).where(eq(thresholdRules.id, rule.id));
    const { result, error } = await new InngestTestEngine({
      function: fns.evaluateThresholds,
      events: [{ name: "inngest/scheduled.timer", data: {} }],
    }).execute();
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ transitions: 1 });
    const [row] = await t.db.select().from(thresholdRules).where(eq(thresholdRules.id, rule.id));
    expect(row!.state).toBe("nodata");
  });
});
