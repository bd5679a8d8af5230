import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import {
  deliveries,
  incidents,
  incidentUpdates,
  metricSamples,
  notificationJobs,
  organizations,
  thresholdRules,
  THRESHOLD_OPERATORS,
} from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { ForbiddenError, ValidationError } from "@/lib/errors";
import { breaches, resets, step, type RuleClock } from "./state";
import { callMetricValue, observe } from "./evaluate";
import { evaluateAllRules } from "./evaluator";
import { ruleChart } from "./chart";
import { createRule, getRule, updateRule } from "./rules";
import { recordSamples } from "./record-samples";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
});
afterAll(async () => t?.close());

const T0 = new Date("2026-03-01T12:00:00Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const iso = (minutes: number) => at(minutes).toISOString();

async function ruleRow(id: string) {
  const [r] = await t.db.select().from(thresholdRules).where(eq(thresholdRules.id, id));
  return r!;
}
async function jobsOfRule(ruleId: string) {
  const jobs = await t.db.select().from(notificationJobs).orderBy(notificationJobs.createdAt);
  return jobs.filter((j) => (j.payload.data as { ruleId?: string } | undefined)?.ruleId === ruleId);
}

describe("operators at and around their boundary", () => {
  const cases: Record<(typeof THRESHOLD_OPERATORS)[number], [number, boolean][]> = {
    lt: [
      [99.999, true],
      [100, false],
      [100.001, false],
    ],
    le: [
      [99.999, true],
      [100, true],
      [100.001, false],
    ],
    gt: [
      [99.999, false],
      [100, false],
      [100.001, true],
    ],
    ge: [
      [99.999, false],
      [100, true],
      [100.001, true],
    ],
    eq: [
      [99.999, false],
      [100, true],
      [100.001, false],
    ],
  };
  for (const op of THRESHOLD_OPERATORS) {
    it(`${op} against 100`, () => {
      for (const [v, want] of cases[op]) expect([v, breaches(op, v, 100)]).toEqual([v, want]);
    });
  }
  it("resets only beyond the reset threshold (hysteresis), or when the condition stops without one", () => {
    // Fire below 30 % ASR, reset only above 31 %.
    expect(resets("lt", 30.5, 30, 31)).toBe(false);
    expect(resets("lt", 31, 30, 31)).toBe(false);
    expect(resets("lt", 31.01, 30, 31)).toBe(true);
    expect(resets("gt", 95, 100, 90)).toBe(false);
    expect(resets("gt", 89.9, 100, 90)).toBe(true);
    expect(resets("lt", 30, 30, null)).toBe(true);
    expect(resets("le", 30, 30, null)).toBe(false);
  });
});

describe("the state machine on an injected clock", () => {
  const base: RuleClock = {
    operator: "lt",
    threshold: 30,
    resetThreshold: 31,
    pendingSeconds: 0,
    repeatMinutes: 0,
    noDataMinutes: null,
    noDataAlert: false,
    state: "ok",
    pendingSince: null,
    lastNotifiedAt: null,
  };
  const obs = (value: number | null, lastMin = 0) => ({ value, lastDataAt: at(lastMin) });

  it("does not flap inside the hysteresis band", () => {
    let r = { ...base };
    const seen: string[] = [];
    for (const [i, v] of [35, 29, 30.5, 29.5, 30.9, 31.5, 30.5].entries()) {
      const s = step(r, obs(v, i), at(i));
      seen.push(`${s.state}${s.action ? `:${s.action}` : ""}`);
      r = { ...r, state: s.state, pendingSince: s.pendingSince };
    }
    expect(seen).toEqual(["ok", "firing:fire", "firing", "firing", "firing", "ok:recover", "ok"]);
  });

  it("waits out the pending period, and forgets it when the condition stops", () => {
    const r = { ...base, pendingSeconds: 120 };
    const p = step(r, obs(20), at(0));
    expect(p).toEqual({ state: "pending", pendingSince: at(0), action: null });
    const still = step({ ...r, ...p }, obs(20, 1), at(1.99));
    expect(still.state).toBe("pending");
    expect(step({ ...r, ...p }, obs(20, 2), at(2))).toMatchObject({
      state: "firing",
      action: "fire",
    });
    expect(step({ ...r, ...p }, obs(40, 1), at(1))).toMatchObject({ state: "ok", action: null });
  });

  it("repeats while firing at the repeat interval", () => {
    const r = { ...base, repeatMinutes: 30, state: "firing" as const, lastNotifiedAt: at(0) };
    expect(step(r, obs(10, 29), at(29.9)).action).toBeNull();
    expect(step(r, obs(10, 30), at(30)).action).toBe("repeat");
  });

  it("goes to no data after the silence, alerting only if asked, and back", () => {
    const r = { ...base, noDataMinutes: 10 };
    expect(step(r, obs(null, 0), at(9.9)).state).toBe("ok");
    expect(step(r, obs(null, 0), at(10))).toEqual({
      state: "nodata",
      pendingSince: null,
      action: null,
    });
    expect(step({ ...r, noDataAlert: true }, obs(null, 0), at(10)).action).toBe("nodata");
    expect(step({ ...r, state: "nodata" }, obs(50, 11), at(11))).toMatchObject({ state: "ok" });
    expect(step(r, { value: null, lastDataAt: null }, at(0)).state).toBe("nodata");
  });
});

describe("ASR, ACD and PDD from call records", () => {
  it("matches a hand-computed window, with labels and the minimum number of calls", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    // Window: the 10 minutes up to T0 (start excluded). Calls in it, region BOM:
    //  answered 60 s (pdd 1000), answered 120 s (pdd 2000), answered 30 s (pdd 3000), failed (no pdd)
    // → attempts 4, ASR 75 %, ACD (60+120+30)/3 = 70 s, PDD (1000+2000+3000)/3 = 2000 ms.
    // Outside it: one at −11 min and one at exactly −10 min; and one in region FRA.
    await recordSamples({
      ctx: admin,
      now: () => T0,
      input: {
        calls: [
          { at: iso(-9), answered: true, durationSeconds: 60, pddMs: 1000, region: "BOM" },
          {
            at: iso(-5),
            answered: true,
            durationSeconds: 120,
            pddMs: 2000,
            region: "BOM",
            trunk: "t1",
          },
          { at: iso(-1), answered: true, durationSeconds: 30, pddMs: 3000, region: "BOM" },
          { at: iso(0), answered: false, region: "BOM" },
          { at: iso(-11), answered: false, region: "BOM" },
          { at: iso(-10), answered: false, region: "BOM" },
          { at: iso(-2), answered: false, pddMs: 9000, region: "FRA" },
        ],
      },
    });
    const rule = {
      orgId: admin.org.id,
      aggregation: "last" as const,
      labelFilter: { region: "BOM" },
      samplePeriodMinutes: 10,
      minCalls: 0,
    };
    const v = async (metric: string, extra = {}) =>
      (await t.db.transaction((tx) => observe(tx, { ...rule, metric, ...extra }, T0))).value;
    expect(await v("attempts")).toBe(4);
    expect(await v("asr")).toBe(75);
    expect(await v("acd")).toBe(70);
    expect(await v("pdd")).toBe(2000);
    expect(await v("asr", { minCalls: 5 })).toBeNull();
    expect(await v("asr", { minCalls: 4 })).toBe(75);
    // Every region: 5 attempts, 3 answered; PDD (1000+2000+3000+9000)/4.
    expect(await v("asr", { labelFilter: {} })).toBe(60);
    expect(await v("pdd", { labelFilter: {} })).toBe(3750);
    expect(await v("attempts", { labelFilter: { region: "BOM", trunk: "t1" } })).toBe(1);
    expect(
      callMetricValue("acd", { attempts: 2, answered: 0, acd: null, pdd: null }, 0),
    ).toBeNull();

    const asr = await createRule({
      ctx: admin,
      now: T0,
      input: {
        name: "ASR BOM",
        metric: "asr",
        operator: "<",
        threshold: 80,
        resetThreshold: 81,
        samplePeriodMinutes: 10,
        labelFilter: { region: "BOM" },
        minCalls: 4,
        area: "routing_voice",
      },
    });
    expect(asr.state).toBe("firing");
    expect(asr.lastValue).toBe(75);
    expect(asr.category).toBe("configurable");
  });
});

