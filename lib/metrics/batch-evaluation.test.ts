import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, inArray } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import {
  callRecords,
  metricSamples,
  thresholdRules,
  type Aggregation,
  type Labels,
  type ThresholdRule,
} from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { withTransaction } from "@/lib/context";
import { callMetricValue, evaluateRules, isCallMetric, observeAhead } from "./evaluate";
import { evaluateByOrg } from "./evaluator";
import { recordSamples } from "./record-samples";
import { createRule } from "./rules";

/**
 * The evaluation reads the windows of all the rules it evaluates together in one statement per
 * kind (lib/metrics/evaluate.ts, observeRules). Many rules of two tenants evaluated in one pass
 * must give what each gives evaluated alone, and what a plain reading of the rows gives, rows on
 * the very edges of the windows included.
 */

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
});
afterAll(async () => t?.close());

const T = new Date("2026-04-01T08:00:00Z");
const before = (ms: number) => new Date(T.getTime() - ms);
const PERIODS = [1, 5, 12];
const AGGS: Aggregation[] = ["avg", "min", "max", "sum", "count", "last"];
const REGIONS = ["FRA", "BOM"];

interface Sample {
  orgId: string;
  metric: string;
  value: number;
  at: Date;
  labels: Labels;
}
interface Call {
  orgId: string;
  at: Date;
  answered: boolean;
  durationSeconds: number;
  pddMs: number | null;
  region: string | null;
  trunk: string | null;
}

/** Rows of one tenant: spread over 20 minutes, on the edges of each window, and one ahead of T. */
function rowsOf(orgId: string, salt: number) {
  const samples: Sample[] = [];
  const calls: Call[] = [];
  const times: Date[] = [T, before(-1)]; // at T (inside every window) and 1 ms after (outside)
  for (const p of PERIODS) times.push(before(p * 60_000), before(p * 60_000 - 1));
  for (let j = 1; j <= 70; j++) times.push(before(j * 17_000 + salt));
  times.push(before(40 * 60_000)); // only an old sample of "quiet": silence, not no rows at all
  times.forEach((at, i) => {
    const region = REGIONS[(i + salt) % REGIONS.length]!;
    samples.push({
      orgId,
      metric: "gauge",
      value: ((i * 37 + salt * 11) % 160) / 4,
      at,
      labels: i % 3 ? { region } : { region, trunk: "t1" },
    });
    calls.push({
      orgId,
      at,
      answered: (i + salt) % 3 !== 0,
      durationSeconds: (i * 7) % 90,
      pddMs: i % 4 ? 500 + ((i * 53) % 2000) : null,
      region: i % 5 ? region : null,
      trunk: i % 2 ? "t1" : "t2",
    });
  });
  samples.push({ orgId, metric: "quiet", value: 1, at: before(40 * 60_000), labels: {} });
  return { samples, calls };
}

type RuleSpec = Pick<
  ThresholdRule,
  "metric" | "aggregation" | "labelFilter" | "samplePeriodMinutes" | "minCalls" | "condition"
> & { key: string; noDataMinutes: number | null };

function specs(): RuleSpec[] {
  const out: RuleSpec[] = [];
  for (const p of PERIODS) {
    for (const filter of [{}, { region: "FRA" }, { region: "BOM", trunk: "t1" }] as Labels[]) {
      const f = JSON.stringify(filter);
      for (const aggregation of AGGS) {
        out.push({
          key: `gauge:${aggregation}:${p}:${f}`,
          metric: "gauge",
          aggregation,
          labelFilter: filter,
          samplePeriodMinutes: p,
          minCalls: 0,
          condition: aggregation === "avg" ? "samples >= 2" : null,
          noDataMinutes: null,
        });
      }
      for (const metric of ["asr", "acd", "pdd", "attempts"]) {
        for (const minCalls of [0, 4]) {
          out.push({
            key: `${metric}:${minCalls}:${p}:${f}`,
            metric,
            aggregation: "last",
            labelFilter: filter,
            samplePeriodMinutes: p,
            minCalls,
            condition: metric === "asr" && minCalls ? 'attempts > 5 && trunk == ""' : null,
            noDataMinutes: null,
          });
        }
      }
    }
  }
  out.push({
    key: "quiet",
    metric: "quiet",
    aggregation: "max",
    labelFilter: {},
    samplePeriodMinutes: 5,
    minCalls: 0,
    condition: null,
    noDataMinutes: 30,
  });
  return out;
}

