import { defineConfig, devices } from "@playwright/test";
import { E2E_RESEND_WEBHOOK_SECRET, EMPTY_DATA_DIR, EMPTY_SERVER_LOG } from "./e2e/helpers";

const PORT = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://localhost:${PORT}`;
// E2E_DEV=1 runs against `next dev` (no build needed); CI runs the built app with `next start`.
const server = process.env.E2E_DEV ? `next dev -p ${PORT}` : `next start -p ${PORT}`;

// A second server on an empty database (DEMO_DATA=false) for the first-run journey. Its output goes
// to a file in its data directory, where the journey reads the setup link the server prints.
const EMPTY_PORT = Number(process.env.E2E_EMPTY_PORT ?? PORT + 1);
const emptyURL = `http://localhost:${EMPTY_PORT}`;
const emptyServer = process.env.E2E_DEV
  ? `next dev -p ${EMPTY_PORT}`
  : `next start -p ${EMPTY_PORT}`;
const FIRST_RUN = /first-run\.spec\.ts$/;

export default defineConfig({
  testDir: "e2e",
  fullyParallel: true,
  // Three on the 2-core CI machine: the on-call and maintenance journeys spend over a minute each
  // waiting for real time to pass, and with two workers they could hold both while the CPU idled.
  workers: process.env.CI ? 3 : undefined,
  retries: process.env.CI ? 1 : 0,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  // Some journeys (accessibility scans of full pages on PGlite) take 45 s on a 2-core machine.
  timeout: 120_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      // Without these, Chromium keeps trying to reach outside hosts this network does not have.
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [
    { name: "chromium", use: { ...devices["Desktop Chrome"] }, testIgnore: FIRST_RUN },
    {
      // One serial journey on its own database: setup works once, so a retry could only fail.
      name: "first-run",
      testMatch: FIRST_RUN,
      retries: 0,
      use: { ...devices["Desktop Chrome"], baseURL: emptyURL },
    },
  ],
  webServer: [
    {
      // A fresh embedded database for every run.
      command: `rm -rf .data-e2e && ${server}`,
      url: `${baseURL}/api/health`,
      timeout: 120_000,
      reuseExistingServer: !process.env.CI,
      stdout: "pipe",
      env: {
        DATA_DIR: ".data-e2e",
        DEMO_DATA: "true",
        APP_URL: baseURL,
        AUTH_SECRET: process.env.AUTH_SECRET ?? "e2e-only-secret-e2e-only-secret-e2e-only",
        ALLOW_PRIVATE_WEBHOOKS: "true",
        // `next start` is production mode; email and SMS still land in the dev mailbox under test.
        DEV_MAILBOX: "true",
        // Lets tests post signed provider callbacks (bounces) as Resend would.
        RESEND_WEBHOOK_SECRET: E2E_RESEND_WEBHOOK_SECRET,
      },
    },
    {
      // Fresh every run; the log file is not a pipe, so nothing hides the server's exit status.
      command: `rm -rf ${EMPTY_DATA_DIR} && mkdir -p ${EMPTY_DATA_DIR} && exec ${emptyServer} > ${EMPTY_SERVER_LOG} 2>&1`,
      url: `${emptyURL}/api/health`,
      timeout: 120_000,
      reuseExistingServer: !process.env.CI,
      env: {
        DATA_DIR: EMPTY_DATA_DIR,
        DEMO_DATA: "false",
        APP_URL: emptyURL,
        AUTH_SECRET: process.env.AUTH_SECRET ?? "e2e-only-secret-e2e-only-secret-e2e-only",
        DEV_MAILBOX: "true",
      },
    },
  ],
});
