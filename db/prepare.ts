import type { DbHandle } from "./client";
import { migrateDatabase } from "./migrate";
import { seedDatabase, type SeedResult } from "./seed";

/** What every entry point does first: apply migrations, then seed an empty database. */
export async function prepareDatabase(
  handle: DbHandle,
  opts: { demo: boolean },
): Promise<SeedResult> {
  await migrateDatabase(handle);
  return seedDatabase(handle.db, opts);
}
