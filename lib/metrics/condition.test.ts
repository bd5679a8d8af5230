import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import { escalations, thresholdRules } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { ValidationError } from "@/lib/errors";
import { createPolicy } from "@/lib/oncall/policies";
import { checkCondition, commonLabels, CONDITION_MAX_LENGTH, evaluateCondition } from "./condition";
import { step, type RuleClock } from "./state";
import { evaluateAllRules } from "./evaluator";
import { createRule, previewRule, updateRule } from "./rules";
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

/** The ValidationError's issues of a rejected promise. */
async function issues(p: Promise<unknown>) {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ValidationError);
  return Object.fromEntries((e as ValidationError).issues.map((i) => [i.field, i.message]));
}

describe("type-checking a condition", () => {
  const bad = (metric: string, expr: string) => {
    const r = checkCondition(metric, expr);
    expect(r.ok, expr).toBe(false);
    return r.ok ? "" : r.message;
  };
  it("accepts the issue's example on a call metric, with ints and doubles compared", () => {
    expect(checkCondition("asr", 'asr < 30.0 && attempts > 100 && region == "BOM"').ok).toBe(true);
    expect(checkCondition("asr", "asr < 30 && attempts > 100.0").ok).toBe(true);
    expect(checkCondition("balance", 'value < 10.0 && labels.account == "x"').ok).toBe(true);
    expect(checkCondition("cps", 'samples >= 3 && trunk.startsWith("t")').ok).toBe(true);
    expect(checkCondition("pdd", 'region in ["BOM", "FRA"] && trunk.size() > 0').ok).toBe(true);
  });
  it("names the unknown variable, the wrong types, a non-boolean result and a syntax error, with where", () => {
    expect(bad("asr", "foo > 1")).toMatch(/Unknown variable: foo \(line 1, column 1\).*asr, acd/);
    // Call variables do not exist for a sample metric.
    expect(bad("balance", "attempts > 100")).toMatch(/Unknown variable: attempts/);
    expect(bad("asr", 'asr < "x"')).toMatch(/no such overload: double < string/);
    expect(bad("asr", "asr + 1.0")).toMatch(/must be true or false, not a double/);
    expect(bad("asr", "asr <")).toMatch(/^syntax error \(line 1, column 6\)/);
    expect(bad("asr", "asr < 1\n && (")).toMatch(/line 2/);
  });
  it("keeps to its limits: length, size, loops and regular expressions", () => {
    expect(bad("asr", `asr < 1.0 || ${"asr < 1.0 || ".repeat(80)}false`)).toMatch(
      new RegExp(`at most ${CONDITION_MAX_LENGTH} characters`),
    );
    expect(bad("asr", `${"(".repeat(40)}true${")".repeat(40)}`)).toMatch(/depth|nest/i);
    expect(bad("asr", "[1, 2, 3].all(x, x > 0)")).toMatch(/all\(\) is not allowed/);
    expect(bad("asr", "[1, 2].exists(x, [1, 2].exists(y, y == x))")).toMatch(/is not allowed/);
    expect(bad("asr", 'region.matches("(a+)+$")')).toMatch(/matches\(\) is not allowed/);
  });
});

describe("evaluating a condition", () => {
  it("reads aggregates and labels; a missing label is an error, not a crash", () => {
    const vars = {
      value: 20,
      labels: { region: "BOM" },
      asr: 20,
      attempts: 150,
      answered: 30,
      acd: 40,
      pdd: 900,
    };
    const expr = 'asr < 30.0 && attempts > 100 && region == "BOM"';
    expect(evaluateCondition("asr", expr, vars)).toEqual({ holds: true });
    expect(evaluateCondition("asr", expr, { ...vars, attempts: 90 })).toEqual({ holds: false });
    expect(evaluateCondition("asr", expr, { ...vars, labels: {} })).toEqual({ holds: false });
    const missing = evaluateCondition("asr", 'labels.trunk == "t1"', vars);
    expect(missing).toEqual({ error: expect.stringMatching(/^Condition: No such key: trunk/) });
    expect(evaluateCondition("asr", "attempts / 0 > 1", vars)).toEqual({
      error: expect.stringMatching(/division by zero/),
    });
    expect(commonLabels([{ a: "1", b: "2" }, { a: "1", b: "3" }, { a: "1" }])).toEqual({ a: "1" });
  });
  it("is ANDed with the threshold in the state machine, and a false condition recovers", () => {
    const rule: RuleClock = {
      operator: "lt",
      threshold: 30,
      resetThreshold: 35,
      pendingSeconds: 0,
      repeatMinutes: 0,
      noDataMinutes: null,
      noDataAlert: false,
      state: "ok",
      pendingSince: null,
      lastNotifiedAt: null,
    };
    const obs = { value: 20, lastDataAt: T0 };
    expect(step(rule, { ...obs, condition: false }, T0).state).toBe("ok");
    expect(step(rule, { ...obs, condition: true }, T0).action).toBe("fire");
    const firing = { ...rule, state: "firing" as const };
    expect(step(firing, { ...obs, condition: true }, T0).state).toBe("firing");
    expect(step(firing, { ...obs, condition: false }, T0)).toMatchObject({
      state: "ok",
      action: "recover",
    });
  });
});

