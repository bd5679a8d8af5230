/**
 * A server process's job driver, alone: the embedded driver (the real lib/jobs code) against
 * CHAOS_DATABASE_URL, for scripts/chaos-crash.ts to start, kill -9 and restart. Prints its
 * instance id on the first line of standard output, then runs until killed.
 */
import { openDatabase } from "@/db/client";
import { startEmbeddedDriver } from "@/lib/jobs/embedded-driver";

async function main() {
  const h = await openDatabase({
    engine: "postgres",
    url: process.env.CHAOS_DATABASE_URL!,
    max: 10,
  });
  const driver = startEmbeddedDriver(h.db, {
    // Another process enqueues the work, so this one learns of it by polling.
    pollIntervalMs: 100,
    // Another machine, for the takeover measurement (default this host's name).
    instanceHost: process.env.CHAOS_HOST || undefined,
    deliver: {
      settings: {
        // Which process sent a request shows in the event's link.
        appUrl: `http://${process.env.CHAOS_HOST || "driver"}.chaos`,
        allowPrivate: true,
        devMailbox: true,
        webhookTimeoutMs: 15_000,
        email: { from: "chaos@beacon.chaos" },
      },
    },
  });
  console.log(driver.instanceId());
  process.on("SIGTERM", () => {
    void driver.stop().then(() => h.close().then(() => process.exit(0)));
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