describe("a balance-below rule with a reset threshold and a contact", () => {
  it("fires once at 450, not again at 520, resets at 650 with a recovered notice", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    const rule = await createRule({
      ctx: admin,
      now: at(0),
      input: {
        name: "Balance below 500",
        metric: "balance_eur",
        operator: "<",
        threshold: 500,
        resetThreshold: 600,
        samplePeriodMinutes: 60,
        area: "billing",
        impact: "major",
        contactEmails: "finance@acme.test, Ops@Acme.test",
        contactPhones: "+919812345678",
      },
    });
    expect(rule.contactEmails).toEqual(["finance@acme.test", "ops@acme.test"]);
    const post = (value: number, minute: number) =>
      recordSamples({
        ctx: admin,
        now: () => at(minute),
        input: { samples: [{ metric: "balance_eur", value, at: iso(minute) }] },
      });
    expect((await post(800, 1)).transitions).toEqual([]);
    expect((await post(450, 2)).transitions).toEqual([
      { ruleId: rule.id, state: "firing", value: 450, action: "fire" },
    ]);
    expect((await post(520, 3)).transitions).toEqual([]);
    expect((await post(650, 4)).transitions).toEqual([
      { ruleId: rule.id, state: "ok", value: 650, action: "recover" },
    ]);

    const jobs = await jobsOfRule(rule.id);
    expect(jobs.map((j) => j.kind)).toEqual(["threshold.triggered", "threshold.recovered"]);
    expect(jobs[0]!.payload).toMatchObject({
      category: "billing",
      impact: "major",
      topic: "low_balance",
      audience: { type: "tenant", orgId: admin.org.id },
    });
    expect(jobs[1]!.payload.message).toMatch(/^Recovered: balance_eur is back to 650/);
    // The incident: tenant-only, opened on fire and resolved on reset, one for the episode.
    const incidentId = jobs[0]!.payload.incidentId!;
    expect(jobs[1]!.payload.incidentId).toBe(incidentId);
    const [inc] = await t.db.select().from(incidents).where(eq(incidents.id, incidentId));
    expect(inc).toMatchObject({
      audienceOrgId: admin.org.id,
      category: "billing",
      status: "resolved",
    });
    const updates = await t.db
      .select()
      .from(incidentUpdates)
      .where(eq(incidentUpdates.incidentId, incidentId));
    expect(updates.map((u) => u.status).sort()).toEqual(["investigating", "resolved"]);
    expect((await ruleRow(rule.id)).incidentId).toBeNull();
    // The rule's contacts got both the alert and the recovered notice.
    const sent = await t.db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.orgId, admin.org.id), eq(deliveries.recipientType, "recipient")));
    const mine = sent.filter((d) => jobs.some((j) => j.id === d.jobId));
    expect(mine.map((d) => `${d.channel}:${d.destination}`).sort()).toEqual([
      "email:finance@acme.test",
      "email:finance@acme.test",
      "email:ops@acme.test",
      "email:ops@acme.test",
      "sms:+919812345678",
      "sms:+919812345678",
    ]);
    expect(mine[0]!.trace[0]).toMatchObject({ step: "contact" });

    // The chart: the values as the rule saw them, firing from 450 until 650 (not ended at 520).
    const chart = await ruleChart(t.db, await ruleRow(rule.id), at(10));
    expect(chart.points.filter((p) => p.value !== null).map((p) => p.value)).toEqual([
      800, 450, 520, 650, 650,
    ]);
    expect(chart.firing).toEqual([{ from: at(2), to: at(4) }]);
  });

  it("refuses bad contacts, a reset on the wrong side and minimum calls on a gauge, naming each field", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    const err = await createRule({
      ctx: admin,
      input: {
        name: "x",
        metric: "balance",
        operator: "lt",
        threshold: 500,
        resetThreshold: 400,
        samplePeriodMinutes: 0,
        minCalls: 10,
        contactEmails: ["not-an-address"],
        contactPhones: ["0981234"],
        labelFilter: { Region: "x" },
      },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    const fields = Object.fromEntries(
      (err as ValidationError).issues.map((i) => [i.field, i.message]),
    );
    expect(fields).toMatchObject({
      "contactEmails.0": "must be an email address",
      "contactPhones.0": "must be a phone number in E.164 form, e.g. +919812345678",
      samplePeriodMinutes: "must be 1 minutes or more",
      "labelFilter.Region": expect.stringContaining("label names"),
    });
    const wrongSide = await createRule({
      ctx: admin,
      input: { name: "x", metric: "balance", operator: "lt", threshold: 500, resetThreshold: 400 },
    }).catch((e) => e);
    expect((wrongSide as ValidationError).issues).toEqual([
      {
        field: "resetThreshold",
        message: 'must be at or above the threshold 500 for a "below" rule',
      },
    ]);
    const minCalls = await createRule({
      ctx: admin,
      input: { name: "x", metric: "cps", operator: "gt", threshold: 5, minCalls: 3 },
    }).catch((e) => e);
    expect((minCalls as ValidationError).issues).toEqual([
      { field: "minCalls", message: "applies only to the call metrics asr, acd, pdd and attempts" },
    ]);
  });
});