describe("rules with conditions", () => {
  it("refuses a bad condition at save, naming the field (the API's path)", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    const fields = await issues(
      createRule({
        ctx: admin,
        input: { name: "x", metric: "asr", operator: "<", threshold: 30, condition: "atempts > 1" },
      }),
    );
    expect(fields.condition).toMatch(/Unknown variable: atempts/);
  });

  it("fires only when the labels and aggregates of the window fit, per region", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    const rule = await createRule({
      ctx: admin,
      now: at(0),
      input: {
        name: "ASR BOM busy",
        metric: "asr",
        operator: "<",
        threshold: 50,
        samplePeriodMinutes: 10,
        labelFilter: { trunk: "cond1" },
        condition: 'attempts >= 4 && region == "BOM"',
      },
    });
    // Four failed calls on trunk cond1, two regions: region is "" (not shared) → no fire.
    await recordSamples({
      ctx: admin,
      now: () => at(1),
      input: {
        calls: [
          { at: iso(1), answered: false, region: "BOM", trunk: "cond1" },
          { at: iso(1), answered: false, region: "BOM", trunk: "cond1" },
          { at: iso(1), answered: false, region: "BOM", trunk: "cond1" },
          { at: iso(1), answered: false, region: "FRA", trunk: "cond1" },
        ],
      },
    });
    expect(await ruleRow(rule.id)).toMatchObject({ state: "ok", lastValue: 0 });
    // 11 minutes on only BOM calls are in the window: it fires.
    await recordSamples({
      ctx: admin,
      now: () => at(12),
      input: {
        calls: [1, 2, 3, 4].map(() => ({
          at: iso(12),
          answered: false,
          region: "BOM",
          trunk: "cond1",
        })),
      },
    });
    const fired = await ruleRow(rule.id);
    expect(fired).toMatchObject({ state: "firing", conditionError: null });
  });

  it("marks the rule with an evaluation error and goes on with the other rules", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    const broken = await createRule({
      ctx: admin,
      now: at(200),
      input: {
        name: "Broken label",
        metric: "cps_cond",
        operator: ">",
        threshold: 10,
        condition: 'labels.pop == "x"',
      },
    });
    const fine = await createRule({
      ctx: admin,
      now: at(200),
      input: { name: "Fine", metric: "cps_cond", operator: ">", threshold: 10 },
    });
    await recordSamples({
      ctx: admin,
      now: () => at(201),
      input: { samples: [{ metric: "cps_cond", value: 50, at: iso(201) }] },
    });
    const b = await ruleRow(broken.id);
    expect(b.state).toBe("ok");
    expect(b.conditionError).toMatch(/^Condition: No such key: pop/);
    expect(b.lastEvaluatedAt).toEqual(at(201));
    expect((await ruleRow(fine.id)).state).toBe("firing");
    // The scheduled pass too.
    await evaluateAllRules(t.db, at(202));
    expect((await ruleRow(broken.id)).conditionError).toMatch(/No such key: pop/);
    // Samples that carry the label: it evaluates, the error is gone, and it fires.
    await recordSamples({
      ctx: admin,
      now: () => at(203),
      input: {
        samples: [{ metric: "cps_cond", value: 60, at: iso(203), labels: { pop: "x" } }],
      },
    });
    await evaluateAllRules(t.db, at(203.5));
    // The window (60 min) still holds the unlabelled sample: no shared "pop" yet.
    expect((await ruleRow(broken.id)).conditionError).toMatch(/No such key: pop/);
    await evaluateAllRules(t.db, at(262));
    expect(await ruleRow(broken.id)).toMatchObject({ state: "firing", conditionError: null });
  });
});

