import { openDatabase, type Db, type DbHandle } from "@/db";
import { MIGRATIONS_FOLDER, migrateDatabase } from "@/db/migrate";
import { env } from "@/lib/env";
import { formatDemoCredentials, seedDatabase, type SeedResult } from "./seed";

interface Global {
  __beaconDb?: Promise<DbHandle>;
}
// Next bundles instrumentation and each route separately, so a plain module singleton would
// open the database more than once; the process-wide global keeps it to one.
const g = globalThis as unknown as Global;

/** PostgreSQL when DATABASE_URL is set, else the embedded PGlite in DATA_DIR. */
export function openConfiguredDatabase(): Promise<DbHandle> {
  return env.DATABASE_URL
    ? openDatabase({ engine: "postgres", url: env.DATABASE_URL })
    : openDatabase({ engine: "pglite", dataDir: env.DATA_DIR });
}

/**
 * What every entry point does first: apply migrations, then seed an empty database, both under
 * the startup lock so two instances starting on one empty PostgreSQL do not both seed.
 */
export async function prepareDatabase(
  handle: DbHandle,
  opts: { demo: boolean },
): Promise<SeedResult> {
  let result: SeedResult = { created: false, demoUsers: [] };
  await migrateDatabase(handle, MIGRATIONS_FOLDER, async () => {
    result = await seedDatabase(handle.db, opts);
  });
  return result;
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
