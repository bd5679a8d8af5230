import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { NextRequest } from "next/server";
import { decode } from "next-auth/jwt";
import { createTestDb, type TestDb } from "@/db/test-db";
import { users } from "@/db/schema";
import { seedDemo } from "@/test/fixtures";
import { bumpSessionEpoch } from "@/lib/auth/session-epoch";

// Signing in through Auth.js itself: the session token it issues records the user's epoch.
vi.stubEnv("AUTH_SECRET", "auth-epoch-test-secret-auth-epoch-test-secret");
vi.mock("server-only", () => ({}));
let t: TestDb;
vi.mock("@/server/database", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/server/database")>()),
  getDb: async () => t.db,
  getDbHandle: async () => t,
}));

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await t?.close();
});

const BASE = "http://localhost:3000/api/auth";
const COOKIE = "authjs.session-token";

function cookiesOf(res: Response): Record<string, string> {
  return Object.fromEntries(
    res.headers.getSetCookie().map((c) => {
      const [pair] = c.split(";");
      const i = pair!.indexOf("=");
      return [pair!.slice(0, i), pair!.slice(i + 1)];
    }),
  );
}

async function signInWithPassword(email: string): Promise<string> {
  const res = await postPassword(email, "beacon-demo-2026");
  const token = cookiesOf(res)[COOKIE];
  if (!token) throw new Error(`no session cookie (status ${res.status})`);
  return token;
}

/** The sign-in form's POST to Auth.js's credentials callback. */
async function postPassword(email: string, password: string): Promise<Response> {
  const { handlers } = await import("./auth");
  const csrfRes = await handlers.GET(new NextRequest(`${BASE}/csrf`));
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const jar = cookiesOf(csrfRes);
  return handlers.POST(
    new NextRequest(`${BASE}/callback/credentials`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie: Object.entries(jar)
          .map(([k, v]) => `${k}=${v}`)
          .join("; "),
      },
      body: new URLSearchParams({ csrfToken, email, password }),
    }),
  );
}

describe("Auth.js sessions", () => {
  it("record the user's session epoch when issued", async () => {
    const [u] = await t.db.select().from(users).where(eq(users.email, "support@acme.test"));
    const first = await decode({
      token: await signInWithPassword("support@acme.test"),
      secret: process.env.AUTH_SECRET!,
      salt: COOKIE,
    });
    expect(first).toMatchObject({ uid: u!.id, epoch: 0 });

    await bumpSessionEpoch(t.db, u!.id);
    await bumpSessionEpoch(t.db, u!.id);
    const second = await decode({
      token: await signInWithPassword("support@acme.test"),
      secret: process.env.AUTH_SECRET!,
      salt: COOKIE,
    });
    expect(second).toMatchObject({ uid: u!.id, epoch: 2 });
  });

  it("record when the user signed in (the activation checklist's signed-in item)", async () => {
    const lastSignIn = async () =>
      (
        await t.db
          .select({ at: users.lastSignedInAt })
          .from(users)
          .where(eq(users.email, "billing@acme.test"))
      )[0]!.at;
    expect(await lastSignIn()).toBeNull();
    const before = Date.now();
    await signInWithPassword("billing@acme.test");
    const at = await lastSignIn();
    expect(at).toBeInstanceOf(Date);
    expect(at!.getTime()).toBeGreaterThanOrEqual(before - 1000);
  });
});

describe("the server log", () => {
  it("gets one line, without a stack trace, for a wrong password", async () => {
    const lines: string[] = [];
    const record = (...args: unknown[]) => {
      lines.push(
        args.map((a) => (a instanceof Error ? (a.stack ?? a.message) : String(a))).join(" "),
      );
    };
    const error = vi.spyOn(console, "error").mockImplementation(record);
    const warn = vi.spyOn(console, "warn").mockImplementation(record);
    try {
      const res = await postPassword("devops@acme.test", "not-the-password");
      expect(cookiesOf(res)[COOKIE]).toBeUndefined();
      expect(lines).toEqual(["[auth] password sign-in refused (credentials)"]);
    } finally {
      error.mockRestore();
      warn.mockRestore();
    }
  });

  it("keeps everything else in full, with its stack", async () => {
    const { authLogger } = await import("./auth-logger");
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const fault = new Error("database unreachable");
      authLogger.error(fault);
      expect(error).toHaveBeenCalledWith("[auth][error]", fault);
    } finally {
      error.mockRestore();
    }
  });
});