describe("the escalation policy field", () => {
  it("takes the tenant's own policy, refuses another tenant's as unknown, and pages it on firing", async () => {
    const acme = await ctxFor(t.db, "admin@acme.test");
    const globex = await ctxFor(t.db, "admin@globex.test");
    const mine = await createPolicy({
      ctx: acme,
      input: { name: "Acme rule NOC", tiers: [{ roleGroups: ["tech_devops"], timeoutMinutes: 5 }] },
    });
    const theirs = await createPolicy({
      ctx: globex,
      input: { name: "Globex NOC", tiers: [{ roleGroups: ["tech_devops"], timeoutMinutes: 5 }] },
    });
    const base = { name: "Paged", metric: "balance_pg", operator: "<", threshold: 100 };
    const refused = await issues(
      createRule({ ctx: acme, input: { ...base, escalationPolicyId: theirs.id } }),
    );
    expect(refused.escalationPolicyId).toBe("must be one of your escalation policies");
    const unknown = await issues(
      createRule({
        ctx: acme,
        input: { ...base, escalationPolicyId: "00000000-0000-4000-8000-000000000000" },
      }),
    );
    expect(unknown.escalationPolicyId).toBe(refused.escalationPolicyId);
    expect(
      (await issues(createRule({ ctx: acme, input: { ...base, escalationPolicyId: "x" } })))
        .escalationPolicyId,
    ).toBe(refused.escalationPolicyId);

    const rule = await createRule({ ctx: acme, input: { ...base, escalationPolicyId: mine.id } });
    expect(rule.escalationPolicyId).toBe(mine.id);
    const changed = await issues(
      updateRule({ ctx: acme, input: { ...base, ruleId: rule.id, escalationPolicyId: theirs.id } }),
    );
    expect(changed.escalationPolicyId).toBe(refused.escalationPolicyId);
    expect((await ruleRow(rule.id)).escalationPolicyId).toBe(mine.id);

    await recordSamples({ ctx: acme, input: { samples: [{ metric: "balance_pg", value: 5 }] } });
    const [e] = await t.db.select().from(escalations).where(eq(escalations.ruleId, rule.id));
    expect(e).toMatchObject({ status: "active", policyId: mine.id, orgId: acme.org.id });

    // Cleared with an empty choice (the form's "None").
    const cleared = await updateRule({
      ctx: acme,
      input: { ...base, ruleId: rule.id, escalationPolicyId: "" },
    });
    expect(cleared.escalationPolicyId).toBeNull();
  });
});

describe("the draft preview", () => {
  it("charts the draft's values and shades where it would have fired, condition included", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    const now = at(2000);
    // A gauge for 6 hours: 100 for the first 3, then 10; the last hour tagged pop=x.
    const samples = [];
    for (let m = -360; m <= -10; m += 10) {
      samples.push({
        metric: "gauge_pv",
        value: m < -180 ? 100 : 10,
        at: new Date(now.getTime() + m * 60_000).toISOString(),
        ...(m > -60 ? { labels: { pop: "x" } } : {}),
      });
    }
    await recordSamples({ ctx: admin, now: () => now, input: { samples } });
    const draft = {
      metric: "gauge_pv",
      operator: "<",
      threshold: 50,
      samplePeriodMinutes: 1,
      // Fields the preview does not read are not checked.
      contactEmails: "not an email",
    };
    const p = await previewRule({ ctx: admin, input: draft, now });
    expect(p).toMatchObject({ metric: "gauge_pv", threshold: 50, resetThreshold: null });
    expect(p.chart.to).toEqual(now);
    const firstLow = new Date(now.getTime() - 180 * 60_000);
    expect(p.chart.firing).toEqual([{ from: firstLow, to: now }]);
    const valued = p.chart.points.filter((x) => x.value !== null);
    expect(valued.map((x) => x.value)).toEqual(samples.map((s) => s.value));

    // A reset above the values never resets; pending 30 min delays the start by three points.
    const pending = await previewRule({
      ctx: admin,
      input: { ...draft, pendingSeconds: 1800 },
      now,
    });
    expect(pending.chart.firing[0]!.from).toEqual(new Date(firstLow.getTime() + 30 * 60_000));

    // With a condition on the label only the tagged hour would have fired (until the data ends).
    const cond = await previewRule({
      ctx: admin,
      input: {
        ...draft,
        samplePeriodMinutes: 5,
        condition: 'has(labels.pop) && labels.pop == "x"',
      },
      now,
    });
    expect(cond.chart.firing).toEqual([{ from: new Date(now.getTime() - 50 * 60_000), to: now }]);

    // Another tenant's preview sees none of it; a bad condition is named like on save.
    const globex = await ctxFor(t.db, "admin@globex.test");
    const other = await previewRule({ ctx: globex, input: draft, now });
    expect(other.chart.points.every((x) => x.value === null)).toBe(true);
    expect(other.chart.firing).toEqual([]);
    expect(
      (await issues(previewRule({ ctx: admin, input: { ...draft, condition: "nope" }, now })))
        .condition,
    ).toMatch(/Unknown variable: nope/);
  });
});