describe("labels and the scheduled evaluation", () => {
  it("counts only samples with the rule's labels", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    const rule = await createRule({
      ctx: admin,
      now: at(100),
      input: {
        name: "Channels FRA",
        metric: "channels_lab",
        operator: ">",
        threshold: 100,
        labelFilter: { region: "FRA" },
        aggregation: "max",
        samplePeriodMinutes: 5,
      },
    });
    await recordSamples({
      ctx: admin,
      now: () => at(101),
      input: {
        samples: [
          { metric: "channels_lab", value: 500, at: iso(101), labels: { region: "BOM" } },
          {
            metric: "channels_lab",
            value: 90,
            at: iso(101),
            labels: { region: "FRA", trunk: "a" },
          },
        ],
      },
    });
    expect((await ruleRow(rule.id)).state).toBe("ok");
    expect((await ruleRow(rule.id)).lastValue).toBe(90);
  });

  it("fires after the pending period and reports no data without new samples", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    const rule = await createRule({
      ctx: admin,
      now: at(200),
      input: {
        name: "CPS high",
        metric: "cps_sched",
        operator: ">=",
        threshold: 50,
        pendingSeconds: 120,
        samplePeriodMinutes: 10,
        aggregation: "avg",
        noDataMinutes: 15,
        noDataAlert: true,
      },
    });
    expect(rule.state).toBe("nodata");
    await recordSamples({
      ctx: admin,
      now: () => at(200),
      input: { samples: [{ metric: "cps_sched", value: 60, at: iso(200) }] },
    });
    expect((await ruleRow(rule.id)).state).toBe("pending");
    await evaluateAllRules(t.db, at(201));
    expect((await ruleRow(rule.id)).state).toBe("pending");
    await evaluateAllRules(t.db, at(202));
    expect((await ruleRow(rule.id)).state).toBe("firing");
    // The sample leaves the window: nothing to judge, the state holds.
    await evaluateAllRules(t.db, at(211));
    expect((await ruleRow(rule.id)).state).toBe("firing");
    await evaluateAllRules(t.db, at(215));
    const r = await ruleRow(rule.id);
    expect(r.state).toBe("nodata");
    const jobs = await jobsOfRule(rule.id);
    expect(new Set(jobs.map((j) => j.payload.incidentId)).size).toBe(1);
    const kinds = (await jobsOfRule(rule.id)).map((j) => `${j.kind}:${j.payload.status}`);
    // No data on creation (alerting); the sample holds the condition, so the same incident goes
    // on to firing after the pending period; then no data again.
    expect(kinds).toEqual([
      "threshold.triggered:no data",
      "threshold.triggered:triggered",
      "threshold.triggered:no data",
    ]);
  });
});

