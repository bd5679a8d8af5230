import http from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { alertEndpoints, deliveries, publicSubscribers } from "@/db/schema";
import { createEndpoint } from "@/lib/alerts/endpoints";
import { encryptSecret } from "@/lib/crypto/secrets";
import type { Ctx } from "@/lib/context";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { enqueue, orgId, testSettings } from "@/test/alerts";
import { waitFor } from "@/test/wait";
import { startEmbeddedDriver, type EmbeddedDriver } from "./embedded-driver";

/**
 * One slow or hanging receiver must not hold up anyone else: sends are independent, one host
 * gets a bounded share of the slots, and public subscribers and tenants' own alerts take turns.
 * Every request here would be answered well within its timeout (30 s), so a deadline of a few
 * seconds only passes when the others did not wait for the slow one.
 */

let t: TestDb;
let acme: Ctx;
let globex: Ctx;
let acmeId: string;
let globexId: string;
const patient = testSettings({ webhookTimeoutMs: 30_000 });
const servers: (() => Promise<unknown>)[] = [];
const drivers: EmbeddedDriver[] = [];

/**
 * A receiver that counts requests in flight; `answer` decides after how long (null: never), and
 * with what status (200 unless given).
 */
async function server(
  answer: (url: string) => number | null | { delay: number; status: number } = () => 0,
) {
  let inFlight = 0;
  let most = 0;
  const requests: { url: string; body: string; at: number }[] = [];
  const s = http.createServer((req, res) => {
    inFlight++;
    most = Math.max(most, inFlight);
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      requests.push({ url: req.url ?? "", body, at: Date.now() });
      const a = answer(req.url ?? "");
      if (a === null) return;
      const { delay, status } = typeof a === "number" ? { delay: a, status: 200 } : a;
      setTimeout(() => {
        inFlight--;
        res.writeHead(status).end();
      }, delay);
    });
    res.on("close", () => {
      if (!res.writableEnded) inFlight--;
    });
  });
  await new Promise<void>((res) => s.listen(0, "127.0.0.1", res));
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  const close = () =>
    new Promise<void>((res) => {
      s.closeAllConnections();
      s.close(() => res());
    });
  servers.push(close);
  return { url, requests, inFlight: () => inFlight, most: () => most, close };
}

async function endpoint(ctx: Ctx, url: string, name = "hook") {
  return createEndpoint({
    ctx,
    input: { type: "webhook", name, url },
    channelSettings: { allowPrivate: true },
  });
}

function tenantJob(org: string, title: string) {
  return enqueue(t.db, {
    category: "infrastructure",
    impact: "major",
    title,
    audience: { type: "tenant", orgId: org },
  });
}

function driver(opts: Parameters<typeof startEmbeddedDriver>[1] = {}): EmbeddedDriver {
  const d = startEmbeddedDriver(t.db, {
    pollIntervalMs: 60_000,
    deliver: { settings: patient },
    onError: () => {},
    ...opts,
  });
  drivers.push(d);
  return d;
}

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  acme = await ctxFor(t.db, "admin@acme.test");
  globex = await ctxFor(t.db, "admin@globex.test");
  acmeId = await orgId(t.db, "acme");
  globexId = await orgId(t.db, "globex");
});
afterEach(async () => {
  // Receivers first: a request they held then ends, so a driver stops promptly.
  for (const close of servers.splice(0)) await close();
  for (const d of drivers.splice(0)) await d.stop();
  // Removed, not disabled: a disabled endpoint gets a "skipped" delivery on later incidents.
  await t.db.delete(alertEndpoints).where(sql`true`);
  await t.db.delete(publicSubscribers).where(sql`true`);
  await t.db
    .update(deliveries)
    .set({ status: "failed" })
    .where(sql`status in ('pending', 'sending')`);
});
afterAll(async () => {
  await t.close();
});

