import { openDatabase, type Db, type DbHandle } from "@/db";
import { MIGRATIONS_FOLDER, migrateDatabase } from "@/db/migrate";
import { env } from "@/lib/env";
import { DatabaseUnavailableError } from "@/lib/errors";
import { databaseCause, describeError } from "@/lib/health";
import { formatDemoCredentials, seedDatabase, type SeedResult } from "./seed";
import { adoptMaintenanceCategory } from "@/lib/alerts/defaults";

/** Retries of an unreachable database at start: 0.5 s, 1 s, 2 s, … up to 30 s apart. */
export const RETRY_MIN_MS = 500;
export const RETRY_MAX_MS = 30_000;

interface DbState {
  /** Set once the database is open, migrated and seeded. */
  handle?: DbHandle;
  /** The attempt in flight, if any (requests share it). */
  attempt?: Promise<DbHandle>;
  failures: number;
  retryTimer?: NodeJS.Timeout;
  ready: Promise<DbHandle>;
  resolveReady: (h: DbHandle) => void;
}
interface Global {
  __beaconDb?: DbState;
}
// Next bundles instrumentation and each route separately, so a plain module singleton would
// open the database more than once; the process-wide global keeps it to one.
const g = globalThis as unknown as Global;

/** PostgreSQL when DATABASE_URL is set, else the embedded PGlite in DATA_DIR. */
export function openConfiguredDatabase(): Promise<DbHandle> {
  return env.DATABASE_URL
    ? openDatabase({
        engine: "postgres",
        url: env.DATABASE_URL,
        statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
      })
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
    await adoptMaintenanceCategory(handle.db);
  });
  return result;
}

async function start(): Promise<DbHandle> {
  const handle = await openConfiguredDatabase();
  try {
    const seeded = await prepareDatabase(handle, { demo: env.demoData });
    const banner = formatDemoCredentials(seeded);
    if (banner) console.log(`\n${banner}\n`);
    return handle;
  } catch (e) {
    await handle.close().catch(() => {});
    throw e;
  }
}

function state(): DbState {
  if (!g.__beaconDb) {
    let resolveReady!: (h: DbHandle) => void;
    const ready = new Promise<DbHandle>((resolve) => (resolveReady = resolve));
    g.__beaconDb = { failures: 0, ready, resolveReady };
  }
  return g.__beaconDb;
}

/**
 * One attempt to open, migrate and seed (shared by everyone asking meanwhile). A failure is
 * logged (one line, the full error) and retried in the background with capped exponential
 * backoff; a request arriving in between tries again at once, so the first request after the
 * database comes back is served.
 */
function attemptStart(s: DbState): Promise<DbHandle> {
  if (s.attempt) return s.attempt;
  clearTimeout(s.retryTimer);
  const attempt = start().then(
    (handle) => {
      s.handle = handle;
      s.attempt = undefined;
      if (s.failures)
        console.log(`database: reachable again after ${s.failures} failed attempt(s)`);
      s.failures = 0;
      s.resolveReady(handle);
      return handle;
    },
    (e: unknown) => {
      s.attempt = undefined;
      const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** s.failures);
      s.failures++;
      console.error(
        `database: not available (${databaseCause(e)}), retrying in ${delay} ms: ${describeError(e)}`,
      );
      s.retryTimer = setTimeout(() => void attemptStart(s).catch(() => {}), delay);
      s.retryTimer.unref();
      throw e;
    },
  );
  s.attempt = attempt;
  return attempt;
}

/** Starts opening the database in the background (retried until it is reachable). */
export function startDatabase(): void {
  const s = state();
  if (!s.handle) void attemptStart(s).catch(() => {});
}

/** Resolves once the database is open, migrated and seeded; never rejects. */
export function whenDatabaseReady(): Promise<DbHandle> {
  return state().ready;
}

/**
 * The app's database: opened, migrated and seeded once per process. While it cannot be reached
 * this rejects with DatabaseUnavailableError (a 503 with Retry-After, naming only the cause class).
 */
export function getDbHandle(): Promise<DbHandle> {
  const s = state();
  if (s.handle) return Promise.resolve(s.handle);
  return attemptStart(s).catch((e: unknown) => {
    throw new DatabaseUnavailableError(
      databaseCause(e),
      Math.max(1, Math.ceil(Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** s.failures) / 1000)),
      { cause: e },
    );
  });
}

export async function getDb(): Promise<Db> {
  return (await getDbHandle()).db;
}

/** Tests only: forget the database state (closing an open handle). */
export async function resetDatabaseForTests(): Promise<void> {
  const s = g.__beaconDb;
  g.__beaconDb = undefined;
  if (!s) return;
  clearTimeout(s.retryTimer);
  await s.attempt?.catch(() => {});
  await s.handle?.close();
}
