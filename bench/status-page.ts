/**
 * npm run bench:status
 *
 * Seeds a year of incidents into a throwaway embedded database, starts the built app with
 * `next start`, and drives `/` and `/api/v2/summary.json` with autocannon (100 connections);
 * then serves the very same bytes and headers from a bare `node:http` server in its own process
 * and drives that the same way. Prints req/s, p50/p99 latency and the ratio next/bare.
 *
 * Then the signed-in scenario: an Acme member (a session cookie minted with the server's secret,
 * as Auth.js would set it) opens `/`, which shows Acme's own tenant-only incident, with 100
 * connections while an update is posted through the API every BENCH_UPDATE_MS (alternately to a
 * public and to Acme's incident; each one drops every cached copy). Target: at least 300 req/s
 * with p99 under 1 s. Ends with one line of JSON holding all the figures. Needs `npm run build`.
 *
 * Options (environment): BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 100),
 * BENCH_UPDATE_MS (default 1000), BENCH_NO_FAST_PATH=1 to drive the signed-in `/` once more on a
 * server started with STATUS_FAST_PATH=false (Next renders every request, from memory), and the
 * anonymous `/` on it for comparison.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { openDatabase } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { seedDatabase } from "@/server/seed";
import {
  cellStatusIntervals,
  componentRegions,
  components,
  incidentCells,
  incidents,
  incidentUpdateCells,
  incidentUpdates,
  organizations,
  PLATFORM_SLUG,
  regions,
  type ComponentStatus,
} from "@/db/schema";
import { eq, inArray } from "drizzle-orm";
import { encode } from "next-auth/jwt";
import { users } from "@/db/schema";
import { createApiKey } from "@/lib/api-keys/keys";
import { openIncident } from "@/lib/incidents/open-incident";
import { systemCtx } from "@/lib/system-ctx";

const SECONDS = Number(process.argv.includes("--quick") ? 3 : (process.env.BENCH_SECONDS ?? 10));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const PORT = 3190;
const BARE_PORT = 3191;
const PATHS = ["/", "/api/v2/summary.json"] as const;
const HEADERS = { "accept-encoding": "br, gzip" };
const DAY = 86_400_000;
const UPDATE_MS = Number(process.env.BENCH_UPDATE_MS ?? 1000);
const AUTH_SECRET = process.env.AUTH_SECRET ?? "bench-only-secret-bench-only-secret-00";
const SESSION_COOKIE = "authjs.session-token";
const ACME_ONLY = "Acme: calls to one carrier failing";
const TARGET = { rps: 300, p99: 1000 };

function log(msg: string) {
  process.stderr.write(`${msg}\n`);
}

interface Seeded {
  /** A platform responder's API key, to post updates during the signed-in run. */
  apiKey: string;
  publicIncident: string;
  acmeIncident: string;
  acmeUserId: string;
}

/**
 * A year of resolved incidents (about three a week) with updates, cells and uptime intervals;
 * then one open public incident and one open Acme-only incident, and an API key to update them.
 */
