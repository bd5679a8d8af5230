import path from "node:path";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import { CONNECT_TIMEOUT_S, type DbHandle } from "./client";

export const MIGRATIONS_FOLDER = path.join(process.cwd(), "db", "migrations");

/** Any constant works; it only has to be the same in every Beacon process. */
const MIGRATION_LOCK_ID = 4_242_001;

/**
 * Applies the committed migrations, then runs `then` (the first-start seed) while still holding
 * the lock. On PostgreSQL several app instances may start at once, so both are serialised with
 * an advisory lock held on a dedicated connection; PGlite has one process by construction.
 */
export async function migrateDatabase(
  handle: DbHandle,
  folder = MIGRATIONS_FOLDER,
  then?: () => Promise<void>,
): Promise<void> {
  if (handle.engine === "pglite") {
    await migratePglite(handle.db as unknown as PgliteDatabase, { migrationsFolder: folder });
    await then?.();
    return;
  }
  // No statement timeout here: waiting for another instance's migration is a long lock wait.
  const sql = postgres(handle.url!, {
    max: 1,
    onnotice: () => {},
    connect_timeout: CONNECT_TIMEOUT_S,
  });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    try {
      await migratePostgres(drizzlePostgres({ client: sql }), { migrationsFolder: folder });
      await then?.();
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}