/** The value a rule reads, from the rows themselves (the windows' definition, in plain code). */
function expected(spec: RuleSpec, orgId: string, rows: ReturnType<typeof rowsOf>): number | null {
  const since = T.getTime() - spec.samplePeriodMinutes * 60_000;
  const inWindow = (at: Date) => at.getTime() > since && at.getTime() <= T.getTime();
  const filter = spec.labelFilter;
  if (isCallMetric(spec.metric)) {
    const w = rows.calls.filter(
      (c) =>
        c.orgId === orgId &&
        inWindow(c.at) &&
        (filter.region === undefined || c.region === filter.region) &&
        (filter.trunk === undefined || c.trunk === filter.trunk),
    );
    const answered = w.filter((c) => c.answered);
    const pdds = w.flatMap((c) => (c.pddMs === null ? [] : [c.pddMs]));
    return callMetricValue(
      spec.metric,
      {
        attempts: w.length,
        answered: answered.length,
        acd: answered.length
          ? answered.reduce((s, c) => s + c.durationSeconds, 0) / answered.length
          : null,
        pdd: pdds.length ? pdds.reduce((s, x) => s + x, 0) / pdds.length : null,
      },
      spec.minCalls,
    );
  }
  const w = rows.samples
    .filter(
      (s) =>
        s.orgId === orgId &&
        s.metric === spec.metric &&
        inWindow(s.at) &&
        Object.entries(filter).every(([k, v]) => s.labels[k] === v),
    )
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  if (w.length === 0) return null;
  const values = w.map((s) => s.value);
  const sum = values.reduce((s, x) => s + x, 0);
  return {
    avg: sum / values.length,
    min: Math.min(...values),
    max: Math.max(...values),
    sum,
    count: values.length,
    last: values[values.length - 1]!,
  }[spec.aggregation];
}

describe("evaluating many rules in one pass", () => {
  it("gives each rule of two tenants what it gives alone, and what the rows say", async () => {
    const acme = await ctxFor(t.db, "admin@acme.test");
    const globex = await ctxFor(t.db, "admin@globex.test");
    const tenants = [
      { orgId: acme.org.id, rows: rowsOf(acme.org.id, 0) },
      { orgId: globex.org.id, rows: rowsOf(globex.org.id, 5) },
    ];
    for (const { rows } of tenants) {
      await t.db.insert(metricSamples).values(rows.samples);
      await t.db.insert(callRecords).values(rows.calls);
    }
    // Two identical sets of rules per tenant: one evaluated in one pass, one rule by rule.
    const created: Record<"together" | "alone", ThresholdRule[]> = { together: [], alone: [] };
    for (const set of ["together", "alone"] as const) {
      for (const { orgId } of tenants) {
        created[set].push(
          ...(await t.db
            .insert(thresholdRules)
            .values(
              specs().map(({ key, ...s }) => ({
                ...s,
                orgId,
                name: `${set}|${key}`,
                operator: "gt" as const,
                threshold: 20,
              })),
            )
            .returning()),
        );
      }
    }
    const together = await evaluateByOrg(
      t.db,
      new Map(created.together.map((r) => [r.id, r.orgId])),
      T,
    );
    const alone = [];
    for (const r of created.alone)
      alone.push(...(await evaluateByOrg(t.db, new Map([[r.id, r.orgId]]), T)));

    const rules = await t.db
      .select()
      .from(thresholdRules)
      .where(
        inArray(
          thresholdRules.id,
          [...created.together, ...created.alone].map((r) => r.id),
        ),
      );
    const byId = new Map(rules.map((r) => [r.id, r]));
    const key = (r: ThresholdRule) => `${r.orgId}|${r.name.split("|")[1]}`;
    const outcome = (set: ThresholdRule[], transitions: typeof together) =>
      Object.fromEntries(
        set.map((r) => {
          const row = byId.get(r.id)!;
          const tr = transitions.find((x) => x.ruleId === r.id);
          return [
            key(r),
            {
              state: row.state,
              lastValue: row.lastValue,
              conditionError: row.conditionError,
              evaluatedAt: row.lastEvaluatedAt?.toISOString(),
              transition: tr ? { state: tr.state, value: tr.value, action: tr.action } : null,
            },
          ];
        }),
      );
    const inOnePass = outcome(created.together, together);
    expect(inOnePass).toEqual(outcome(created.alone, alone));

    // And both are what the rows say, tenant by tenant (no tenant reads another's rows).
    for (const r of created.together) {
      const spec = specs().find((s) => s.key === r.name.split("|")[1])!;
      const rows = tenants.find((x) => x.orgId === r.orgId)!.rows;
      expect([key(r), byId.get(r.id)!.lastValue]).toEqual([key(r), expected(spec, r.orgId, rows)]);
      expect(byId.get(r.id)!.lastEvaluatedAt).toEqual(T);
    }
    // The pass did judge things: some rules fire, some stay ok, the quiet ones go to no data.
    const states = Object.values(inOnePass).map((o) => o.state);
    expect(states).toContain("firing");
    expect(states).toContain("ok");
    expect(states).toContain("nodata");
    expect(together.length).toBeGreaterThan(10);
  });
});

