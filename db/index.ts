import { env } from "@/lib/env";
import { openDatabase, type Db, type DbHandle } from "./client";
import { prepareDatabase } from "./prepare";
import { formatDemoCredentials } from "./seed";

export type { Db, Tx, DbHandle } from "./client";

interface Global {
  __beaconDb?: Promise<DbHandle>;
}
// Next bundles instrumentation and each route separately, so a plain module singleton would
// open the database more than once; the process-wide global keeps it to one.
const g = globalThis as unknown as Global;

export function openConfiguredDatabase(): Promise<DbHandle> {
  return env.DATABASE_URL
    ? openDatabase({ engine: "postgres", url: env.DATABASE_URL })
    : openDatabase({ engine: "pglite", dataDir: env.DATA_DIR });
}

async function start(): Promise<DbHandle> {
  const handle = await openConfiguredDatabase();
  const seeded = await prepareDatabase(handle, { demo: env.demoData });
  const banner = formatDemoCredentials(seeded);
  if (banner) console.log(`\n${banner}\n`);
  return handle;
}

/** The app's database: opened, migrated and seeded once per process. */
export function getDbHandle(): Promise<DbHandle> {
  if (!g.__beaconDb) {
    g.__beaconDb = start().catch((e) => {
      g.__beaconDb = undefined;
      throw e;
    });
  }
  return g.__beaconDb;
}

export async function getDb(): Promise<Db> {
  return (await getDbHandle()).db;
}
