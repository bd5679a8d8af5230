import { env } from "@/lib/env";
import { getAuthSecret } from "@/lib/auth/secret";
import { describeError } from "@/lib/health";
import { startStatusListener } from "@/lib/status/listen";
import { warmSnapshot } from "@/lib/status/snapshot";
import { startDatabase, whenDatabaseReady } from "./database";
import { installStatusFastPath } from "./status-fast-path";
import { installClientAddress } from "./client-address";
import { startJobDriver } from "./job-driver";
import { issueSetupToken, setupAnnouncement } from "@/lib/setup/setup";

const g = globalThis as unknown as { __beaconStarted?: boolean };

/**
 * Once per process (guarded against hot reload). The database opens in the background, retried
 * until reachable, so an outage at start does not stop the server (requests get 503 meanwhile);
 * background work starts once it is ready.
 */
export async function startServer(): Promise<void> {
  if (env.isBuildPhase || g.__beaconStarted) return;
  g.__beaconStarted = true;
  // Rate limits key on the socket address; route handlers get it only through this hook.
  installClientAddress();
  startDatabase();
  void whenDatabaseReady()
    .then(async (handle) => {
      // First run (no platform admin yet): a one-time setup link, printed once per start.
      const setupToken = await issueSetupToken(handle.db);
      if (setupToken) console.log(setupAnnouncement(env.APP_URL, setupToken));
      // Other instances' status changes (PostgreSQL LISTEN/NOTIFY) drop this one's snapshot.
      await startStatusListener(handle);
      if (env.statusFastPath) {
        installStatusFastPath({ db: handle.db, baseUrl: env.APP_URL, authSecret: getAuthSecret() });
      }
      await startJobDriver(handle.db);
      // A last good copy of every public document, for the status page to serve in an outage.
      await warmSnapshot(handle.db, env.APP_URL);
    })
    .catch((e: unknown) => console.error(`start-up: background work failed: ${describeError(e)}`));
}