async function seedYear(dataDir: string): Promise<Seeded> {
  const handle = await openDatabase({ engine: "pglite", dataDir });
  await migrateDatabase(handle);
  await seedDatabase(handle.db, { demo: true });
  const db = handle.db;
  const [org] = await db.select().from(organizations).where(eq(organizations.slug, PLATFORM_SLUG));
  const comps = await db.select().from(components).where(eq(components.orgId, org!.id));
  const regs = await db.select().from(regions).where(eq(regions.orgId, org!.id));
  // Components "exist" for the whole year so every uptime bar has data.
  await db
    .update(components)
    .set({ createdAt: new Date(Date.now() - 400 * DAY) })
    .where(eq(components.orgId, org!.id));
  // ...and run in every region for the whole year (each cell counts from when it was added).
  await db
    .update(componentRegions)
    .set({ createdAt: new Date(Date.now() - 400 * DAY) })
    .where(
      inArray(
        componentRegions.componentId,
        comps.map((c) => c.id),
      ),
    );
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const statuses: ComponentStatus[] = ["degraded_performance", "partial_outage", "major_outage"];
  const count = 160;
  for (let i = 0; i < count; i++) {
    const start = new Date(Date.now() - (2 + rand() * 363) * DAY);
    const end = new Date(start.getTime() + (10 + rand() * 240) * 60_000);
    const comp = comps[Math.floor(rand() * comps.length)]!;
    const reg = regs[Math.floor(rand() * regs.length)]!;
    const status = statuses[Math.floor(rand() * statuses.length)]!;
    await db.transaction(async (tx) => {
      const [inc] = await tx
        .insert(incidents)
        .values({
          orgId: org!.id,
          title: `${comp.name} ${status.replace("_", " ")} in ${reg.name}`,
          category: comp.name.startsWith("Billing") ? "billing" : "infrastructure",
          impact: status === "major_outage" ? "major" : "minor",
          status: "resolved",
          startedAt: start,
          createdAt: start,
          updatedAt: end,
          resolvedAt: end,
        })
        .returning();
      const steps = [
        {
          status: "investigating" as const,
          at: start,
          message: `We are investigating reports of ${status.replace("_", " ")} for ${comp.name} in ${reg.name}.`,
        },
        {
          status: "identified" as const,
          at: new Date((start.getTime() * 2 + end.getTime()) / 3),
          message: "The cause is identified; a fix is being rolled out.",
        },
        {
          status: "resolved" as const,
          at: end,
          message: "This incident is resolved. We are sorry for the disruption.",
        },
      ];
      for (const [k, s] of steps.entries()) {
        const [u] = await tx
          .insert(incidentUpdates)
          .values({
            incidentId: inc!.id,
            status: s.status,
            message: s.message,
            messageHtml: `<p>${s.message}</p>`,
            authorType: "system",
            authorName: "Bench",
            createdAt: s.at,
          })
          .returning();
        if (k === 0 || k === 2) {
          await tx.insert(incidentUpdateCells).values({
            updateId: u!.id,
            componentId: comp.id,
            regionId: reg.id,
            before: k === 0 ? null : status,
            after: k === 0 ? status : "operational",
          });
        }
      }
      await tx.insert(incidentCells).values({
        incidentId: inc!.id,
        componentId: comp.id,
        regionId: reg.id,
        status: "operational",
      });
      await tx.insert(cellStatusIntervals).values({
        orgId: org!.id,
        componentId: comp.id,
        regionId: reg.id,
        status,
        startedAt: start,
        endedAt: end,
      });
    });
  }
  const admin = await systemCtx(db, PLATFORM_SLUG, "platform_admin");
  const { secret: apiKey } = await createApiKey({
    ctx: admin,
    input: { name: "Bench updates", role: "responder" },
  });
  const acme = await systemCtx(db, "acme", "org_admin");
  const publicIncident = await openIncident({
    ctx: admin,
    input: {
      title: "Voice calls failing in one region",
      category: "infrastructure",
      impact: "minor",
      message: "We are investigating.",
      cells: [{ componentId: comps[0]!.id, regionId: regs[0]!.id, status: "partial_outage" }],
    },
  });
  const acmeIncident = await openIncident({
    ctx: admin,
    input: {
      title: ACME_ONLY,
      category: "configurable",
      impact: "major",
      audienceOrgId: acme.org.id,
      message: "Calls to one carrier fail; we are rerouting.",
      cells: [{ componentId: comps[1]!.id, regionId: regs[1]!.id, status: "major_outage" }],
    },
  });
  const [acmeUser] = await db.select().from(users).where(eq(users.email, "admin@acme.test"));
  await handle.close();
  log(`seeded ${count} incidents over the past year, and two open ones`);
  return {
    apiKey,
    publicIncident: publicIncident.incident.id,
    acmeIncident: acmeIncident.incident.id,
    acmeUserId: acmeUser!.id,
  };
}

function waitFor(url: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tryOnce = () =>
      http
        .get(url, (res) => {
          res.resume();
          if (res.statusCode === 200) resolve();
          else retry();
        })
        .on("error", retry);
    const retry = () =>
      Date.now() > until ? reject(new Error(`${url} did not come up`)) : setTimeout(tryOnce, 300);
    tryOnce();
  });
}

/** The raw (still compressed) bytes and headers Next sends for a path. */
function capture(
  url: string,
  extra: Record<string, string> = {},
): Promise<{ status: number; headers: http.OutgoingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { ...HEADERS, ...extra } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const headers: http.OutgoingHttpHeaders = {};
          for (const [k, v] of Object.entries(res.headers)) {
            if (
              !["date", "connection", "keep-alive", "transfer-encoding"].includes(k) &&
              v !== undefined
            )
              headers[k] = v;
          }
          const body = Buffer.concat(chunks);
          headers["content-length"] = String(body.byteLength);
          resolve({ status: res.statusCode ?? 0, headers, body });
        });
      })
      .on("error", reject);
  });
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function drive(url: string, extra: Record<string, string> = {}): Promise<Figures> {
  const headers = { ...HEADERS, ...extra };
  // A short unmeasured run first, so both servers are measured with warm JIT and sockets.
  await autocannon({ url, connections: CONNECTIONS, duration: 2, headers });
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers });
  const non2xx = result.non2xx ?? 0;
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + non2xx,
  };
}