describe("windows read ahead of the evaluating transaction", () => {
  it("a rule whose window was edited after the read is read again under its lock", async () => {
    const acme = await ctxFor(t.db, "admin@acme.test");
    const orgId = acme.org.id;
    const [rule, kept] = await t.db
      .insert(thresholdRules)
      .values(
        ["edited", "kept"].map((name) => ({
          orgId,
          name,
          metric: "ahead_gauge",
          operator: "gt" as const,
          threshold: 1e9,
          aggregation: "max" as const,
          samplePeriodMinutes: 5,
        })),
      )
      .returning();
    await t.db.insert(metricSamples).values([
      { orgId, metric: "ahead_gauge", value: 10, at: before(60_000), labels: {} },
      { orgId, metric: "ahead_gauge", value: 99, at: before(10 * 60_000), labels: {} },
    ]);
    const ahead = await observeAhead(t.db, orgId, [rule!.id, kept!.id], T);
    expect(ahead.observations.get(rule!.id)?.value).toBe(10);
    // Edited in between: its 15-minute window now holds the 99.
    await t.db
      .update(thresholdRules)
      .set({ samplePeriodMinutes: 15 })
      .where(eq(thresholdRules.id, rule!.id));
    // A read-ahead value the evaluation must not see again for the unchanged rule: proves it is used.
    ahead.observations.set(kept!.id, { ...ahead.observations.get(kept!.id)!, value: 42 });
    await withTransaction({ db: t.db }, (tx) =>
      evaluateRules(tx, { org: { id: orgId } }, [rule!.id, kept!.id], T, ahead),
    );
    const after = await t.db
      .select({ id: thresholdRules.id, lastValue: thresholdRules.lastValue })
      .from(thresholdRules)
      .where(inArray(thresholdRules.id, [rule!.id, kept!.id]));
    const value = new Map(after.map((r) => [r.id, r.lastValue]));
    expect(value.get(rule!.id)).toBe(99);
    expect(value.get(kept!.id)).toBe(42);
  });
});

describe("evaluation after ingest", () => {
  it("evaluates batches stored at the same time in one pass, which both callers get", async () => {
    const acme = await ctxFor(t.db, "admin@acme.test");
    const now = new Date(T.getTime() + 3_600_000);
    const rule = await createRule({
      ctx: acme,
      now,
      input: {
        name: "Coalesced",
        metric: "coalesced",
        operator: ">",
        threshold: 100,
        aggregation: "max",
        samplePeriodMinutes: 10,
      },
    });
    const batch = (value: number, secondsAgo: number) =>
      recordSamples({
        ctx: acme,
        now: () => now,
        input: {
          samples: [
            {
              metric: "coalesced",
              value,
              at: new Date(now.getTime() - secondsAgo * 1000).toISOString(),
            },
          ],
        },
      });
    // Evaluated apart, one batch would see the rule fire and the other nothing new (it fires on
    // whichever brings 500, and stays firing); evaluated together, both see it fire.
    const [high, low] = await Promise.all([batch(500, 1), batch(1, 2)]);
    const fired = [{ ruleId: rule.id, state: "firing", value: 500, action: "fire" }];
    expect(high.transitions).toEqual(fired);
    expect(low.transitions).toEqual(fired);
  });
});
