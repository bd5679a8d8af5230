import { describe, expect, it } from "vitest";
import { EnvError, loadEnv } from "./env";

describe("loadEnv", () => {
  it("runs with no configuration at all", () => {
    const e = loadEnv({});
    expect(e.DATA_DIR).toBe("./.data");
    expect(e.DATABASE_URL).toBeUndefined();
    expect(e.demoData).toBe(true);
    expect(e.inngestConfigured).toBe(false);
  });

  it("names the variable and the reason for a bad value", () => {
    expect(() => loadEnv({ DATABASE_URL: "mysql://x" })).toThrowError(
      /DATABASE_URL: must start with postgres:\/\//,
    );
    expect(() => loadEnv({ APP_URL: "not a url" })).toThrowError(/APP_URL: must be the public URL/);
    expect(() => loadEnv({ ALLOW_PRIVATE_WEBHOOKS: "maybe" })).toThrowError(
      /ALLOW_PRIVATE_WEBHOOKS/,
    );
    expect(() => loadEnv({ RESEND_WEBHOOK_SECRET: "re_123" })).toThrowError(
      /RESEND_WEBHOOK_SECRET: must be the webhook's signing secret from Resend, starting with whsec_/,
    );
    expect(
      loadEnv({ RESEND_WEBHOOK_SECRET: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }),
    ).toHaveProperty("RESEND_WEBHOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  });

  it("refuses a DATABASE_URL that does not parse as a PostgreSQL connection URL", () => {
    for (const bad of [
      "postgres://",
      "postgres://db.internal:notaport/beacon",
      "postgres:///beacon",
    ]) {
      expect(() => loadEnv({ DATABASE_URL: bad }), bad).toThrowError(
        /DATABASE_URL: must be a connection URL such as postgres:\/\/user:password@host:5432\/beacon/,
      );
    }
    for (const good of [
      "postgres://u:p@db.internal:5432/beacon",
      "postgresql://u@[::1]/beacon",
      "postgres:///beacon?host=/var/run/postgresql",
    ]) {
      expect(loadEnv({ DATABASE_URL: good }).DATABASE_URL, good).toBe(good);
    }
  });

  it("bounds DATABASE_STATEMENT_TIMEOUT_MS and defaults it to 15 s", () => {
    expect(loadEnv({}).DATABASE_STATEMENT_TIMEOUT_MS).toBe(15_000);
    expect(loadEnv({ DATABASE_STATEMENT_TIMEOUT_MS: "2500" }).DATABASE_STATEMENT_TIMEOUT_MS).toBe(
      2500,
    );
    expect(() => loadEnv({ DATABASE_STATEMENT_TIMEOUT_MS: "10" })).toThrowError(
      /DATABASE_STATEMENT_TIMEOUT_MS: must be at least 100/,
    );
    expect(() => loadEnv({ DATABASE_STATEMENT_TIMEOUT_MS: "soon" })).toThrowError(
      /DATABASE_STATEMENT_TIMEOUT_MS/,
    );
  });

  it("refuses to start in production without AUTH_SECRET, but lets the build run", () => {
    expect(() => loadEnv({ NODE_ENV: "production" })).toThrowError(EnvError);
    expect(() => loadEnv({ NODE_ENV: "production" })).toThrowError(
      /AUTH_SECRET: required in production/,
    );
    expect(() =>
      loadEnv({ NODE_ENV: "production", NEXT_PHASE: "phase-production-build" }),
    ).not.toThrow();
    const prod = loadEnv({
      NODE_ENV: "production",
      AUTH_SECRET: "x".repeat(40),
      APP_URL: "https://status.example.com",
    });
    expect(prod.demoData).toBe(false);
  });

  it("derives APP_URL from the port the server listens on in development", () => {
    expect(loadEnv({}).APP_URL).toBe("http://localhost:3000");
    // `PORT=3200 npm run dev`, and `next dev -p 3200` (Next puts the port it listens on in PORT).
    expect(loadEnv({ PORT: "3200" }).APP_URL).toBe("http://localhost:3200");
    expect(loadEnv({ NODE_ENV: "test", PORT: "3100" }).APP_URL).toBe("http://localhost:3100");
    // A configured APP_URL wins whatever the port (a proxy in front, another host name).
    expect(loadEnv({ PORT: "3200", APP_URL: "https://beacon.example.test" }).APP_URL).toBe(
      "https://beacon.example.test",
    );
    expect(() => loadEnv({ PORT: "http" })).toThrowError(/PORT: must be a port number/);
  });

  it("requires APP_URL in production, naming it, but lets the build run without it", () => {
    expect(() =>
      loadEnv({ NODE_ENV: "production", AUTH_SECRET: "x".repeat(40), PORT: "3200" }),
    ).toThrowError(/APP_URL: required in production; set it to the public URL of Beacon/);
    expect(() => loadEnv({ NODE_ENV: "production" })).toThrowError(
      /AUTH_SECRET: required in production[\s\S]*APP_URL: required in production/,
    );
    expect(loadEnv({ NODE_ENV: "production", NEXT_PHASE: "phase-production-build" }).APP_URL).toBe(
      "http://localhost:3000",
    );
  });

  it("treats empty strings as unset", () => {
    expect(loadEnv({ DATABASE_URL: "", DATA_DIR: "" }).DATA_DIR).toBe("./.data");
  });

  it("selects Inngest when any of its variables is set", () => {
    expect(loadEnv({ INNGEST_DEV: "1" }).inngestConfigured).toBe(true);
    expect(loadEnv({ INNGEST_EVENT_KEY: "k" }).inngestConfigured).toBe(true);
  });
});

describe("TRUSTED_PROXIES", () => {
  it("is off by default, takes a hop count or CIDRs, and names a bad value", () => {
    expect(loadEnv({}).TRUSTED_PROXIES).toEqual({ kind: "none" });
    expect(loadEnv({ TRUSTED_PROXIES: "1" }).TRUSTED_PROXIES).toEqual({ kind: "hops", hops: 1 });
    expect(loadEnv({ TRUSTED_PROXIES: "10.0.0.0/8, ::1" }).TRUSTED_PROXIES).toMatchObject({
      kind: "cidrs",
      cidrs: ["10.0.0.0/8", "::1"],
    });
    expect(() => loadEnv({ TRUSTED_PROXIES: "lb.internal" })).toThrowError(
      /TRUSTED_PROXIES: "lb.internal" is not a hop count or a CIDR/,
    );
  });

  it("defaults the retention periods and refuses bad ones, naming the variable", () => {
    const e = loadEnv({});
    expect(e.RETENTION_DELIVERIES_DAYS).toBe(90);
    expect(e.RETENTION_METRIC_SAMPLES_DAYS).toBe(30);
    expect(e.RETENTION_NOTIFICATION_JOBS_DAYS).toBe(30);
    expect(e.RETENTION_INBOX_DAYS).toBe(90);
    expect(e.RETENTION_DEV_MAILBOX_DAYS).toBe(7);
    expect(e.RETENTION_INVITATIONS_DAYS).toBe(30);
    expect(loadEnv({ RETENTION_DELIVERIES_DAYS: "0" }).RETENTION_DELIVERIES_DAYS).toBe(0);
    expect(loadEnv({ RETENTION_INBOX_DAYS: "365" }).RETENTION_INBOX_DAYS).toBe(365);
    expect(() => loadEnv({ RETENTION_DELIVERIES_DAYS: "3" })).toThrowError(
      /RETENTION_DELIVERIES_DAYS: must be 0 \(keep forever\) or at least 7 \(endpoint health reads 5 days of deliveries\)/,
    );
    expect(() => loadEnv({ RETENTION_METRIC_SAMPLES_DAYS: "1" })).toThrowError(
      /RETENTION_METRIC_SAMPLES_DAYS: must be 0 \(keep forever\) or at least 2/,
    );
    expect(() => loadEnv({ RETENTION_INBOX_DAYS: "1.5" })).toThrowError(
      /RETENTION_INBOX_DAYS: must be a whole number of days/,
    );
    expect(() => loadEnv({ RETENTION_DEV_MAILBOX_DAYS: "a week" })).toThrowError(
      /RETENTION_DEV_MAILBOX_DAYS: must be a whole number of days/,
    );
    expect(() => loadEnv({ RETENTION_NOTIFICATION_JOBS_DAYS: "-1" })).toThrowError(
      /RETENTION_NOTIFICATION_JOBS_DAYS: must be 0 \(keep forever\) or at least 1/,
    );
    expect(() => loadEnv({ RETENTION_INVITATIONS_DAYS: "99999" })).toThrowError(
      /RETENTION_INVITATIONS_DAYS: must be at most 36500/,
    );
  });
});
