/**
 * Fan-out benchmark: N webhook subscribers on a local receiver.
 *   npm run bench:fanout            (PGlite, then PostgreSQL at BENCH_DATABASE_URL, default the local server)
 * Prints one JSON line at the end with the figures, including `ratio` (bare loop time / pipeline
 * time, the median of BENCH_ROUNDS (5) back-to-back rounds after one warm-up of each).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import postgres from "postgres";
// The pipeline posts with undici's request; the bare loop uses the same client so the ratio
// measures the pipeline, not a difference between HTTP clients.
import { request } from "undici";
import { eq, sql } from "drizzle-orm";
import { openDatabase, type DbHandle } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { seedDatabase } from "@/server/seed";
import { alertEndpoints, organizations } from "@/db/schema";
import { applyDefaultAlertSettings } from "@/lib/alerts/defaults";
import { webhookEvent, webhookHeaders } from "@/lib/channels/webhook";
import { encryptSecret } from "@/lib/crypto/secrets";
import { generateWebhookSecret } from "@/lib/crypto/webhook-secrets";
import { enqueueNotification } from "@/lib/alerts/outbox";
import { withTransaction } from "@/lib/context";
import { startEmbeddedDriver } from "@/lib/jobs/embedded-driver";
import type { ChannelSettings } from "@/lib/channels/settings";

const N = Number(process.env.BENCH_SUBSCRIBERS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const UPDATES = Number(process.env.BENCH_UPDATES ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

function receiver() {
  let count = 0;
  let waiters: { n: number; resolve: () => void }[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      count++;
      res.writeHead(200).end();
      waiters = waiters.filter((w) => (count >= w.n ? (w.resolve(), false) : true));
    });
  });
  return new Promise<{
    url: string;
    count: () => number;
    reset: () => void;
    until: (n: number) => Promise<void>;
    close: () => void;
  }>((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
        count: () => count,
        reset: () => (count = 0),
        until: (n) =>
          count >= n ? Promise.resolve() : new Promise((r) => waiters.push({ n, resolve: r })),
        close: () => server.close(),
      }),
    ),
  );
}

async function open(
  engine: "pglite" | "postgres",
): Promise<DbHandle & { drop?: () => Promise<void> }> {
  if (engine === "pglite") {
    const h = await openDatabase({ engine: "pglite" });
    await migrateDatabase(h);
    return h;
  }
  const admin = postgres(process.env.BENCH_DATABASE_URL!, { max: 1, onnotice: () => {} });
  const name = `beacon_bench_${randomBytes(4).toString("hex")}`;
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(process.env.BENCH_DATABASE_URL!);
  url.pathname = `/${name}`;
  const h = await openDatabase({ engine: "postgres", url: url.toString(), max: 20 });
  await migrateDatabase(h);
  return {
    ...h,
    drop: async () => {
      await h.close();
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function run(engine: "pglite" | "postgres") {
  const h = await open(engine);
  const db = h.db;
  const r = await receiver();
  await seedDatabase(db, { demo: false });
  const [platform] = await db
    .select()
    .from(organizations)
    .where(eq(organizations.slug, "platform"));
  const [tenant] = await db
    .insert(organizations)
    .values({ slug: "bench", name: "Bench", kind: "tenant" })
    .returning();
  await db.transaction((tx) => applyDefaultAlertSettings(tx, tenant!.id));
  // Every subscriber has its own URL and secret, each encrypted on its own, as in real use.
  const secrets = Array.from({ length: N }, generateWebhookSecret);
  for (let i = 0; i < N; i += 1000) {
    await db.insert(alertEndpoints).values(
      Array.from({ length: Math.min(1000, N - i) }, (_, j) => ({
        orgId: tenant!.id,
        type: "webhook" as const,
        name: `sub ${i + j}`,
        urlEncrypted: encryptSecret(`${r.url}/${i + j}`),
        // Each subscriber is its own customer, on its own host (all served by the one receiver).
        urlHint: `sub${i + j}.bench`,
        secretEncrypted: encryptSecret(secrets[i + j]!),
      })),
    );
  }
  const settings: ChannelSettings = {
    appUrl: "http://beacon.bench",
    allowPrivate: true,
    devMailbox: true,
    webhookTimeoutMs: 15_000,
    email: { from: "bench@beacon.bench" },
  };
  const driver = startEmbeddedDriver(db, {
    pollIntervalMs: 60_000,
    concurrency: CONCURRENCY,
    planPartRows: engine === "postgres" ? undefined : Infinity,
    deliver: { settings },
  });
  const payload = (title: string) => ({
    title,
    category: "infrastructure" as const,
    impact: "major" as const,
    audience: { type: "public" as const },
    componentIds: [],
    regionIds: [],
    status: "identified" as const,
  });
  // Enqueueing wakes the job driver once the transaction commits.
  const post = (title: string) =>
    withTransaction({ db }, (tx) =>
      enqueueNotification(tx, {
        orgId: platform!.id,
        kind: "incident.updated",
        payload: payload(title),
      }),
    );

  // 1. Full fan-out: post an update, wait for the last acknowledged delivery.
  const fanout = async (title: string) => {
    r.reset();
    const t0 = performance.now();
    await post(title);
    await r.until(1);
    const first = performance.now() - t0;
    await r.until(N);
    return { ms: performance.now() - t0, first };
  };

  // 2. The same N POSTs in a bare loop at the same concurrency: the same event body, each signed
  // with its subscriber's secret, with no database, queue, decryption or retry bookkeeping.
  const body = JSON.stringify(
    webhookEvent(
      { kind: "incident.updated", payload: payload("Bench fan-out"), createdAt: new Date() },
      settings.appUrl,
    ),
  );
  const bareLoop = async () => {
    r.reset();
    const t1 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < N; i = next++) {
          const res = await request(`${r.url}/${i}`, {
            method: "POST",
            body,
            headers: webhookHeaders([secrets[i]!], `msg_${i}`, new Date(), body),
          });
          await res.body.text();
        }
      }),
    );
    return performance.now() - t1;
  };

  // The service is long-running: the first run of each also pays for compiling its code (and
  // the bare loop would run on a client the fan-out had already warmed). Both are run once
  // before measuring, and those cold figures are reported too. The machine's speed drifts, so
  // each round times a fan-out and a bare loop back to back; the ratio is the median of rounds.
  const cold = await fanout("Bench warm-up");
  const coldBareMs = await bareLoop();
  const rounds: { fanout: number; first: number; bare: number; ratio: number }[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const f = await fanout(`Bench fan-out ${i}`);
    const bare = await bareLoop();
    rounds.push({ fanout: f.ms, first: f.first, bare, ratio: bare / f.ms });
  }
  const median = (xs: number[]) => pct(xs, 50);

  // 3. Time to first delivery over UPDATES updates, with one subscriber left.
  // Removed rather than disabled: a disabled endpoint still gets a (skipped) delivery per alert.
  await db.delete(alertEndpoints).where(sql`${alertEndpoints.name} <> 'sub 0'`);
  const firsts: number[] = [];
  for (let i = 0; i < UPDATES; i++) {
    r.reset();
    const t = performance.now();
    await post(`Bench update ${i}`);
    await r.until(1);
    firsts.push(performance.now() - t);
  }
  await driver.stop();
  r.close();
  if (h.drop) await h.drop();
  else await h.close();
  const out = {
    engine,
    // The runtime settings the figures were taken with (npm run bench:fanout sets those of npm start).
    node_options: process.env.NODE_OPTIONS?.trim() ?? "",
    subscribers: N,
    concurrency: CONCURRENCY,
    rounds: ROUNDS,
    fanout_ms: Math.round(median(rounds.map((x) => x.fanout))),
    fanout_first_delivery_ms: Math.round(median(rounds.map((x) => x.first))),
    bare_loop_ms: Math.round(median(rounds.map((x) => x.bare))),
    ratio: Number(median(rounds.map((x) => x.ratio)).toFixed(3)),
    round_ratios: rounds.map((x) => Number(x.ratio.toFixed(3))),
    fanout_cold_ms: Math.round(cold.ms),
    bare_loop_cold_ms: Math.round(coldBareMs),
    first_delivery_p50_ms: Math.round(pct(firsts, 50)),
    first_delivery_p99_ms: Math.round(pct(firsts, 99)),
  };
  console.error(
    `${engine}: ${N} deliveries in ${out.fanout_ms} ms (first after ${out.fanout_first_delivery_ms} ms; bare loop ${out.bare_loop_ms} ms, ratio ${out.ratio}, rounds ${out.round_ratios.join(" ")}; cold: ${out.fanout_cold_ms} ms vs ${out.bare_loop_cold_ms} ms); first delivery p50 ${out.first_delivery_p50_ms} ms, p99 ${out.first_delivery_p99_ms} ms`,
  );
  return out;
}

async function main() {
  // BENCH_ENGINES=postgres (or pglite) runs one engine only, e.g. under a profiler.
  const engines = (process.env.BENCH_ENGINES ?? "postgres,pglite").split(",");
  const results = [];
  if (process.env.BENCH_DATABASE_URL && engines.includes("postgres"))
    results.push(await run("postgres"));
  if (engines.includes("pglite")) results.push(await run("pglite"));
  const primary = results[0]!;
  console.log(JSON.stringify({ ...primary, ratio: primary.ratio, runs: results }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
