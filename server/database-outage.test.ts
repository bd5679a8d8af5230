import net from "node:net";
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { count } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { organizations } from "@/db/schema";
import { env } from "@/lib/env";
import { DatabaseUnavailableError, toHttpResponse } from "@/lib/errors";
import { checkHealth } from "@/lib/health";
import { getDb, getDbHandle, resetDatabaseForTests } from "./database";

/**
 * The configured database unreachable, stalled or missing at start: the server stays up,
 * requests get a 503 with the cause class, health answers within its bound, and the first
 * request after the database appears is served. The env object is pointed at each case.
 */
const original = { url: env.DATABASE_URL, demo: env.demoData };
const logged: string[] = [];
const log = (line: string) => logged.push(line);

function useDatabaseUrl(url: string) {
  env.DATABASE_URL = url;
  env.demoData = false;
}

afterEach(async () => {
  await resetDatabaseForTests();
  env.DATABASE_URL = original.url;
  env.demoData = original.demo;
  logged.length = 0;
});

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("an unreachable database", () => {
  it("gives 503 with the cause class, no host or credentials, and logs the full error", async () => {
    const port = await closedPort();
    useDatabaseUrl(`postgres://beacon:s3cretpw@127.0.0.1:${port}/beacon`);

    const health = await checkHealth(getDbHandle, { log });
    expect(health).toEqual({
      status: "degraded",
      database: {
        status: "down",
        engine: "unknown",
        error: "database unreachable: connection refused",
      },
    });
    expect(JSON.stringify(health)).not.toMatch(/s3cretpw|127\.0\.0\.1|beacon:/);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/ECONNREFUSED/);
    expect(logged[0]).not.toMatch(/\n/);

    const err = await getDb().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DatabaseUnavailableError);
    const res = toHttpResponse(err);
    expect(res.status).toBe(503);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("database_unavailable");
    expect(body.error.message).toMatch(/connection refused/);
    expect(body.error.message).not.toMatch(/s3cretpw|127\.0\.0\.1/);
  }, 30_000);

  it("answers health within its bound with 'timed out' when the server accepts and never answers", async () => {
    const sockets: net.Socket[] = [];
    const stall = net.createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => stall.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = stall.address() as net.AddressInfo;
      useDatabaseUrl(`postgres://beacon:s3cretpw@127.0.0.1:${port}/beacon`);
      const started = Date.now();
      const health = await checkHealth(getDbHandle, { log });
      expect(Date.now() - started).toBeLessThan(4_000);
      expect(health.database).toMatchObject({ status: "down", error: "database timed out" });
      // The connection attempt itself gives up too (connect timeout), as a 503 "timed out".
      const err = await getDb().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DatabaseUnavailableError);
      expect((err as DatabaseUnavailableError).reason).toBe("database timed out");
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((resolve) => stall.close(() => resolve()));
    }
  }, 60_000);
});

describe.skipIf(!process.env.TEST_DATABASE_URL)("a database created after start", () => {
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const name = `beacon_outage_${randomBytes(4).toString("hex")}`;
  let admin: postgres.Sql;
  beforeAll(() => {
    admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end({ timeout: 5 });
  });

  it("is 'does not exist' first, then up without a restart, migrated", async () => {
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    useDatabaseUrl(url.toString());

    const before = await checkHealth(getDbHandle, { log });
    expect(before.database).toMatchObject({ status: "down", error: "database does not exist" });
    expect(JSON.stringify(before)).not.toContain(name);

    await admin.unsafe(`create database "${name}"`);
    const after = await until(
      () => checkHealth(getDbHandle, { log, timeoutMs: 20_000 }),
      (h) => h.status === "ok",
      60_000,
    );
    expect(after).toMatchObject({ status: "ok", database: { status: "up", engine: "postgres" } });
    const [{ n }] = (await (await getDb()).select({ n: count() }).from(organizations)) as [
      { n: number },
    ];
    expect(n).toBe(1);
  }, 90_000);
});
