/**
 * Crash recovery and fairness of the embedded job driver, on PostgreSQL (a throwaway database on
 * CHAOS_DATABASE_URL, default the local server):
 *
 *   npm run chaos:crash
 *
 * 1. restart: a driver process (scripts/chaos-driver.ts, the real lib/jobs code) fans out to
 *    CHAOS_ENDPOINTS (3,000) local webhook endpoints, is killed with SIGKILL mid-fan-out and
 *    started again;
 * 2. takeover: two driver processes share a fan-out, one is killed, the other carries on alone;
 * 3. throughput: one fan-out with one driver process, then with two;
 * 4. fairness: 100 endpoints of one tenant never answer; another tenant's first delivery, over
 *    50 incidents (driver in this process, woken after each commit as in the app).
 *
 * Prints the time from the kill to the first delivery resumed, duplicates (and whether each
 * shares its webhook-id), lost deliveries, throughput and first-delivery percentiles, then one
 * line of JSON. Figures, not assertions.
 */
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import postgres from "postgres";
import { and, eq, sql } from "drizzle-orm";
import { openDatabase } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { seedDatabase } from "@/server/seed";
import { alertEndpoints, deliveries, deliveryAttempts, organizations } from "@/db/schema";
import { applyDefaultAlertSettings } from "@/lib/alerts/defaults";
import { enqueueNotification } from "@/lib/alerts/outbox";
import { OUTCOME_UNKNOWN } from "@/lib/alerts/sweep";
import { withTransaction } from "@/lib/context";
import { encryptSecret } from "@/lib/crypto/secrets";
import { generateWebhookSecret } from "@/lib/crypto/webhook-secrets";
import { startEmbeddedDriver } from "@/lib/jobs/embedded-driver";

const N = Number(process.env.CHAOS_ENDPOINTS ?? 3000);
const HANGING = 100;
const UPDATES = 50;
const BASE_URL = process.env.CHAOS_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

interface Hit {
  path: string;
  id: string;
  at: number;
  /** The sending process (the host of the event's link). */
  by: string;
}

/** The webhook receivers: every request's path and webhook-id, answered after 5 ms. */
async function receiver() {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const link = /"url":"https?:\/\/([^/"]+)/.exec(body);
      hits.push({
        path: req.url ?? "",
        id: String(req.headers["webhook-id"]),
        at: performance.now(),
        by: link?.[1] ?? "?",
      });
      setTimeout(() => res.writeHead(200).end(), 5);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** A driver process; resolves with its instance id once it runs. */
function child(host = ""): { proc: ChildProcess; id: Promise<string>; exited: Promise<void> } {
  const proc = spawn(process.execPath, ["--import", "tsx", "scripts/chaos-driver.ts"], {
    env: { ...process.env, CHAOS_DATABASE_URL: dbUrl, CHAOS_HOST: host },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((r) => proc.once("exit", () => r()));
  const id = new Promise<string>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).once("line", resolve);
    proc.once("exit", (code) => reject(new Error(`driver process exited (${code})`)));
  });
  return { proc, id, exited };
}

async function stopChild(c: ReturnType<typeof child>) {
  c.proc.kill("SIGTERM");
  await Promise.race([c.exited, sleep(20_000)]);
  c.proc.kill("SIGKILL");
}

let dbUrl = "";

