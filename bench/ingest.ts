/**
 * Ingest benchmark: samples and call records accepted and evaluated end to end on PostgreSQL,
 * against a raw batched INSERT of the same rows in the same run.
 *   npm run bench:ingest          (PostgreSQL at BENCH_DATABASE_URL, default the local server)
 * The pipeline is recordSamples (validation, all-or-none insert, then the coalesced evaluation of
 * the rules reading those metrics: 100 active rules, half on gauges, half ASR/ACD/PDD over call
 * windows with label filters); a batch counts when its evaluation pass has finished. The raw
 * side inserts the same rows per batch in one transaction with the cheapest statement Beacon
 * knows for them (the pipeline's own, one JSON parameter per kind), at the same concurrency: the
 * ratio is what validation, the cap and the evaluation cost on top of storing. The raw rows go to
 * another tenant, so the rules' windows hold the pipeline's rows only.
 * Rounds alternate raw and pipeline after a warm-up of each; the figures are medians. Prints one
 * JSON line with `ratio` (pipeline items/s ÷ raw items/s) last.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { eq } from "drizzle-orm";
import { openDatabase, type Db } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { seedDatabase } from "@/server/seed";
import { organizations, thresholdRules, type Labels } from "@/db/schema";
import { applyDefaultAlertSettings } from "@/lib/alerts/defaults";
import { permissionsFor } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/context";
import { insertRows, recordSamples } from "@/lib/metrics/record-samples";

const BATCH = Number(process.env.BENCH_BATCH ?? 1000);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 60);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RULES = 100;
const METRICS = 10;
const REGIONS = ["BOM", "FRA", "IAD", "SIN"];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One batch's input: half gauge samples over METRICS metrics, half call records. */
function batchInput(round: number, b: number) {
  const now = Date.now();
  const samples = Array.from({ length: BATCH / 2 }, (_, i) => ({
    metric: `m${i % METRICS}`,
    value: 50 + ((i * 7 + b) % 100),
    at: new Date(now - ((i + b) % 60) * 1000).toISOString(),
    labels: { region: REGIONS[i % REGIONS.length]! },
  }));
  const calls = Array.from({ length: BATCH / 2 }, (_, i) => ({
    at: new Date(now - ((i + b + round) % 60) * 1000).toISOString(),
    answered: (i + b) % 3 !== 0,
    durationSeconds: 20 + (i % 120),
    pddMs: 800 + ((i * 13) % 3000),
    region: REGIONS[i % REGIONS.length]!,
    trunk: `t${i % 5}`,
  }));
  return { samples, calls };
}

async function pool<T>(n: number, jobs: (() => Promise<T>)[]) {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < jobs.length) await jobs[next++]!();
    }),
  );
}

async function main() {
  const adminUrl = process.env.BENCH_DATABASE_URL!;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const name = `beacon_bench_${randomBytes(4).toString("hex")}`;
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const h = await openDatabase({ engine: "postgres", url: url.toString(), max: 20 });
  try {
    await migrateDatabase(h);
    const db: Db = h.db;
    await seedDatabase(db, { demo: false });
    const [tenant] = await db
      .insert(organizations)
      .values({ slug: "bench", name: "Bench", kind: "tenant" })
      .returning();
    await db.transaction((tx) => applyDefaultAlertSettings(tx, tenant!.id));
    // The raw side stores into a tenant of its own: its rows land in the same tables and indexes
    // but not in the windows the pipeline's rules read.
    const [rawTenant] = await db
      .insert(organizations)
      .values({ slug: "bench-raw", name: "Bench (raw)", kind: "tenant" })
      .returning();
    const ctx: Ctx = {
      db,
      actor: { type: "api_key", id: tenant!.id, name: "bench" },
      org: { id: tenant!.id, slug: tenant!.slug, name: tenant!.name, kind: "tenant" },
      role: "tech_devops",
      permissions: permissionsFor("tech_devops"),
    };
    const aggs = ["avg", "min", "max", "sum", "count", "last"] as const;
    const callMetrics = ["asr", "acd", "pdd", "attempts"] as const;
    await db.insert(thresholdRules).values(
      Array.from({ length: RULES }, (_, i) => {
        const gauge = i < RULES / 2;
        return {
          orgId: tenant!.id,
          name: `rule ${i}`,
          metric: gauge ? `m${i % METRICS}` : callMetrics[i % callMetrics.length]!,
          operator: "gt" as const,
          threshold: 1e12,
          samplePeriodMinutes: 5 + (i % 10),
          aggregation: aggs[i % aggs.length]!,
          labelFilter: (i % 2 ? { region: REGIONS[i % REGIONS.length]! } : {}) as Labels,
          minCalls: gauge ? 0 : 10,
        };
      }),
    );
    const total = BATCH * BATCHES;

    const raw = async (round: number) => {
      const inputs = Array.from({ length: BATCHES }, (_, b) => batchInput(round, b));
      const t0 = performance.now();
      await pool(
        CONCURRENCY,
        inputs.map((input) => async () => {
          await db.transaction((tx) =>
            insertRows(
              tx,
              rawTenant!.id,
              input.samples.map((s) => ({ ...s, at: new Date(s.at) })),
              input.calls.map((c) => ({ ...c, at: new Date(c.at) })),
            ),
          );
        }),
      );
      return total / ((performance.now() - t0) / 1000);
    };
    const pipeline = async (round: number) => {
      const inputs = Array.from({ length: BATCHES }, (_, b) => batchInput(round, b));
      const t0 = performance.now();
      await pool(
        CONCURRENCY,
        inputs.map((input) => async () => {
          const res = await recordSamples({ ctx, input });
          if (res.accepted !== BATCH) throw new Error(`accepted ${res.accepted} of ${BATCH}`);
        }),
      );
      return total / ((performance.now() - t0) / 1000);
    };

    await raw(0);
    await pipeline(0);
    const raws: number[] = [];
    const pipes: number[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      raws.push(await raw(r));
      pipes.push(await pipeline(r));
    }
    const [evaluated] = await db
      .select({ at: thresholdRules.lastEvaluatedAt })
      .from(thresholdRules)
      .where(eq(thresholdRules.orgId, tenant!.id))
      .limit(1);
    if (!evaluated?.at) throw new Error("the rules were never evaluated");
    const pipelineItemsPerSec = Math.round(median(pipes));
    const rawItemsPerSec = Math.round(median(raws));
    console.log(
      JSON.stringify({
        engine: "postgres",
        rules: RULES,
        batch: BATCH,
        batches: BATCHES,
        concurrency: CONCURRENCY,
        rounds: ROUNDS,
        pipelineItemsPerSec,
        rawItemsPerSec,
        ratio: Math.round((pipelineItemsPerSec / rawItemsPerSec) * 100) / 100,
      }),
    );
  } finally {
    await h.close();
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
