import { env } from "@/lib/env";
import { startStatusListener } from "@/lib/status/listen";
import { getDbHandle } from "./database";
import { installStatusFastPath } from "./status-fast-path";
import { installClientAddress } from "./client-address";
import { startJobDriver } from "./job-driver";

const g = globalThis as unknown as { __beaconStarted?: boolean };

/** Once per process (guarded against hot reload): database ready, then background work. */
export async function startServer(): Promise<void> {
  if (env.isBuildPhase || g.__beaconStarted) return;
  g.__beaconStarted = true;
  // Rate limits key on the socket address; route handlers get it only through this hook.
  installClientAddress();
  const handle = await getDbHandle();
  // Other instances' status changes (PostgreSQL LISTEN/NOTIFY) drop this one's snapshot.
  await startStatusListener(handle);
  if (env.statusFastPath) installStatusFastPath({ db: handle.db, baseUrl: env.APP_URL });
  await startJobDriver(handle.db);
}
