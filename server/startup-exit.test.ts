import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The start-up code (instrumentation's register(), as `next start` runs it) in a process of its
 * own, with the given environment; resolves with its exit status and output.
 */
function runRegister(
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const root = path.resolve(__dirname, "..");
  const child = spawn(
    path.join(root, "node_modules/.bin/tsx"),
    [
      "-e",
      // As Next does: an error thrown from register() is logged and the server carries on
      // (here: exits 0, standing for "stayed up").
      'import("./instrumentation.ts").then((m) => m.register()).catch((e) => console.error("register threw", e)).then(() => process.exit(0))',
    ],
    {
      cwd: root,
      // Only what the child needs: no DATABASE_URL or AUTH_SECRET leaks in from the test run.
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        NEXT_RUNTIME: "nodejs",
        NODE_ENV: "production",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("a configuration error at start-up", () => {
  it("ends the process with a non-zero status naming AUTH_SECRET when it is missing in production", async () => {
    const { code, output } = await runRegister({ NODE_ENV: "production" });
    expect(code).toBe(1);
    expect(output).toMatch(/AUTH_SECRET: required in production/);
  }, 60_000);

  it("ends the process naming DATABASE_URL when it does not parse", async () => {
    const { code, output } = await runRegister({
      NODE_ENV: "production",
      AUTH_SECRET: "x".repeat(40),
      DATABASE_URL: "postgres://db.internal:notaport/beacon",
    });
    expect(code).toBe(1);
    expect(output).toMatch(/DATABASE_URL: must be a connection URL/);
  }, 60_000);
});
