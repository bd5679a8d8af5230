import { getDbHandle } from "@/db";
import { env } from "@/lib/env";
import { startJobDriver } from "./job-driver";

const g = globalThis as unknown as { __beaconStarted?: boolean };

/** Once per process (guarded against hot reload): database ready, then background work. */
export async function startServer(): Promise<void> {
  if (env.isBuildPhase || g.__beaconStarted) return;
  g.__beaconStarted = true;
  const handle = await getDbHandle();
  await startJobDriver(handle.db);
}
