import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import { auditLog, notificationJobs, thresholdRules } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { breaches } from "./evaluate";
import { createRule, deleteRule, listRules, updateRule } from "./rules";
import { recordSamples } from "./record-samples";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
});
afterAll(async () => t?.close());

async function jobsFor(orgId: string) {
  return t.db
    .select()
    .from(notificationJobs)
    .where(eq(notificationJobs.orgId, orgId))
    .orderBy(notificationJobs.createdAt);
}

describe("breaches", () => {
  it("compares below, above and exactly equal", () => {
    expect(breaches("lt", 99, 100)).toBe(true);
    expect(breaches("lt", 100, 100)).toBe(false);
    expect(breaches("gt", 101, 100)).toBe(true);
    expect(breaches("gt", 100, 100)).toBe(false);
    expect(breaches("eq", 0, 0)).toBe(true);
    expect(breaches("eq", 0.1, 0)).toBe(false);
  });
});

describe("threshold rules", () => {
  it("fires once when the balance falls below the threshold and recovers once when it returns", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    const rule = await createRule({
      ctx: admin,
      input: {
        name: "Low balance",
        metric: "balance",
        operator: "lt",
        threshold: 500,
        area: "billing",
        impact: "major",
      },
    });
    expect(rule.state).toBe("ok");

    const devops = await ctxFor(t.db, "devops@acme.test");
    expect(
      (
        await recordSamples({
          ctx: devops,
          input: { samples: [{ metric: "balance", value: 900 }] },
        })
      ).transitions,
    ).toEqual([]);
    const low = await recordSamples({
      ctx: devops,
      input: { samples: [{ metric: "balance", value: 420 }] },
    });
    expect(low.transitions).toEqual([
      { ruleId: rule.id, state: "firing", value: 420, action: "fire" },
    ]);
    // Still low: no second alert.
    expect(
      (
        await recordSamples({
          ctx: devops,
          input: { samples: [{ metric: "balance", value: 300 }] },
        })
      ).transitions,
    ).toEqual([]);
    const back = await recordSamples({
      ctx: devops,
      input: { samples: [{ metric: "balance", value: 5000 }] },
    });
    expect(back.transitions).toEqual([
      { ruleId: rule.id, state: "ok", value: 5000, action: "recover" },
    ]);

    const jobs = await jobsFor(admin.org.id);
    expect(jobs.map((j) => j.kind)).toEqual(["threshold.triggered", "threshold.recovered"]);
    expect(jobs[0]!.payload).toMatchObject({
      category: "billing",
      impact: "major",
      audience: { type: "tenant", orgId: admin.org.id },
      topic: "low_balance",
      data: { ruleId: rule.id, metric: "balance", value: 420, threshold: 500, operator: "lt" },
    });
    expect(jobs[0]!.payload.message).toContain("below the threshold 500");
  });

  it("averages over the sample period", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    const rule = await createRule({
      ctx: admin,
      input: {
        name: "CPS high",
        metric: "cps",
        operator: "gt",
        threshold: 50,
        samplePeriodMinutes: 5,
        aggregation: "avg",
      },
    });
    const now = Date.now();
    const at = (minAgo: number) => new Date(now - minAgo * 60_000).toISOString();
    // One spike in a calm window stays under the average.
    await recordSamples({
      ctx: admin,
      input: {
        samples: [
          { metric: "cps", value: 10, at: at(4) },
          { metric: "cps", value: 10, at: at(3) },
          { metric: "cps", value: 100, at: at(0) },
        ],
      },
    });
    let [row] = await t.db.select().from(thresholdRules).where(eq(thresholdRules.id, rule.id));
    expect(row!.state).toBe("ok");
    expect(row!.lastValue).toBe(40);
    // Samples older than the period no longer count.
    await recordSamples({
      ctx: admin,
      input: {
        samples: [
          { metric: "cps", value: 90, at: at(1) },
          { metric: "cps", value: 10, at: at(30) },
        ],
      },
    });
    [row] = await t.db.select().from(thresholdRules).where(eq(thresholdRules.id, rule.id));
    expect(row!.lastValue).toBe(52.5);
    expect(row!.state).toBe("firing");
  });

  it("evaluates a new rule against samples already recorded", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    await recordSamples({ ctx: admin, input: { samples: [{ metric: "channels", value: 120 }] } });
    const rule = await createRule({
      ctx: admin,
      input: { name: "Channels", metric: "channels", operator: "gt", threshold: 100 },
    });
    const [row] = await t.db.select().from(thresholdRules).where(eq(thresholdRules.id, rule.id));
    expect(row!.state).toBe("firing");
  });

  it("names the field and the reason for bad input", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    const err = await createRule({
      ctx: admin,
      input: { name: "", metric: "Bad Name!", operator: "gte", threshold: "x" },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    const fields = Object.fromEntries(
      (err as ValidationError).issues.map((i) => [i.field, i.message]),
    );
    expect(fields).toMatchObject({
      name: "is required",
      metric: expect.stringContaining("must be a name like balance"),
      operator: "must be one of < (lt), <= (le), > (gt), >= (ge), = (eq)",
      threshold: "is required and must be a number",
    });
    const blank = await createRule({
      ctx: admin,
      input: { name: "b", metric: "cps", operator: "gt", threshold: "" },
    }).catch((e) => e);
    expect((blank as ValidationError).issues).toEqual([
      { field: "threshold", message: "is required and must be a number" },
    ]);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    await expect(
      recordSamples({ ctx: admin, input: { samples: [{ metric: "cps", value: 1, at: future }] } }),
    ).rejects.toThrowError(/samples.0.at: is in the future/);
    await expect(recordSamples({ ctx: admin, input: { samples: [] } })).rejects.toThrowError(
      /samples: must hold at least one sample \(or send calls\)/,
    );
  });

  it("keeps each tenant's rules and samples to itself", async () => {
    const acme = await ctxFor(t.db, "admin@acme.test");
    const globex = await ctxFor(t.db, "admin@globex.test");
    const rule = await createRule({
      ctx: acme,
      input: { name: "Iso", metric: "asr", operator: "lt", threshold: 40 },
    });
    await expect(
      updateRule({
        ctx: globex,
        input: { ruleId: rule.id, name: "x", metric: "asr", operator: "gt", threshold: 1 },
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(deleteRule({ ctx: globex, input: { ruleId: rule.id } })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect((await listRules({ ctx: globex })).map((r) => r.id)).not.toContain(rule.id);
    // Globex's samples never move Acme's rule.
    await recordSamples({ ctx: globex, input: { samples: [{ metric: "asr", value: 1 }] } });
    const [row] = await t.db.select().from(thresholdRules).where(eq(thresholdRules.id, rule.id));
    expect(row!.state).toBe("ok");
    expect(row!.lastValue).toBeNull();
  });

  it("needs thresholds:manage for rules and metrics:write for samples", async () => {
    const support = await ctxFor(t.db, "support@acme.test");
    await expect(
      createRule({
        ctx: support,
        input: { name: "x", metric: "cps", operator: "gt", threshold: 1 },
      }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      recordSamples({ ctx: support, input: { samples: [{ metric: "cps", value: 1 }] } }),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });

  it("updates and deletes with audit rows; a changed condition starts again from ok", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    const rule = await createRule({
      ctx: admin,
      input: { name: "Latency", metric: "latency", operator: "gt", threshold: 3 },
    });
    await recordSamples({ ctx: admin, input: { samples: [{ metric: "latency", value: 5 }] } });
    const updated = await updateRule({
      ctx: admin,
      input: { ruleId: rule.id, name: "Latency", metric: "latency", operator: "gt", threshold: 10 },
    });
    expect(updated.state).toBe("ok");
    await deleteRule({ ctx: admin, input: { ruleId: rule.id } });
    const actions = (
      await t.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.targetId, rule.id)))
    ).map((a) => a.action);
    expect(actions.sort()).toEqual([
      "threshold_rule.created",
      "threshold_rule.deleted",
      "threshold_rule.fired",
      "threshold_rule.recovered",
      "threshold_rule.updated",
    ]);
  });
});