it("a receiver that never answers holds only its own slot: another tenant's incident goes out at once", async () => {
  const hanging = await server(() => null);
  const prompt = await server();
  await endpoint(acme, `${hanging.url}/a`);
  const d = driver();
  await tenantJob(acmeId, "Acme outage");
  await waitFor(() => hanging.requests.length >= 1);
  await endpoint(globex, `${prompt.url}/b`);
  await tenantJob(globexId, "Globex outage");
  // Well before the hanging request's 30 s timeout.
  await waitFor(() => prompt.requests.length >= 1, { timeoutMs: 10_000 });
  expect(hanging.inFlight()).toBe(1);
  void d;
});

it("a delivery due elsewhere (a retry) is sent while a hanging request is in flight", async () => {
  const hanging = await server(() => null);
  // Fails the first attempt; the retry (backoff base 1 ms) is then due in the queue.
  let n = 0;
  const flaky = await server(() => ({ delay: 0, status: ++n === 1 ? 503 : 200 }));
  await endpoint(acme, `${hanging.url}/a`);
  driver({ deliver: { settings: patient, retryBaseMs: 1 } });
  await tenantJob(acmeId, "Acme outage");
  await waitFor(() => hanging.requests.length >= 1);
  await endpoint(globex, `${flaky.url}/fail-once`);
  const job = await tenantJob(globexId, "Globex retry");
  // The retry is sent well before the hanging request's 30 s timeout.
  await waitFor(
    async () => {
      const [d] = await t.db
        .select()
        .from(deliveries)
        .where(and(eq(deliveries.jobId, job.id), eq(deliveries.channel, "webhook")));
      return d?.status === "delivered";
    },
    { timeoutMs: 12_000 },
  );
  expect(flaky.requests).toHaveLength(2);
  expect(hanging.inFlight()).toBe(1);
});

it("never has more requests in flight to one host than its per-host limit", async () => {
  const slow = await server(() => 150);
  for (let i = 0; i < 12; i++) await endpoint(acme, `${slow.url}/${i}`, `slow ${i}`);
  driver({ concurrency: 16, perHost: 3 });
  const job = await tenantJob(acmeId, "Many endpoints, one host");
  await waitFor(() => slow.requests.length >= 12, { timeoutMs: 20_000 });
  expect(slow.most()).toBeLessThanOrEqual(3);
  expect(slow.most()).toBeGreaterThanOrEqual(2);
  await waitFor(async () => {
    const rows = await t.db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.jobId, job.id), eq(deliveries.channel, "webhook")));
    return rows.length === 12 && rows.every((r) => r.status === "delivered");
  });
});

it("public subscribers' deliveries do not starve a tenant's own alerts", async () => {
  // Forty webhook subscribers answering after 400 ms: with four slots, ten rounds (four seconds).
  const slow = await server(() => 400);
  const secret = encryptSecret(`whsec_${Buffer.alloc(32, 9).toString("base64")}`);
  await t.db.insert(publicSubscribers).values(
    Array.from({ length: 40 }, (_, i) => ({
      kind: "webhook" as const,
      urlEncrypted: encryptSecret(`${slow.url}/s/${i}`),
      // Each on its own host as far as the per-host limit goes, so only fairness is at work.
      urlHint: `subscriber-${i}.example`,
      secretEncrypted: secret,
      confirmedAt: new Date(),
    })),
  );
  const prompt = await server();
  driver({ concurrency: 4, perHost: 100, slowAfterMs: 60_000 });
  await enqueue(t.db, { category: "infrastructure", impact: "major", title: "Public outage" });
  await waitFor(() => slow.requests.length >= 1);
  await endpoint(globex, `${prompt.url}/b`);
  await tenantJob(globexId, "Globex outage");
  await waitFor(() => prompt.requests.length >= 1, { timeoutMs: 20_000 });
  // The tenant's alert went out while the subscribers' fan-out was still going.
  expect(slow.requests.filter((r) => r.at <= prompt.requests[0]!.at).length).toBeLessThan(30);
  await waitFor(() => slow.requests.length >= 40, { timeoutMs: 20_000 });
});