async function main() {
  const admin = postgres(BASE_URL, { max: 1, onnotice: () => {} });
  const name = `beacon_chaos_${randomBytes(4).toString("hex")}`;
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(BASE_URL);
  url.pathname = `/${name}`;
  dbUrl = url.toString();
  const h = await openDatabase({ engine: "postgres", url: dbUrl, max: 10 });
  const r = await receiver();
  const children: ReturnType<typeof child>[] = [];
  const start = (host = "") => {
    const c = child(host);
    children.push(c);
    return c;
  };
  try {
    await migrateDatabase(h);
    const db = h.db;
    await seedDatabase(db, { demo: false });
    const [platform] = await db
      .select()
      .from(organizations)
      .where(eq(organizations.slug, "platform"));
    const tenant = async (slug: string) => {
      const [o] = await db
        .insert(organizations)
        .values({ slug, name: slug, kind: "tenant" })
        .returning();
      await db.transaction((tx) => applyDefaultAlertSettings(tx, o!.id));
      return o!.id;
    };
    const endpoints = async (org: string, urls: string[], hint: (i: number) => string) => {
      for (let i = 0; i < urls.length; i += 1000)
        await db.insert(alertEndpoints).values(
          urls.slice(i, i + 1000).map((u, j) => ({
            orgId: org,
            type: "webhook" as const,
            name: `hook ${i + j}`,
            urlEncrypted: encryptSecret(u),
            urlHint: hint(i + j),
            secretEncrypted: encryptSecret(generateWebhookSecret()),
          })),
        );
    };
    // Each endpoint is its own customer's host, as in a real fan-out (all served here).
    const chaos = await tenant("chaos");
    await endpoints(
      chaos,
      Array.from({ length: N }, (_, i) => `${r.url}/e/${i}`),
      (i) => `e${i}.chaos.test`,
    );
    const post = (org: string, title: string) =>
      withTransaction({ db }, (tx) =>
        enqueueNotification(tx, {
          orgId: platform!.id,
          kind: "incident.created",
          payload: {
            title,
            category: "infrastructure",
            impact: "major",
            audience: { type: "tenant", orgId: org },
            componentIds: [],
            regionIds: [],
          },
        }),
      );
    const delivered = async (jobId: string) => {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(deliveries)
        .where(and(eq(deliveries.jobId, jobId), eq(deliveries.status, "delivered")));
      return Number(row!.n);
    };
    const allDelivered = async (jobId: string, timeoutMs = 300_000) => {
      const until = Date.now() + timeoutMs;
      while ((await delivered(jobId)) < N) {
        if (Date.now() > until) throw new Error(`job ${jobId}: not all delivered in time`);
        await sleep(100);
      }
      return performance.now();
    };
    const received = (from: number) => r.hits.length - from;
    const waitReceived = async (from: number, n: number) => {
      while (received(from) < n) await sleep(5);
    };
    /** Per endpoint: requests, distinct webhook-ids; lost = endpoints never reached. */
    const tally = async (from: number, jobId: string) => {
      const byPath = new Map<string, Set<string> & { n?: number }>();
      const counts = new Map<string, number>();
      for (const hit of r.hits.slice(from)) {
        if (!hit.path.startsWith("/e/")) continue;
        counts.set(hit.path, (counts.get(hit.path) ?? 0) + 1);
        const ids = byPath.get(hit.path) ?? new Set<string>();
        ids.add(hit.id);
        byPath.set(hit.path, ids);
      }
      const dup = [...counts].filter(([, n]) => n > 1);
      const [unknown] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(deliveryAttempts)
        .innerJoin(deliveries, eq(deliveries.id, deliveryAttempts.deliveryId))
        .where(and(eq(deliveries.jobId, jobId), eq(deliveryAttempts.error, OUTCOME_UNKNOWN)));
      return {
        duplicates: dup.reduce((a, [, n]) => a + n - 1, 0),
        duplicates_same_webhook_id: dup.every(([p]) => byPath.get(p)!.size === 1),
        lost: N - counts.size,
        not_delivered: N - (await delivered(jobId)),
        logged_outcome_unknown: Number(unknown!.n),
      };
    };
    const heldBy = async (instance: string, jobId: string) =>
      (
        await db
          .select({ id: deliveries.id })
          .from(deliveries)
          .where(
            and(
              eq(deliveries.jobId, jobId),
              eq(deliveries.status, "sending"),
              eq(deliveries.lockedBy, instance),
            ),
          )
      ).map((d) => `msg_${d.id.replace(/-/g, "")}`);

    // 1. Restart: kill -9 mid fan-out, start the process again.
    const c1 = start();
    await c1.id;
    let from = r.hits.length;
    const job1 = await post(chaos, "Restart");
    await waitReceived(from, N / 3);
    c1.proc.kill("SIGKILL");
    const killed1 = performance.now();
    await c1.exited;
    const atKill1 = received(from);
    const c2 = start();
    await c2.id;
    const started2 = performance.now();
    while (!r.hits.slice(from + atKill1).some((x) => x.at > killed1)) await sleep(5);
    const resumed1 = r.hits.slice(from + atKill1).find((x) => x.at > killed1)!.at;
    await allDelivered(job1.id);
    const restart = {
      received_before_kill: atKill1,
      kill_to_first_delivery_ms: Math.round(resumed1 - killed1),
      process_start_ms: Math.round(started2 - killed1),
      ...(await tally(from, job1.id)),
    };
    await stopChild(c2);
    console.error("restart:", restart);

    // 2. Two instances on two machines, one killed: the other takes over its claims once its
    // lease lapses.
    const a = start("machine-a");
    const b = start("machine-b");
    const [aId] = await Promise.all([a.id, b.id]);
    await sleep(3000); // both have seen the other's heartbeat
    from = r.hits.length;
    const job2 = await post(chaos, "Takeover");
    await waitReceived(from, N / 3);
    a.proc.kill("SIGKILL");
    const killed2 = performance.now();
    await a.exited;
    const held = new Set(await heldBy(aId, job2.id));
    let takeover: number | null = null;
    if (held.size) {
      for (;;) {
        const hit = r.hits.slice(from).find((x) => x.at > killed2 && held.has(x.id));
        if (hit) {
          takeover = Math.round(hit.at - killed2);
          break;
        }
        await sleep(10);
      }
    }
    const done2 = await allDelivered(job2.id);
    const takeoverFigures = {
      held_by_killed_instance: held.size,
      kill_to_first_taken_over_delivery_ms: takeover,
      kill_to_fan_out_done_ms: Math.round(done2 - killed2),
      ...(await tally(from, job2.id)),
    };
    await stopChild(b);
    console.error("takeover:", takeoverFigures);

    // 3. Throughput: one fan-out with one instance, then with two.
    const fanout = async (n: number) => {
      const cs = Array.from({ length: n }, (_, i) => start(`machine-${i}`));
      await Promise.all(cs.map((c) => c.id));
      await sleep(3000);
      const first = r.hits.length;
      const t0 = performance.now();
      const job = await post(chaos, `Throughput ${n}`);
      const t1 = await allDelivered(job.id);
      await Promise.all(cs.map(stopChild));
      const shares: Record<string, number> = {};
      for (const x of r.hits.slice(first)) shares[x.by] = (shares[x.by] ?? 0) + 1;
      return { ms: Math.round(t1 - t0), shares };
    };
    const one = await fanout(1);
    const two = await fanout(2);
    console.error(
      `throughput: one instance ${one.ms} ms, two ${two.ms} ms (requests by process: ${JSON.stringify(two.shares)})`,
    );

    // 4. Fairness: 100 endpoints that never answer; another tenant's first delivery.
    const hanging: http.Server[] = [];
    const hangingUrls: string[] = [];
    let inFlight = 0;
    for (let i = 0; i < HANGING; i++) {
      const s = http.createServer((req) => {
        inFlight++;
        req.resume();
      });
      await new Promise<void>((res) => s.listen(0, "127.0.0.1", res));
      hanging.push(s);
      hangingUrls.push(`http://127.0.0.1:${(s.address() as AddressInfo).port}/h`);
    }
    await db.update(alertEndpoints).set({ enabled: false }).where(eq(alertEndpoints.orgId, chaos));
    const stuck = await tenant("stuck");
    await endpoints(stuck, hangingUrls, (i) => new URL(hangingUrls[i]!).host);
    const quick = await tenant("quick");
    await endpoints(quick, [`${r.url}/q`], () => "quick.test");
    const driver = startEmbeddedDriver(db, {
      deliver: {
        settings: {
          appUrl: "http://beacon.chaos",
          allowPrivate: true,
          devMailbox: true,
          webhookTimeoutMs: 15_000,
          email: { from: "chaos@beacon.chaos" },
        },
      },
      onError: () => {},
    });
    await post(stuck, "Never answered");
    while (inFlight < HANGING) await sleep(10);
    const firsts: number[] = [];
    for (let i = 0; i < UPDATES; i++) {
      const before = r.hits.filter((x) => x.path === "/q").length;
      const t = performance.now();
      await post(quick, `Quick ${i}`);
      while (r.hits.filter((x) => x.path === "/q").length === before) await sleep(1);
      firsts.push(performance.now() - t);
    }
    const fairness = {
      hanging_endpoints: HANGING,
      hanging_in_flight: inFlight,
      first_delivery_p50_ms: Math.round(pct(firsts, 50)),
      first_delivery_p99_ms: Math.round(pct(firsts, 99)),
    };
    for (const s of hanging) s.closeAllConnections();
    await driver.stop();
    for (const s of hanging) s.close();
    console.error("fairness:", fairness);

    const out = {
      endpoints: N,
      restart,
      takeover: takeoverFigures,
      throughput: {
        one_instance_ms: one.ms,
        two_instances_ms: two.ms,
        speedup: Number((one.ms / two.ms).toFixed(2)),
        two_instances_requests_by_process: two.shares,
      },
      fairness,
    };
    console.log(JSON.stringify(out));
  } finally {
    for (const c of children) c.proc.kill("SIGKILL");
    r.close();
    await h.close();
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
