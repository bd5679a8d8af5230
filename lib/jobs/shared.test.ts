import http from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { alertEndpoints, deliveries } from "@/db/schema";
import { encryptSecret } from "@/lib/crypto/secrets";
import { seedDemo } from "@/test/fixtures";
import { enqueue, orgId, testSettings } from "@/test/alerts";
import { waitFor } from "@/test/wait";
import { startEmbeddedDriver } from "./embedded-driver";

/**
 * Two instances on one database share one large fan-out: the parts the planning instance has no
 * room for are left in the queue, and the other claims them.
 */

let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
});
afterAll(async () => {
  await t.close();
});

it("two drivers on one database both send parts of one fan-out", async () => {
  const N = 160;
  // Which driver sent a request shows in the event body's link (each has its own app URL).
  const by = new Map<string, number>();
  // Answers are held until both drivers have sent something: the first driver's workers stay busy,
  // so the parts it planned but has no room for must be claimed by the other. How big a share
  // each gets depends on the machine's load, so the test asserts participation, not a ratio.
  let held: (() => void)[] = [];
  const s = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const host = new URL((JSON.parse(body) as { data: { url: string } }).data.url).host;
      by.set(host, (by.get(host) ?? 0) + 1);
      const answer = () => setTimeout(() => res.end(), 20);
      if (by.size >= 2) {
        for (const h of held) h();
        held = [];
        answer();
      } else held.push(answer);
    });
  });
  await new Promise<void>((res) => s.listen(0, "127.0.0.1", res));
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  const acme = await orgId(t.db, "acme");
  const secret = encryptSecret(`whsec_${Buffer.alloc(32, 5).toString("base64")}`);
  await t.db.insert(alertEndpoints).values(
    Array.from({ length: N }, (_, i) => ({
      orgId: acme,
      type: "webhook" as const,
      name: `fan ${i}`,
      urlEncrypted: encryptSecret(`${url}/${i}`),
      // Each its own host for the per-host limit: the work is shared, not throttled.
      urlHint: `fan-${i}.example`,
      secretEncrypted: secret,
    })),
  );
  const start = (appUrl: string) =>
    startEmbeddedDriver(t.db, {
      pollIntervalMs: 200,
      concurrency: 4,
      planPartRows: 20,
      // Held answers must not time out while the other driver is slow to start on a busy machine.
      deliver: { settings: testSettings({ appUrl, webhookTimeoutMs: 60_000 }) },
      onError: () => {},
    });
  const a = start("http://a.test");
  const b = start("http://b.test");
  try {
    await waitFor(() => a.peers() >= 1 && b.peers() >= 1);
    const job = await enqueue(t.db, {
      category: "infrastructure",
      impact: "major",
      title: "Shared fan-out",
      audience: { type: "tenant", orgId: acme },
    });
    await waitFor(
      async () => {
        const rows = await t.db
          .select({ status: deliveries.status })
          .from(deliveries)
          .where(and(eq(deliveries.jobId, job.id), eq(deliveries.channel, "webhook")));
        return rows.length === N && rows.every((r) => r.status === "delivered");
      },
      { timeoutMs: 60_000 },
    );
    expect((by.get("a.test") ?? 0) + (by.get("b.test") ?? 0)).toBe(N);
    // Both sent parts of it.
    expect(by.get("a.test") ?? 0).toBeGreaterThanOrEqual(1);
    expect(by.get("b.test") ?? 0).toBeGreaterThanOrEqual(1);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    s.closeAllConnections();
    await new Promise((res) => s.close(res));
  }
});