function stop(child: ChildProcess | undefined) {
  if (child && child.exitCode === null) child.kill("SIGTERM");
}

async function stopAndWait(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

function startNext(root: string, dataDir: string, extraEnv: Record<string, string> = {}) {
  return spawn(
    process.execPath,
    [path.join(root, "node_modules", "next", "dist", "bin", "next"), "start", "-p", String(PORT)],
    {
      env: {
        ...process.env,
        NODE_ENV: "production",
        DATA_DIR: dataDir,
        APP_URL: `http://localhost:${PORT}`,
        AUTH_SECRET,
        ...extraEnv,
      },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
}

/**
 * Posts an update every UPDATE_MS through the API, alternately to the public and to Acme's
 * incident, until stopped; each drops the snapshot and every tenant's cached page.
 */
function postUpdates(seeded: Seeded) {
  let n = 0;
  let failed = 0;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    const id = n % 2 === 0 ? seeded.publicIncident : seeded.acmeIncident;
    n++;
    fetch(`http://127.0.0.1:${PORT}/api/v1/incidents/${id}/updates`, {
      method: "POST",
      headers: { authorization: `Bearer ${seeded.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ status: "identified", message: `Bench update ${n}` }),
    })
      .then(async (res) => {
        await res.arrayBuffer();
        if (res.status !== 201 && res.status !== 200) failed++;
      })
      .catch(() => failed++)
      .finally(() => (busy = false));
  }, UPDATE_MS);
  return {
    stop: () => {
      clearInterval(timer);
      return { posted: n, failed };
    },
  };
}

interface SignedIn extends Figures {
  fastPath: boolean;
  bytes: number;
  updatesPosted: number;
  updatesFailed: number;
  met: boolean;
}

/** The signed-in Acme member's `/`, driven while updates are posted. */
async function driveSignedIn(seeded: Seeded, cookie: string): Promise<SignedIn> {
  const url = `http://127.0.0.1:${PORT}/`;
  for (let i = 0; i < 20; i++) await capture(url, { cookie }); // warm up
  const c = await capture(url, { cookie });
  if (c.status !== 200) throw new Error(`signed-in / answered ${c.status}`);
  const html = (await (await fetch(url, { headers: { cookie } })).text()).toString();
  if (!html.includes(ACME_ONLY)) throw new Error("the signed-in / does not show Acme's incident");
  const poster = postUpdates(seeded);
  const f = await drive(url, { cookie });
  const { posted, failed } = poster.stop();
  return {
    ...f,
    fastPath: c.headers["x-beacon-fast-path"] === "1",
    bytes: c.body.byteLength,
    updatesPosted: posted,
    updatesFailed: failed,
    met: f.rps >= TARGET.rps && f.p99 < TARGET.p99,
  };
}

function signedInRow(label: string, r: SignedIn) {
  return `${label.padEnd(22)} next ${String(r.rps).padStart(7)} req/s p50 ${String(r.p50).padStart(4)} ms p99 ${String(r.p99).padStart(4)} ms | ${r.updatesPosted} updates posted meanwhile${r.updatesFailed ? ` (${r.updatesFailed} failed)` : ""}${r.errors ? `, ${r.errors} errors` : ""} | target >= ${TARGET.rps} req/s, p99 < ${TARGET.p99} ms: ${r.met ? "met" : "NOT met"} (${r.bytes} bytes${r.fastPath ? ", fast path" : ""})`;
}

async function main() {
  const root = process.cwd();
  if (!fs.existsSync(path.join(root, ".next", "BUILD_ID"))) {
    throw new Error("No production build: run `npm run build` first.");
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "beacon-bench-"));
  let next: ChildProcess | undefined;
  let bare: ChildProcess | undefined;
  try {
    const seeded = await seedYear(dataDir);
    const token = await encode({
      token: { uid: seeded.acmeUserId, sub: seeded.acmeUserId },
      secret: AUTH_SECRET,
      salt: SESSION_COOKIE,
    });
    const cookie = `${SESSION_COOKIE}=${token}`;
    next = startNext(root, dataDir);
    await waitFor(`http://127.0.0.1:${PORT}/api/health`);
    const captured = new Map<string, Awaited<ReturnType<typeof capture>>>();
    for (const p of PATHS) {
      for (let i = 0; i < 20; i++) await capture(`http://127.0.0.1:${PORT}${p}`); // warm up
      const c = await capture(`http://127.0.0.1:${PORT}${p}`);
      if (c.status !== 200) throw new Error(`${p} answered ${c.status}`);
      captured.set(p, c);
    }

    // The bare server: same bytes, same headers, from memory, in its own process like Next.
    const fixture = path.join(dataDir, "bare.json");
    fs.writeFileSync(
      fixture,
      JSON.stringify(
        Object.fromEntries(
          [...captured].map(([p, c]) => [
            p,
            { headers: c.headers, body: c.body.toString("base64") },
          ]),
        ),
      ),
    );
    const bareSource = `
      const http = require("node:http");
      const docs = JSON.parse(require("node:fs").readFileSync(${JSON.stringify(fixture)}, "utf8"));
      for (const d of Object.values(docs)) d.body = Buffer.from(d.body, "base64");
      http.createServer((req, res) => {
        const d = docs[req.url];
        if (!d) { res.writeHead(404); return res.end(); }
        res.writeHead(200, d.headers);
        res.end(d.body);
      }).listen(${BARE_PORT}, () => process.send && process.send("ready"));`;
    bare = spawn(process.execPath, ["-e", bareSource], {
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    await new Promise<void>((resolve) => bare!.once("message", () => resolve()));

    const results: Record<
      string,
      { next: Figures; bare: Figures; ratio: number; bytes: number; fastPath: boolean }
    > = {};
    for (const p of PATHS) {
      log(`driving next start ${p} for ${SECONDS}s with ${CONNECTIONS} connections`);
      const n = await drive(`http://127.0.0.1:${PORT}${p}`);
      log(`driving bare node:http ${p}`);
      const b = await drive(`http://127.0.0.1:${BARE_PORT}${p}`);
      const c = captured.get(p)!;
      results[p] = {
        next: n,
        bare: b,
        ratio: Math.round((n.rps / b.rps) * 1000) / 1000,
        bytes: c.body.byteLength,
        fastPath: c.headers["x-beacon-fast-path"] === "1",
      };
    }

    log(`driving next start / signed in as an Acme member while posting updates`);
    let anonymousNoFastPath: Figures | undefined;
    const signedIn: Record<string, SignedIn> = { fastPath: await driveSignedIn(seeded, cookie) };
    if (process.env.BENCH_NO_FAST_PATH === "1") {
      await stopAndWait(next);
      next = startNext(root, dataDir, { STATUS_FAST_PATH: "false" });
      await waitFor(`http://127.0.0.1:${PORT}/api/health`);
      log(`driving next start / signed in, STATUS_FAST_PATH=false`);
      signedIn.noFastPath = await driveSignedIn(seeded, cookie);
      log(`driving next start / anonymous, STATUS_FAST_PATH=false, for comparison`);
      anonymousNoFastPath = await drive(`http://127.0.0.1:${PORT}/`);
    }

    const rows = PATHS.map((p) => {
      const r = results[p]!;
      return `${p.padEnd(22)} next ${String(r.next.rps).padStart(7)} req/s p50 ${String(r.next.p50).padStart(4)} ms p99 ${String(r.next.p99).padStart(4)} ms | bare ${String(r.bare.rps).padStart(7)} req/s p50 ${String(r.bare.p50).padStart(4)} ms p99 ${String(r.bare.p99).padStart(4)} ms | ratio ${r.ratio.toFixed(3)} (${r.bytes} bytes${r.fastPath ? ", fast path" : ""})`;
    });
    console.log(
      `Status page benchmark (${os.cpus().length} CPUs, ${CONNECTIONS} connections, ${SECONDS}s each)`,
    );
    for (const r of rows) console.log(r);
    console.log(signedInRow("/ signed in (tenant)", signedIn.fastPath!));
    if (signedIn.noFastPath) console.log(signedInRow("  without fast path", signedIn.noFastPath));
    if (anonymousNoFastPath) {
      const a = anonymousNoFastPath;
      console.log(
        `${"/ anonymous, no fast p.".padEnd(22)} next ${String(a.rps).padStart(7)} req/s p50 ${String(a.p50).padStart(4)} ms p99 ${String(a.p99).padStart(4)} ms (no updates posted)`,
      );
    }
    const ratio = Math.min(...PATHS.map((p) => results[p]!.ratio));
    const p99 = Math.max(...PATHS.map((p) => results[p]!.next.p99));
    console.log(
      JSON.stringify({
        connections: CONNECTIONS,
        seconds: SECONDS,
        cpus: os.cpus().length,
        paths: results,
        ratio,
        p99,
        signedIn,
        anonymousNoFastPath,
      }),
    );
  } finally {
    stop(bare);
    stop(next);
    await new Promise((r) => setTimeout(r, 500));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
