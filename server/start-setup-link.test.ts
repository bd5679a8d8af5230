import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { seedDatabase } from "./seed";
import { completeSetup, setupTokenValid } from "@/lib/setup/setup";
import { env } from "@/lib/env";
import { waitFor } from "@/test/wait";

// startServer with this file's database and none of its background work: what it prints.
let t: TestDb;
/** Start-up chains finished: warming the snapshot is the last step, after the setup link. */
let finished = 0;
vi.mock("./database", () => ({
  startDatabase: () => {},
  whenDatabaseReady: async () => t,
}));
vi.mock("@/lib/status/listen", () => ({ startStatusListener: async () => {} }));
vi.mock("@/lib/status/snapshot", () => ({
  warmSnapshot: async () => {
    finished++;
  },
}));
vi.mock("./job-driver", () => ({ startJobDriver: async () => {} }));
vi.mock("./client-address", () => ({ installClientAddress: () => {} }));
vi.mock("./status-fast-path", () => ({ installStatusFastPath: () => {} }));

const g = globalThis as unknown as { __beaconStarted?: boolean };

beforeAll(async () => {
  t = await createTestDb();
  await seedDatabase(t.db, { demo: false });
});
afterAll(() => t?.close());

/** Starts the server (as a fresh process would) and returns what it printed. */
async function startAndCapture(): Promise<string> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(" "));
  });
  try {
    const before = finished;
    g.__beaconStarted = false;
    const { startServer } = await import("./start");
    await startServer();
    await waitFor(() => finished > before, { timeoutMs: 30_000 });
    return lines.join("\n");
  } finally {
    spy.mockRestore();
  }
}

describe("start-up on a database with no platform admin", () => {
  it("prints a one-time setup link that works, and prints none once setup is done", async () => {
    const text = await startAndCapture();
    expect(text).toContain("Beacon has no platform admin yet");
    const url = new URL(/(http\S+\/setup\?token=\S+)/.exec(text)![1]!);
    expect(url.origin).toBe(new URL(env.APP_URL).origin);
    const token = url.searchParams.get("token")!;
    expect(await setupTokenValid(t.db, token)).toBe(true);

    // Another start (another instance) prints another link; both work until setup is done.
    const second = /\/setup\?token=(\S+)/.exec(await startAndCapture())![1]!;
    expect(second).not.toBe(token);
    expect(await setupTokenValid(t.db, token)).toBe(true);

    await completeSetup({
      db: t.db,
      input: {
        token: second,
        email: "ops@example.test",
        name: "Ops",
        password: "a-long-password",
        pageName: "Example Status",
      },
      via: "link",
    });
    expect(await setupTokenValid(t.db, token)).toBe(false);
    expect(await startAndCapture()).not.toContain("/setup?token=");
  });
});