describe("who may post whose metrics", () => {
  it("a platform key posts for the tenant it names; a tenant key only for itself", async () => {
    const platform = await ctxFor(t.db, "admin@beacon.test");
    const acme = await ctxFor(t.db, "admin@acme.test");
    const res = await recordSamples({
      ctx: platform,
      input: { tenant: "acme", samples: [{ metric: "credit_limit", value: 1234 }] },
    });
    expect(res.accepted).toBe(1);
    const rows = await t.db
      .select({ orgId: metricSamples.orgId })
      .from(metricSamples)
      .where(eq(metricSamples.metric, "credit_limit"));
    expect(rows).toEqual([{ orgId: acme.org.id }]);
    await expect(
      recordSamples({ ctx: platform, input: { samples: [{ metric: "credit_limit", value: 1 }] } }),
    ).rejects.toThrowError(/tenant: is required with a platform key/);
    const [platformOrg] = await t.db
      .select()
      .from(organizations)
      .where(eq(organizations.kind, "platform"));
    await expect(
      recordSamples({
        ctx: platform,
        input: { tenant: platformOrg!.slug, samples: [{ metric: "x", value: 1 }] },
      }),
    ).rejects.toThrowError(/tenant: is not a tenant organization/);
    await expect(
      recordSamples({
        ctx: acme,
        input: { tenant: "globex", samples: [{ metric: "x", value: 1 }] },
      }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect(
      (
        await recordSamples({
          ctx: acme,
          input: { tenant: "acme", samples: [{ metric: "x", value: 1 }] },
        })
      ).accepted,
    ).toBe(1);
  });

  it("rejects a batch whole, naming the item and the field", async () => {
    const acme = await ctxFor(t.db, "admin@acme.test");
    const err = await recordSamples({
      ctx: acme,
      input: {
        samples: [{ metric: "whole_batch", value: 1 }],
        calls: [
          { answered: true, durationSeconds: 10 },
          { answered: "yes", pddMs: -1 },
        ],
      },
    }).catch((e) => e);
    expect((err as ValidationError).issues).toEqual([
      { field: "calls.1.answered", message: "must be true or false" },
      { field: "calls.1.pddMs", message: "must be 0 or more" },
    ]);
    const rows = await t.db
      .select()
      .from(metricSamples)
      .where(eq(metricSamples.metric, "whole_batch"));
    expect(rows).toEqual([]);
  });

  it("keeps another tenant's rules out of reach", async () => {
    const acme = await ctxFor(t.db, "admin@acme.test");
    const globex = await ctxFor(t.db, "admin@globex.test");
    const rule = await createRule({
      ctx: acme,
      input: { name: "Mine", metric: "asr", operator: "<", threshold: 30 },
    });
    await expect(getRule({ ctx: globex, input: { ruleId: rule.id } })).rejects.toThrowError(
      /Threshold rule not found/,
    );
    await expect(getRule({ ctx: globex, input: { ruleId: "nope" } })).rejects.toThrowError(
      /Threshold rule not found/,
    );
    await expect(
      updateRule({
        ctx: globex,
        input: { ruleId: rule.id, name: "x", metric: "asr", operator: "<", threshold: 1 },
      }),
    ).rejects.toThrowError(/Threshold rule not found/);
    // Globex's calls never move Acme's ASR rule.
    await recordSamples({
      ctx: globex,
      input: { calls: [{ answered: false }, { answered: false }] },
    });
    expect((await ruleRow(rule.id)).lastValue).toBeNull();
  });
});
