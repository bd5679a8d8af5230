import { InngestTestEngine } from "@inngest/test";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { devMailbox } from "@/db/schema";
import { createAlertFunctions } from "./index";
import { createPruneRetention } from "./prune-retention";

let t: TestDb;
let client: Inngest;

beforeAll(async () => {
  t = await createTestDb();
  client = new Inngest({ id: "beacon-test", isDev: true });
});
afterAll(() => t.close());

describe("the retention cron (Inngest)", () => {
  it("is registered with the alert functions, hourly", () => {
    const fns = createAlertFunctions(client, { getDb: async () => t.db });
    expect(fns.pruneRetention.id()).toBe("retention-prune");
    expect(fns.pruneRetention.opts).toMatchObject({
      triggers: [{ cron: "17 * * * *" }],
      concurrency: { limit: 1 },
    });
  });

  it("prunes in bounded steps until nothing is left", async () => {
    const old = new Date(Date.now() - 30 * 86_400_000);
    await t.db.insert(devMailbox).values(
      Array.from({ length: 5 }, (_, i) => ({
        channel: "email" as const,
        to: "a@acme.test",
        from: "beacon@example.com",
        subject: `m${i}`,
        text: "",
        idempotencyKey: `inngest-retention-${i}`,
        createdAt: old,
      })),
    );
    await t.db.insert(devMailbox).values({
      channel: "email",
      to: "a@acme.test",
      from: "beacon@example.com",
      subject: "recent",
      text: "",
      idempotencyKey: "inngest-retention-recent",
    });
    const fn = createPruneRetention(
      client,
      { getDb: async () => t.db },
      { prune: { batch: 2, maxRounds: 1 } },
    );
    const { result, ctx, error } = await new InngestTestEngine({
      function: fn,
      events: [{ name: "inngest/scheduled.timer", data: {} }],
    }).execute();
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ deleted: { devMailbox: 5 }, more: false, steps: 3 });
    for (const id of ["prune-0", "prune-1", "prune-2"]) {
      expect(ctx.step.run).toHaveBeenCalledWith(id, expect.any(Function));
    }
    expect((await t.db.select().from(devMailbox)).map((m) => m.subject)).toEqual(["recent"]);
  });
});
