import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DataDirBusyError, openDatabase } from "./client";

describe("PGlite data directory lock", () => {
  it("refuses a second open while held, and takes over a stale lock", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "beacon-lock-"));
    // A lock left by a process that no longer exists is stale.
    fs.writeFileSync(path.join(dir, "beacon.pid"), "999999");
    const first = await openDatabase({ engine: "pglite", dataDir: dir });
    expect(fs.readFileSync(path.join(dir, "beacon.pid"), "utf8")).toBe(String(process.pid));
    await expect(openDatabase({ engine: "pglite", dataDir: dir })).rejects.toThrowError(
      /already open in this process/,
    );
    await first.close();
    expect(fs.existsSync(path.join(dir, "beacon.pid"))).toBe(false);

    // Held by another live process (this test's parent stands in for it).
    fs.writeFileSync(path.join(dir, "beacon.pid"), String(process.ppid));
    await expect(openDatabase({ engine: "pglite", dataDir: dir })).rejects.toBeInstanceOf(
      DataDirBusyError,
    );
    fs.rmSync(dir, { recursive: true, force: true });
    // Creating a data directory on disk runs initdb, which alone can take most of the default 30 s
    // on a busy machine.
  }, 180_000);
});
