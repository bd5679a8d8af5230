import type { DbHandle } from "./client";
import { MIGRATIONS_FOLDER, migrateDatabase } from "./migrate";
import { seedDatabase, type SeedResult } from "./seed";

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
